"""Benchmark: our classifier side by side with alt-profanity-check, on the same texts in the same run.

    OMP_NUM_THREADS=1 .venv/bin/python bench/classifier.py [--data DIR] [--markdown docs/classifier-table.md]

Prints one table: leave-one-dataset-out generalisation (ETHOS, Stormfront, Fox News), in-domain
ROC-AUC on the grouped 20% test split, the functional checks (data/checks/*.csv) per category, and
speed/size figures on one core. Every figure of ours is measured on data the model did not train on.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.peer import PeerScorer
from classifier.bundle import (
    MODEL_FILE,
    Bundle,
)
from classifier.corpus import labels_of, load_corpus, split
from classifier.lexicon import build_lexicon
from classifier.scoring import Scorer
from classifier.training import TrainingSources, fit_calibrated, fit_classifier, train
from service.config import load_settings

LEAVE_ONE_OUT = [  # (dataset, head whose labels the set carries)
    ("ethos", "slur"),
    ("stormfront_degibert2018", "slur"),
    ("fox_news_comments_gao2017", "hostility"),
]
HEAD_COLUMN = {"hostility": 0, "slur": 1}
CHECKS = Path(__file__).resolve().parents[1] / "data" / "checks"


def _auc(labels: np.ndarray, scores: np.ndarray) -> float:
    return float(roc_auc_score(labels, scores))


def leave_one_out(corpus, lexicon, peer: PeerScorer) -> list[tuple[str, str, float, float]]:
    """Train without one dataset, score it: (dataset, head, our AUC, peer AUC)."""
    rows = []
    for dataset, head in LEAVE_ONE_OUT:
        held_out = [e for e in corpus.examples if e.source == dataset and e.label(head) is not None]
        rest = [e for e in corpus.examples if e.source != dataset]
        model = fit_classifier(rest, lexicon)
        texts = [e.text for e in held_out]
        labels = np.array([e.label(head) for e in held_out])
        ours = model.predict_proba(texts)[:, HEAD_COLUMN[head]]
        theirs = np.array(peer.predict_prob(texts))
        rows.append((dataset, head, _auc(labels, ours), _auc(labels, theirs)))
        print(f"  leave-one-out {dataset}: ours {rows[-1][2]:.3f}, peer {rows[-1][3]:.3f}", file=sys.stderr)
    return rows


def read_checks() -> dict[str, list[tuple[str, bool]]]:
    """Functional checks per category: (text, must be flagged)."""
    checks = {}
    for path in sorted(CHECKS.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            checks[path.stem] = [(row["text"], row["expect"] == "flag") for row in csv.DictReader(handle)]
    return checks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    settings = load_settings()
    parser.add_argument("--data", type=Path, default=settings.datasets_dir)
    parser.add_argument("--markdown", type=Path, default=None, help="also write the table to this file")
    args = parser.parse_args()
    if os.environ.get("OMP_NUM_THREADS") != "1":
        print("note: run with OMP_NUM_THREADS=1 for the one-core figures", file=sys.stderr)

    corpus = load_corpus(args.data, settings.seed_path)
    if corpus.missing:
        print(f"missing datasets: {', '.join(corpus.missing)}", file=sys.stderr)
    lexicon, _ = build_lexicon(args.data, settings.hate_symbols_path)
    table: list[tuple[str, str, str, str]] = []  # (section, measure, ours, peer / target)

    with PeerScorer() as peer:
        print(f"peer: {peer.version()}", file=sys.stderr)
        # 1. Generalisation to an unseen source.
        loo = leave_one_out(corpus, lexicon, peer)
        for dataset, head, ours, theirs in loo:
            table.append(("leave-one-out", f"{dataset} ({head}) ROC-AUC", f"{ours:.3f}", f"{theirs:.3f}"))
        gain = statistics.mean(o - t for _, _, o, t in loo)
        table.append(("leave-one-out", "mean gain over peer (target ≥ 0.05)", f"{gain:+.3f}", ""))

        # 2. In-domain, on the same grouped split `moderation train` uses.
        train_rows, test_rows = split(corpus.examples)
        training = [corpus.examples[i] for i in train_rows]
        testing = [corpus.examples[i] for i in test_rows]
        model, thresholds = fit_calibrated(training, lexicon)
        texts = [e.text for e in testing]
        labels = labels_of(testing)
        ours = model.predict_proba(texts)
        theirs = np.array(peer.predict_prob(texts))
        for head, target in (("hostility", 0.95), ("slur", 0.92)):
            column = HEAD_COLUMN[head]
            known = ~np.isnan(labels[:, column])
            table.append((
                "in-domain 20% split", f"{head} ROC-AUC (target ≥ {target})",
                f"{_auc(labels[known, column], ours[known, column]):.3f}",
                f"{_auc(labels[known, column], theirs[known]):.3f}",
            ))

        # 3. Functional checks (our own sentences; never trained on).
        scorer = Scorer(Bundle(model=model, metadata={"version": "bench", "thresholds": thresholds}, path=Path(".")))
        for category, cases in read_checks().items():
            texts = [text for text, _ in cases]
            expected = np.array([flag for _, flag in cases])
            flagged = np.array([score.flagged for score in scorer.score_many(texts)])
            peer_flagged = np.array(peer.predict_prob(texts)) >= 0.5
            kind = "flag" if expected.all() else "pass" if not expected.any() else "mixed"
            table.append((
                "checks (target ≥ 85%)", f"{category} ({kind}, n={len(cases)})",
                f"{(flagged == expected).mean():.0%}", f"{(peer_flagged == expected).mean():.0%}",
            ))

        fox = [e.text for e in corpus.examples if e.source == "fox_news_comments_gao2017"]
        peer_batch = peer.timed_batch(fox)
        peer_latencies = sorted(peer.timed_single(fox))
        peer_rss = peer.peak_rss_mb()

    # 4. Speed and size on one core, each side in a process of its own that only loads its model.
    with tempfile.TemporaryDirectory() as models:
        started = time.perf_counter()
        result = train(TrainingSources(args.data, settings.seed_path, settings.hate_symbols_path), Path(models))
        seconds = time.perf_counter() - started
        texts_file = Path(models) / "fox.json"
        texts_file.write_text(json.dumps(fox), encoding="utf-8")
        probe = subprocess.run(
            [sys.executable, str(Path(__file__).with_name("_speed_probe.py")), str(result.path), str(texts_file)],
            capture_output=True, text=True, check=True,
        )
        speed = json.loads(probe.stdout)
        size = (result.path / MODEL_FILE).stat().st_size / 1e6
    table.append(("speed (1 core)", f"batch scores, Fox News ({len(fox)} comments)/s",
                  f"{speed['batch_per_s']:,.0f}", f"{peer_batch:,.0f}"))
    table.append(("speed (1 core)", "batch scores + spans, comments/s", f"{speed['batch_with_spans_per_s']:,.0f}", ""))
    table.append(("speed (1 core)", "single comment with spans, p50 ms (target ≤ 1)",
                  f"{speed['p50_ms']:.3f}", f"{statistics.median(peer_latencies) * 1000:.3f}"))
    table.append(("speed (1 core)", "single comment with spans, p99 ms",
                  f"{speed['p99_ms']:.3f}", f"{peer_latencies[int(0.99 * (len(peer_latencies) - 1))] * 1000:.3f}"))
    table.append(("training", "train on all datasets, s (target ≤ 90)", f"{seconds:.1f}", ""))
    table.append(("size", "bundle, MB (target ≤ 50)", f"{size:.1f}", ""))
    table.append(("size", "process with loaded model, peak RSS MB (target ≤ 300)",
                  f"{speed['peak_rss_mb']:.0f}", f"{peer_rss:.0f}"))

    lines = ["| section | measure | ours | alt-profanity-check |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in table]
    print("\n".join(lines))
    if args.markdown:
        args.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
