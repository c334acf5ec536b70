"""Train, calibrate, evaluate and save a model from whatever datasets are present."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from classifier.bundle import ENCODER_CACHE, PLOT_FILE, new_version, save_bundle
from classifier.corpus import (
    MODERATOR_SOURCE,
    Corpus,
    balanced_weights,
    labels_of,
    load_corpus,
    sample_per_source,
    split,
)
from classifier.datasets.catalogue import sha256_file
from classifier.datasets.examples import Example
from classifier.datasets.loaders import load_labelled_csv
from classifier.debias import balance_groups, group_membership_matrix
from classifier.encoder.adapter import committed_adapter
from classifier.ensemble import EnsembleClassifier
from classifier.evaluation import THRESHOLD_RULE, evaluate, group_report, hold_thresholds
from classifier.heads import HEADS
from classifier.lexicon import build_lexicon
from classifier.model import CommentClassifier
from classifier.report_plot import plot_report

CALIBRATION_SHARE = 0.1
"""Share of the training rows held back to calibrate scores and choose thresholds."""
ENCODER_THREADS = 2
"""Texts encoded at once while training (the CI-class machine has two cores)."""

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
    rows_per_source: int | None = None
    """Train on at most this many rows of each dataset (a quicker, weaker model); None: all of them."""


@dataclass(frozen=True)
class TrainResult:
    """A saved bundle and what went into it."""

    path: Path
    metadata: dict
    report: dict


def training_weights(
    examples: list[Example], labels: np.ndarray | None = None, multipliers: Mapping[str, float] | None = None,
) -> np.ndarray:
    """Per-row, per-head weights: source-balanced (`corpus.balanced_weights`), then debiased so that
    naming a group predicts nothing (`debias.balance_groups`)."""
    labels = labels_of(examples) if labels is None else labels
    membership = group_membership_matrix([e.text for e in examples])
    return balance_groups(balanced_weights(examples, multipliers), labels, membership)


def fitting_split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """The rows the default model fits on and the ones it calibrates on, from a whole corpus.

    The grouped test split (`corpus.split`) comes off first and is never seen; of the rest,
    CALIBRATION_SHARE is held back to calibrate scores and choose thresholds.
    """
    train_rows, _ = split(examples)
    training = [examples[i] for i in train_rows]
    fit_rows, calibration_rows = split(training, test_share=CALIBRATION_SHARE, seed=7)
    return [training[i] for i in fit_rows], [training[i] for i in calibration_rows]


def fit_classifier(
    examples: list[Example], lexicon: dict[str, list[str]], multipliers: Mapping[str, float] | None = None,
    cache_dir: Path | None = None, adapter: Mapping[str, np.ndarray] | None = None,
) -> EnsembleClassifier:
    """Fit (not yet stacked) on ``examples`` with the training weights (``multipliers``: see balanced_weights).

    ``adapter`` defaults to the committed one; ``cache_dir`` is where the encoder graph and the vectors
    of texts already seen are kept (see `EnsembleClassifier.use_cache_dir`).
    """
    labels = labels_of(examples)
    model = EnsembleClassifier(lexicon=lexicon, adapter=committed_adapter() if adapter is None else dict(adapter))
    if cache_dir is not None:
        model.use_cache_dir(cache_dir, threads=ENCODER_THREADS)
    return model.fit([e.text for e in examples], labels, training_weights(examples, labels, multipliers))


def fit_calibrated(
    examples: list[Example], lexicon: dict[str, list[str]], progress: Progress = _quiet,
    multipliers: Mapping[str, float] | None = None, cache_dir: Path | None = None,
    adapter: Mapping[str, np.ndarray] | None = None,
) -> tuple[EnsembleClassifier, dict[str, float]]:
    """Fit on most of ``examples``; stack, calibrate and choose thresholds on a grouped held-back share."""
    fit_rows, calibration_rows = split(examples, test_share=CALIBRATION_SHARE, seed=7)
    fitting = [examples[i] for i in fit_rows]
    calibrating = [examples[i] for i in calibration_rows]
    progress(f"fitting on {len(fitting):,} rows")
    model = fit_classifier(fitting, lexicon, multipliers, cache_dir, adapter)
    progress(f"calibrating on {len(calibrating):,} held-back rows")
    labels = labels_of(calibrating)
    texts = [e.text for e in calibrating]
    model.calibrate(texts, labels, training_weights(calibrating, labels, multipliers))
    thresholds = hold_thresholds(labels, model.predict_proba(texts, cache=True), [e.source for e in calibrating])
    model.save_vectors()
    return model, thresholds


Transform = Callable[[list[Example]], list[Example]]
"""Rewrites the training rows before fitting (experiments and the sabotage test; never the test rows)."""


@dataclass(frozen=True)
class Candidate:
    """A trained, saved bundle with what judging it needs: the model, its test rows and their scores."""

    result: TrainResult
    model: EnsembleClassifier
    testing: list[Example]
    test_scores: np.ndarray
    """Calibrated scores of ``testing`` (rows in order): computed once, for the report and the gate."""


def train_candidate(
    sources: TrainingSources, models_dir: Path, *, extra_rows: Sequence[Example] = (),
    multipliers: Mapping[str, float] | None = None, transform: Transform | None = None,
    training_data: Mapping[str, object] | None = None, name_version: Callable[[], str] = new_version,
    progress: Progress = _quiet, cache_dir: Path | None = None,
) -> Candidate:
    """The one training path (``moderation train`` and retraining): load, split, fit, calibrate, test, save.

    ``sources.labelled`` CSVs join the corpus before the split (their rows can land in the test split);
    ``extra_rows`` (moderators' decisions, already split by the caller) join the training rows only.
    ``multipliers`` scale sources' weights (`corpus.balanced_weights`); ``training_data`` is recorded in
    the metadata as given; ``name_version`` names the bundle just before it is saved. Raises ValueError
    when there is nothing to train on.
    """
    started = time.perf_counter()
    progress("loading datasets")
    corpus: Corpus = load_corpus(sources.datasets_dir, sources.seed_path)
    if sources.rows_per_source is not None:
        corpus.examples = sample_per_source(corpus.examples, sources.rows_per_source)
    for path in sources.labelled:
        corpus.examples.extend(load_labelled_csv(path, MODERATOR_SOURCE))
    if not corpus.examples and not extra_rows:
        raise ValueError("no training data: neither datasets, the seed set nor moderators' labels were found")
    lexicon, lexicons_used = build_lexicon(sources.datasets_dir, sources.hate_symbols_path)
    train_rows, test_rows = split(corpus.examples) if corpus.examples else ([], [])
    training = [corpus.examples[i] for i in train_rows] + list(extra_rows)
    testing = [corpus.examples[i] for i in test_rows]
    if transform is not None:
        training = transform(training)
    model, thresholds = fit_calibrated(training, lexicon, progress, multipliers,
                                       cache_dir or models_dir / ENCODER_CACHE)
    progress(f"evaluating on {len(testing):,} held-out rows")
    test_labels = labels_of(testing)
    test_scores = scores_of(model, [e.text for e in testing])
    tested = bool(testing)
    report = {
        "split": "grouped, stratified by source and labels; 20% test, never trained on",
        "thresholds": thresholds,
        "threshold_rule": THRESHOLD_RULE,
        "test": evaluate(test_labels, test_scores, [e.source for e in testing], thresholds) if tested else {},
        "groups": group_report(testing, test_labels, test_scores, thresholds) if tested else {},
    }
    every_row = [*corpus.examples, *extra_rows]
    metadata = {
        "version": name_version(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "demo": corpus.is_demo,
        "datasets": corpus.found,
        "missing_datasets": corpus.missing,
        "seed_rows": sum(1 for e in corpus.examples if e.source == "seed"),
        "labelled": {str(path): sha256_file(path) for path in sources.labelled},
        "moderator_labels": sum(1 for e in every_row if e.source == MODERATOR_SOURCE),
        "lexicons": lexicons_used,
        "rows": {"train": len(training), "test": len(testing)},
        "rows_per_source": sources.rows_per_source,
        "thresholds": thresholds,
        "metrics": {
            head: {key: report["test"][head].get(key) for key in ("roc_auc", "pr_auc", "f1", "brier")}
            for head in thresholds
        } if tested else {},
        "training_data": dict(training_data or {}),
        "dropped_rows": corpus.dropped,
        "encoder": model.encoder,
        "params": model.params,
        "training_seconds": round(time.perf_counter() - started, 1),
    }
    progress("saving bundle")
    path = save_bundle(model, metadata, models_dir, report)
    if tested:
        plot_report(test_labels, test_scores, thresholds, path / PLOT_FILE)
    return Candidate(TrainResult(path=path, metadata=metadata, report=report), model, testing, test_scores)


def train(sources: TrainingSources, models_dir: Path, progress: Progress = _quiet,
          cache_dir: Path | None = None) -> TrainResult:
    """Load data, split off a test set, fit, calibrate, evaluate, and save a bundle with its report.

    ``cache_dir``: the encoder's graph and cached vectors (default: the models directory's ENCODER_CACHE).
    """
    return train_candidate(sources, models_dir, progress=progress, cache_dir=cache_dir).result


def scores_of(model: EnsembleClassifier | CommentClassifier, texts: list[str]) -> np.ndarray:
    """Calibrated scores of a dataset's texts in batches, so memory stays flat on large inputs."""
    batch = 4096
    cache = {"cache": True} if isinstance(model, EnsembleClassifier) else {}  # texts it will see again
    parts = [model.predict_proba(texts[i : i + batch], **cache) for i in range(0, len(texts), batch)]
    return np.vstack(parts) if parts else np.zeros((0, len(HEADS)))
