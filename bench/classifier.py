"""Benchmark: our classifier side by side with alt-profanity-check, on the same texts in the same run.

    OMP_NUM_THREADS=1 .venv/bin/python bench/classifier.py [--data DIR] [--markdown FILE] [--skip-loo]
        [--skip-retrain]

Prints one table with issue 12's figures. Every figure of ours is measured on data the model did not
train on: (a) news comments (Unhealthy Comments, SFU: evaluation only), (b) group mentions (ToxiGen:
evaluation only; the grouped test split of the group sets, never trained on; per-group bias metrics),
(c) leave-one-dataset-out, (d) the functional checks (data/checks), (e) speed, size and training time
on one core, (f) is `bench/pipeline.py`. The default model is trained here exactly as `moderation train`
trains it, into a fresh encoder cache, so the training time is a cold start's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.judgment import Judge, leave_one_out
from bench.peer import PeerScorer
from classifier.bundle import MODEL_FILE, load_bundle
from classifier.corpus import load_corpus
from classifier.lexicon import build_lexicon
from classifier.training import TrainingSources, fit_calibrated, train
from service.config import load_settings

SPEED_SETS = {"Fox News comments": ("fox_news_comments_gao2017", "fox-news-comments.json"),
              "Civil Comments news comments": ("civil_comments_test_split_samples",
                                               "cc_test_stratified_sample10k_dedup.csv")}
SPEED_TEXTS = 1500


def _speed_texts(data: Path) -> dict[str, list[str]]:
    from classifier.datasets.comment_sets import load_civil_comments
    from classifier.datasets.loaders import load_fox_news

    fox = [e.text for e in load_fox_news(data / SPEED_SETS["Fox News comments"][0])]
    civil = [e.text for e in load_civil_comments(data / SPEED_SETS["Civil Comments news comments"][0])]
    return {"Fox News comments": fox[:SPEED_TEXTS], "Civil Comments news comments": civil[:SPEED_TEXTS]}


def speed_rows(bundle_path: Path, data: Path, peer: PeerScorer, cache: Path) -> list[tuple[str, str, str, str]]:
    """(e) Each side in a process of its own that only loads its model, as a worker would."""
    rows = []
    for name, texts in _speed_texts(data).items():
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
            json.dump(texts, handle)
        command = [sys.executable, str(Path(__file__).with_name("_speed_probe.py")), str(bundle_path), handle.name,
                   str(cache)]
        probe = subprocess.run(command, capture_output=True, text=True, check=True,
                               env={**os.environ, "OMP_NUM_THREADS": "1"})
        Path(handle.name).unlink()
        speed = json.loads(probe.stdout)
        peer_batch = peer.timed_batch(texts)
        latencies = sorted(peer.timed_single(texts))
        rows += [
            ("(e) speed, 1 core", f"{name}: batch with spans, comments/s (target ≥ 150)",
             f"{speed['batch_with_spans_per_s']:,.0f}", f"{peer_batch:,.0f} (no spans)"),
            ("(e) speed, 1 core", f"{name}: single comment with spans, p50 ms (target ≤ 20)",
             f"{speed['p50_ms']:.2f}", f"{statistics.median(latencies) * 1000:.2f}"),
            ("(e) speed, 1 core", f"{name}: single comment with spans, p99 ms",
             f"{speed['p99_ms']:.2f}", f"{latencies[int(0.99 * (len(latencies) - 1))] * 1000:.2f}"),
        ]
    rows.append(("(e) size", "process with the loaded model, peak RSS MB (target ≤ 800)",
                 f"{speed['peak_rss_mb']:.0f}", f"{peer.peak_rss_mb():.0f}"))
    return rows


def _markdown(table: list[tuple[str, str, str, str]]) -> str:
    lines = ["| section | measure | ours | alt-profanity-check |", "|---|---|---|---|"]
    return "\n".join(lines + [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in table])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    settings = load_settings()
    parser.add_argument("--data", type=Path, default=settings.datasets_dir)
    parser.add_argument("--markdown", type=Path, default=None, help="also write the table to this file")
    parser.add_argument("--skip-loo", action="store_true", help="leave out section (c) (about half the run)")
    parser.add_argument("--skip-retrain", action="store_true", help="leave out the refit with 10,000 decisions")
    parser.add_argument("--bundle", type=Path, default=None,
                        help="judge this trained bundle instead of training one (no training time is reported)")
    parser.add_argument("--cache", type=Path, default=None, help="with --bundle: the encoder cache it was trained with")
    args = parser.parse_args()
    if os.environ.get("OMP_NUM_THREADS") != "1":
        print("note: run with OMP_NUM_THREADS=1 for the one-core figures", file=sys.stderr)

    def progress(message: str) -> None:
        print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    corpus = load_corpus(args.data, settings.seed_path)
    if corpus.missing:
        print(f"missing datasets: {', '.join(corpus.missing)}", file=sys.stderr)
    lexicon, _ = build_lexicon(args.data, settings.hate_symbols_path)
    table: list[tuple[str, str, str, str]] = []
    work = Path(tempfile.mkdtemp(prefix="bench-classifier-"))
    cache = args.cache or work / "encoders"

    with PeerScorer() as peer:
        training_seconds = None
        if args.bundle:
            progress(f"peer: {peer.version()}; judging {args.bundle}")
            bundle_path = args.bundle
        else:
            progress(f"peer: {peer.version()}; training the default model (cold encoder cache)")
            started = time.perf_counter()
            bundle_path = train(TrainingSources(args.data, settings.seed_path, settings.hate_symbols_path),
                                work / "models", progress, cache_dir=cache).path
            training_seconds = time.perf_counter() - started
        bundle = load_bundle(bundle_path, cache_dir=cache)
        model, thresholds = bundle.model, bundle.thresholds

        def ours(texts: list[str]):
            return model.predict_proba(texts, cache=True)

        judge = Judge(ours, thresholds, peer.predict_prob)
        progress("(a) news comments")
        table += judge.news(args.data)
        progress("so far:\n" + _markdown(table))
        progress("(b) group mentions")
        table += judge.groups(args.data, corpus)
        progress("so far:\n" + _markdown(table))
        if not args.skip_loo:
            def fit(examples):  # the base encoder: the adapter saw every training set, so it cannot be left out
                loo_model, _ = fit_calibrated(examples, lexicon, cache_dir=cache, adapter={})
                return lambda texts: loo_model.predict_proba(texts, cache=True)

            table += leave_one_out(corpus, fit, peer.predict_prob, progress)
            progress("so far:\n" + _markdown(table))
        progress("(d) functional checks")
        table += judge.checks()
        progress("so far:\n" + _markdown(table))
        progress("(e) speed")
        table += speed_rows(bundle_path, args.data, peer, cache)
        progress("so far:\n" + _markdown(table))

    if training_seconds is not None:
        table.append(("(e) training", "train the default model on every dataset, cold cache, s (target ≤ 900)",
                      f"{training_seconds:.0f}", ""))
    table.append(("(e) size", "bundle, MB (target ≤ 50)", f"{(bundle_path / MODEL_FILE).stat().st_size / 1e6:.1f}", ""))
    if not args.skip_retrain:
        from bench.retrain import time_retraining

        progress("(e) retraining with 10,000 moderators' decisions")
        timing = time_retraining(args.data, 10_000, encoder_cache=cache)
        table.append(("(e) training", f"retrain on the datasets + {timing['decisions']:,} decisions, s (target ≤ 120)",
                      f"{timing['seconds']:.0f}", ""))

    print(_markdown(table))
    if args.markdown:
        args.markdown.write_text(_markdown(table) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
