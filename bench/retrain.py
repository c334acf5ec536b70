"""Benchmark: retraining time, and how many moderator labels it takes to learn a new slang.

    OMP_NUM_THREADS=1 .venv/bin/python bench/retrain.py [--data DIR] [--decisions 10000]
        [--weights 1,3,10] [--counts 0,1,2,3,5,10,20] [--png docs/learning_curve.png] [--skip-timing]
        [--encoder-cache DIR]

1. Time: a SQLite registry with an active base model and ``--decisions`` moderator decisions, then
   one full `retrain` (read the decisions, load every dataset, fit, calibrate, test, save, evaluate
   candidate and active side by side, record the verdict), timed end to end. Target: ≤ 2 minutes.
2. Learning curve: a made-up insult ("blorvak") the base model misses. For each moderator weight and
   each n, train on the base training split plus n moderator rejections of comments using it (and n
   approvals of the same sentences with a compliment instead, as a queue would hold), then measure on
   sentences no moderator saw: the share of new slang comments held (at the model's own thresholds),
   the share of their benign twins held, and the mean ROC-AUC over the base test splits. The PNG plots
   the held share against n, one line per weight.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classifier.corpus import load_corpus, split
from classifier.datasets.examples import Example
from classifier.lexicon import build_lexicon
from classifier.training import TrainingSources, fit_calibrated, scores_of, train
from service.config import load_settings
from service.lifecycle.retrain import gate

SLANG = "blorvak"
SUBJECTS = ("mayor", "referee", "coach", "minister", "landlord", "editor", "councillor", "striker", "judge",
            "presenter")
PRAISE = ("professional", "gentleman", "veteran", "expert", "delight", "natural", "legend", "pro")
SEEN = ("The new {s} is a total {w}.", "The {s} was a complete {w} today.", "That {s} is the biggest {w} in town.",
        "Turns out the {s} is a {w} after all.", "The {s} acted like a {w} at the press conference.",
        "The {s} is a {w} and the article should say so.", "Our {s} behaved like a {w} again.",
        "Only the {s} could be such a {w} about parking.", "The {s} is a {w}, read the second paragraph.",
        "Saw the {s} on the news, what a {w}.", "The {s} has always been a {w}.", "Funny how the {s} is a {w}.")
FRESH = ("Classic {w} move from the {s} again.", "The new manager is such a {w}, wow.",
         "Watching that {w} on TV last night was painful.", "Yet another {w} in charge of the budget.",
         "Spotted the {s} at the market, what a {w}.", "The interview showed the {s} is a {w}.",
         "Not sure why anyone listens to that {w}.", "The {s} answered like a true {w}.",
         "Well, the {s} proved to be a {w} once more.", "Someone tell the {s} to stop being a {w}.")


def sentences(templates: tuple[str, ...], word: str | None, rng: random.Random, n: int) -> list[str]:
    """``n`` sentences from ``templates`` × subjects with the slang (or a compliment when ``word`` is None)."""
    pool = [(t, s) for t in templates for s in SUBJECTS]
    rng.shuffle(pool)
    pool = (pool * (n // len(pool) + 1))[:n]
    return [t.format(s=s, w=word or rng.choice(PRAISE)) for t, s in pool]


def _moderator_rows(texts: list[str], label: int) -> list[Example]:
    return [Example.labelled(text, "moderators", f"moderators:bench:{label}:{i}", hostility=label, slur=0)
            for i, text in enumerate(texts)]


def held_share(model, thresholds: dict[str, float], texts: list[str]) -> float:
    """Share of ``texts`` at or over either threshold."""
    scores = scores_of(model, texts)
    return float(np.mean((scores[:, 0] >= thresholds["hostility"]) | (scores[:, 1] >= thresholds["slur"])))


def learning_curve(data: Path, weights: list[float], counts: list[int]) -> list[dict]:
    """One row per (weight, n): held share of new slang comments, of their benign twins, base ROC-AUC."""
    settings = load_settings({})
    corpus = load_corpus(data, settings.seed_path)
    lexicon, _ = build_lexicon(data, settings.hate_symbols_path)
    train_rows, test_rows = split(corpus.examples)
    base_training = [corpus.examples[i] for i in train_rows]
    parts = gate.evaluation_sets([corpus.examples[i] for i in test_rows], [])
    parts.pop("moderators")
    rng = random.Random(5)
    fresh_slang = sentences(FRESH, SLANG, rng, 300)
    fresh_benign = sentences(FRESH, None, rng, 300)
    rows = []
    for weight in weights:
        for n in counts:
            if n == 0 and rows and rows[0]["n"] == 0:
                rows.append({**rows[0], "weight": weight})  # no moderator rows: the weight changes nothing
                continue
            local = random.Random(n)
            extra = (_moderator_rows(sentences(SEEN, SLANG, local, n), 1)
                     + _moderator_rows(sentences(SEEN, None, local, n), 0))
            started = time.perf_counter()
            model, thresholds = fit_calibrated(base_training + extra, lexicon, multipliers={"moderators": weight},
                                               cache_dir=settings.encoder_cache_dir)
            figures = gate.figures(lambda texts, m=model: scores_of(m, texts), parts, {})
            aucs = [f["roc_auc"] for f in figures.values() if f.get("roc_auc") is not None]
            row = {"weight": weight, "n": n, "slang_held": round(held_share(model, thresholds, fresh_slang), 3),
                   "benign_held": round(held_share(model, thresholds, fresh_benign), 3),
                   "base_roc_auc": round(float(np.mean(aucs)), 4), "fit_seconds": round(time.perf_counter() - started)}
            rows.append(row)
            print(row, flush=True)
    return rows


def plot(rows: list[dict], path: Path) -> None:
    """The learning curve: held share of new slang comments against the number of moderator labels."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(7, 4.2))
    for weight in sorted({row["weight"] for row in rows}):
        mine = [row for row in rows if row["weight"] == weight]
        axis.plot([r["n"] for r in mine], [100 * r["slang_held"] for r in mine], marker="o",
                  label=f"slang held, moderator weight {weight:g}")
        axis.plot([r["n"] for r in mine], [100 * r["benign_held"] for r in mine], linestyle=":", marker=".",
                  label=f"benign twins held, weight {weight:g}")
    axis.axhline(90, color="grey", linewidth=0.8)
    axis.set_xlabel("moderator rejections of comments using the new slang (plus as many approvals)")
    axis.set_ylabel("% of new comments held")
    axis.set_ylim(-2, 102)
    axis.set_title(f"Learning a new slang ('{SLANG}') from moderators' decisions")
    axis.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def time_retraining(data: Path, decisions: int, encoder_cache: Path | None = None) -> dict:
    """One full retraining with ``decisions`` moderator decisions in the database, timed end to end.

    ``encoder_cache``: an encoder cache that already holds the datasets' vectors (as a site's would after
    its first training); without one the base model's training here encodes them first.
    """
    from service.infra.db import make_engine, make_sessions, upgrade
    from service.lifecycle.active_model import register_bundle
    from service.lifecycle.retrain.labels import label_values
    from service.lifecycle.retrain.pipeline import retrain

    folder = Path(tempfile.mkdtemp(prefix="bench-retrain-"))
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    settings = load_settings({"DATABASE_URL": url, "MODERATION_VAR_DIR": str(folder),
                              "MODERATION_DATASETS_DIR": str(data),
                              "MODERATION_ENCODER_CACHE": str(encoder_cache) if encoder_cache else None})
    upgrade(url)
    engine = make_engine(url)
    sessions = make_sessions(engine)
    print("training the base model …", flush=True)
    base = train(TrainingSources(data, settings.seed_path, settings.hate_symbols_path), settings.models_dir,
                 cache_dir=settings.encoder_cache_dir).path
    rng = random.Random(3)
    corpus = load_corpus(data, None)
    # Sampled from the training side of the base split only, so no evaluation row is also a moderator label.
    train_rows, _ = split(corpus.examples)
    sampled = rng.sample([corpus.examples[i] for i in train_rows], decisions - decisions // 5)
    rows = [(e.text, "reject" if (e.label("hostility") or e.label("slur")) else "approve",
             ["slur"] if e.label("slur") else (["hostility"] if e.label("hostility") else [])) for e in sampled]
    rows += [(text, "reject", ["hostility"]) for text in sentences(SEEN, SLANG, rng, decisions // 10)]
    rows += [(text, "approve", []) for text in sentences(SEEN, None, rng, decisions - len(rows))]
    with sessions() as session:
        register_bundle(session, base, activate=True)
        from sqlalchemy import insert

        from service.infra.models import Comment, Decision, Moderator, utcnow

        session.execute(insert(Moderator).values(id=1, name="bench", token_hash="x", role="admin", active=True,
                                                 created_at=utcnow()))
        now = utcnow()
        session.execute(insert(Comment), [
            {"id": i + 1, "article_id": "bench", "author_id": f"a{i}", "author_name": "Reader", "text": text,
             "status": "approved" if action == "approve" else "rejected", "created_at": now, "report_count": 0,
             "revision": 2, "hold_reasons": ["report"]} for i, (text, action, _) in enumerate(rows)])
        session.execute(insert(Decision), [
            {"comment_id": i + 1, "moderator_id": 1, "actor": "bench", "action": action, "labels": labels,
             "reason": "", "created_at": now} for i, (_, action, labels) in enumerate(rows)])
        session.commit()
    assert all(label_values(action, labels) for _, action, labels in rows)
    print(f"retraining with {len(rows):,} moderator decisions …", flush=True)
    started = time.perf_counter()
    outcome = retrain(sessions, settings, actor="bench", progress=lambda stage: print(
        f"  {time.perf_counter() - started:6.1f} s  {stage}", flush=True))
    seconds = time.perf_counter() - started
    engine.dispose()
    return {"decisions": len(rows), "seconds": round(seconds, 1), "outcome": outcome.outcome,
            "reason": outcome.reason, "moderator_labels_trained": outcome.moderator_labels}


def main() -> int:
    """Run both measurements and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=load_settings({}).datasets_dir)
    parser.add_argument("--decisions", type=int, default=10_000)
    parser.add_argument("--weights", default="1,3,10")
    parser.add_argument("--counts", default="0,1,2,3,5,10,20")
    parser.add_argument("--png", type=Path, default=Path(__file__).resolve().parents[1] / "docs" / "learning_curve.png")
    parser.add_argument("--skip-timing", action="store_true")
    parser.add_argument("--skip-curve", action="store_true")
    parser.add_argument("--encoder-cache", type=Path, default=None,
                        help="an encoder cache to reuse (vectors of texts seen before), as a site's after its first "
                             "training; default: a fresh one, filled by the base model's training")
    args = parser.parse_args()
    if not args.skip_timing:
        timing = time_retraining(args.data, args.decisions, args.encoder_cache)
        print(f"RETRAIN {timing}", flush=True)
    if not args.skip_curve:
        rows = learning_curve(args.data, [float(w) for w in args.weights.split(",")],
                              [int(n) for n in args.counts.split(",")])
        plot(rows, args.png)
        print("\n| weight | slang labels | new slang held | benign twins held | base ROC-AUC (mean) |")
        print("|---:|---:|---:|---:|---:|")
        for row in rows:
            print(f"| {row['weight']:g} | {row['n']} | {100 * row['slang_held']:.0f}% | "
                  f"{100 * row['benign_held']:.0f}% | {row['base_roc_auc']:.4f} |")
        print(f"wrote {args.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
