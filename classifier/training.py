"""Train, calibrate, evaluate and save a model from whatever datasets are present."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from classifier.bundle import PLOT_FILE, new_version, save_bundle
from classifier.corpus import MODERATOR_SOURCE, Corpus, balanced_weights, labels_of, load_corpus, split
from classifier.datasets.catalogue import sha256_file
from classifier.datasets.examples import Example
from classifier.datasets.loaders import load_labelled_csv
from classifier.evaluation import choose_thresholds, evaluate
from classifier.lexicon import build_lexicon
from classifier.model import CommentClassifier
from classifier.report_plot import plot_report

CALIBRATION_SHARE = 0.1
"""Share of the training rows held back to calibrate scores and choose thresholds."""

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass(frozen=True)
class TrainingSources:
    """Where training reads from; any of them may be absent."""

    datasets_dir: Path | None
    seed_path: Path | None
    hate_symbols_path: Path | None
    labelled: tuple[Path, ...] = ()
    """Labelled CSVs (text,hostility,slur), e.g. from `moderation labels export`: moderators' labels."""


@dataclass(frozen=True)
class TrainResult:
    """A saved bundle and what went into it."""

    path: Path
    metadata: dict
    report: dict


def fit_classifier(
    examples: list[Example], lexicon: dict[str, list[str]], C: float = CommentClassifier().C,
    multipliers: Mapping[str, float] | None = None,
) -> CommentClassifier:
    """Fit (uncalibrated) on ``examples`` with source-balanced weights (``multipliers``: see balanced_weights)."""
    texts = [e.text for e in examples]
    weights = balanced_weights(examples, multipliers)
    return CommentClassifier(C=C, lexicon=lexicon).fit(texts, labels_of(examples), weights)


def fit_calibrated(
    examples: list[Example], lexicon: dict[str, list[str]], progress: Progress = _quiet,
    multipliers: Mapping[str, float] | None = None,
) -> tuple[CommentClassifier, dict[str, float]]:
    """Fit on most of ``examples``, calibrate and choose thresholds on a grouped held-back share."""
    fit_rows, calibration_rows = split(examples, test_share=CALIBRATION_SHARE, seed=7)
    fitting = [examples[i] for i in fit_rows]
    calibrating = [examples[i] for i in calibration_rows]
    progress(f"fitting on {len(fitting):,} rows")
    model = fit_classifier(fitting, lexicon, multipliers=multipliers)
    progress(f"calibrating on {len(calibrating):,} held-back rows")
    labels, weights = labels_of(calibrating), balanced_weights(calibrating, multipliers)
    texts = [e.text for e in calibrating]
    model.calibrate(texts, labels, weights)
    thresholds = choose_thresholds(labels, model.predict_proba(texts), weights)
    return model, thresholds


def train(sources: TrainingSources, models_dir: Path, progress: Progress = _quiet) -> TrainResult:
    """Load data, split off a test set, fit, calibrate, evaluate, and save a bundle with its report."""
    started = time.perf_counter()
    progress("loading datasets")
    corpus: Corpus = load_corpus(sources.datasets_dir, sources.seed_path)
    for path in sources.labelled:
        corpus.examples.extend(load_labelled_csv(path, MODERATOR_SOURCE))
    if not corpus.examples:
        raise ValueError("no training data: neither datasets nor the seed set were found")
    lexicon, lexicons_used = build_lexicon(sources.datasets_dir, sources.hate_symbols_path)
    train_rows, test_rows = split(corpus.examples)
    training = [corpus.examples[i] for i in train_rows]
    testing = [corpus.examples[i] for i in test_rows]
    model, thresholds = fit_calibrated(training, lexicon, progress)
    progress(f"evaluating on {len(testing):,} held-out rows")
    test_labels = labels_of(testing)
    test_scores = model.predict_proba([e.text for e in testing])
    report = {
        "split": "grouped, stratified by source and labels; 20% test, never trained on",
        "thresholds": thresholds,
        "threshold_rule": "per head, the best F1 on a held-back calibration share of the training rows",
        "test": evaluate(test_labels, test_scores, [e.source for e in testing], thresholds),
    }
    version = new_version()
    metadata = {
        "version": version,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "demo": corpus.is_demo,
        "datasets": corpus.found,
        "missing_datasets": corpus.missing,
        "seed_rows": sum(1 for e in corpus.examples if e.source == "seed"),
        "labelled": {str(path): sha256_file(path) for path in sources.labelled},
        "moderator_labels": sum(1 for e in corpus.examples if e.source == MODERATOR_SOURCE),
        "lexicons": lexicons_used,
        "rows": {"train": len(training), "test": len(testing)},
        "thresholds": thresholds,
        "metrics": {
            head: {key: report["test"][head].get(key) for key in ("roc_auc", "pr_auc", "f1", "brier")}
            for head in thresholds
        },
        "params": {"C": model.C, "n_features": model.n_features},
        "training_seconds": round(time.perf_counter() - started, 1),
    }
    progress("saving bundle")
    path = save_bundle(model, metadata, models_dir, report)
    plot_report(test_labels, test_scores, thresholds, path / PLOT_FILE)
    return TrainResult(path=path, metadata=metadata, report=report)


def scores_of(model: CommentClassifier, texts: list[str]) -> np.ndarray:
    """Calibrated scores in batches, so memory stays flat on large inputs."""
    batch = 4096
    parts = [model.predict_proba(texts[i : i + batch]) for i in range(0, len(texts), batch)]
    return np.vstack(parts) if parts else np.zeros((0, 2))
