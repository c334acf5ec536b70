"""One retraining: base datasets plus moderators' labels → candidate bundle → gate → active or rejected.

Runs wherever it is called from (the worker's task, or `moderation retrain --inline`); the database
is touched in short sessions (read the labels; register the candidate; record the verdict), never
held open across the minute of training.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from classifier.bundle import PLOT_FILE, BundleError, load_bundle, new_version, save_bundle
from classifier.corpus import labels_of, load_corpus, split
from classifier.datasets.examples import Example
from classifier.evaluation import evaluate
from classifier.lexicon import build_lexicon
from classifier.report_plot import plot_report
from classifier.training import fit_calibrated, scores_of
from service.config import Settings
from service.infra.models import ModelVersion
from service.lifecycle import registry
from service.lifecycle.policy import policy_for
from service.lifecycle.registry import active_version
from service.lifecycle.retrain import gate
from service.lifecycle.retrain.labels import SOURCE, moderator_labels, newest_decision_id, split_labels

STEPS = 8
"""Progress calls one retraining makes (for a progress bar's total)."""

Progress = Callable[[str], None]
Transform = Callable[[list[Example]], list[Example]]


def _quiet(_: str) -> None:
    pass


@dataclass(frozen=True)
class Outcome:
    """What a retraining produced: the candidate, whether it went live, and why."""

    version: str
    outcome: str
    """activated, forced or rejected."""
    reason: str
    moderator_labels: int
    evaluation: dict
    seconds: float
    threshold_changes: tuple[str, ...] = ()
    """What going live did to the hold thresholds in force ("hostility hold threshold 0.603 → 0.572"); empty
    when the candidate was rejected."""

    def summary(self) -> str:
        """The outcome in words, one line for the verdict and one per hold threshold it changed or kept."""
        return "\n".join((f"{self.version} {self.outcome}: {self.reason}", *self.threshold_changes))


def _unique_version(sessions: sessionmaker[Session], models_dir: Path) -> str:
    # Versions have one-second resolution; two retrainings in one second must not collide.
    base = new_version()
    with sessions() as session:
        for suffix in ["", *(f"-{n}" for n in range(1, 100))]:
            candidate = base + suffix
            if not (models_dir / candidate).exists() and session.get(ModelVersion, candidate) is None:
                return candidate
    raise RuntimeError(f"no free version name for {base}")


def retrain(sessions: sessionmaker[Session], settings: Settings, *, actor: str, force: bool = False,
            progress: Progress = _quiet, transform: Transform | None = None) -> Outcome:
    """Train a candidate on the base datasets plus moderators' labels, judge it, and activate or reject it.

    ``transform`` rewrites the training rows before fitting (experiments and the sabotage test; never
    the evaluation rows). ``force`` activates even a candidate the gate refuses, and says so in the
    registry's audit log. Raises ValueError when there is nothing to train on.
    """
    started = time.perf_counter()
    progress("reading moderators' decisions")
    with sessions() as session:
        newest = newest_decision_id(session)
        labels = moderator_labels(session, newest)
    training_labels, evaluation_labels = split_labels(labels, settings.evaluation_share)

    progress("loading datasets")
    corpus = load_corpus(settings.datasets_dir, settings.seed_path)
    if not corpus.examples and not training_labels:
        raise ValueError("no training data: neither datasets, the seed set nor moderators' decisions were found")
    lexicon, lexicons_used = build_lexicon(settings.datasets_dir, settings.hate_symbols_path)
    train_rows, test_rows = split(corpus.examples) if corpus.examples else ([], [])
    training = [corpus.examples[i] for i in train_rows] + [label.example() for label in training_labels]
    testing = [corpus.examples[i] for i in test_rows]
    if transform is not None:
        training = transform(training)

    model, thresholds = fit_calibrated(training, lexicon, progress, multipliers={SOURCE: settings.moderator_weight},
                                       cache_dir=settings.encoder_cache_dir)
    progress(f"testing on {len(testing):,} held-out rows")
    report: dict = {"thresholds": thresholds}
    if testing:
        test_scores = scores_of(model, [e.text for e in testing])
        report["test"] = evaluate(labels_of(testing), test_scores, [e.source for e in testing], thresholds)
    version = _unique_version(sessions, settings.models_dir)
    training_data = {
        "datasets": corpus.found, "missing_datasets": corpus.missing,
        "seed_rows": sum(1 for e in training if e.source == "seed"),
        "moderator_labels": len(training_labels), "moderator_labels_held_back": len(evaluation_labels),
        "newest_decision_id": newest, "moderator_weight": settings.moderator_weight,
        "evaluation_share": settings.evaluation_share, "transformed": transform is not None,
    }
    metadata = {
        "version": version, "created": datetime.now(UTC).isoformat(timespec="seconds"), "demo": corpus.is_demo,
        "datasets": corpus.found, "missing_datasets": corpus.missing, "seed_rows": training_data["seed_rows"],
        "lexicons": lexicons_used, "rows": {"train": len(training), "test": len(testing)},
        "thresholds": thresholds, "training_data": training_data,
        "metrics": {head: {key: report["test"][head].get(key) for key in ("roc_auc", "pr_auc", "f1", "brier")}
                    for head in thresholds} if testing else {},
        "encoder": model.encoder, "params": model.params,
    }
    progress("saving the candidate bundle")
    path = save_bundle(model, metadata, settings.models_dir, report)
    if testing:
        plot_report(labels_of(testing), test_scores, thresholds, path / PLOT_FILE)
    with sessions() as session:
        registry.add_version(session, path, created_by=actor, training_data=training_data,
                             moderator_labels=len(training_labels), newest_decision_id=newest)
        session.commit()

    progress("evaluating candidate and active model side by side")
    parts = gate.evaluation_sets(testing, [label.example() for label in evaluation_labels])
    hold_after = policy_for(settings, thresholds).hold
    mine = gate.figures(lambda texts: scores_of(model, texts), parts, hold_after)
    with sessions() as session:
        current = active_version(session)
        theirs, current_name, hold_before = None, None, None
        if current is not None:
            current_name = current.version
            try:
                active_bundle = load_bundle(Path(current.path), expected_sha256=current.sha256,
                                            cache_dir=settings.encoder_cache_dir)
            except BundleError as error:
                # Never judge against nothing (that would wave the candidate through): refuse it, say why.
                candidate = registry.get_version(session, version)
                registry.reject(session, candidate, f"the active model {current.version} cannot be loaded to "
                                                    f"compare with: {error}", actor)
                session.commit()
                raise
            hold_before = policy_for(settings, current.thresholds).hold
            theirs = gate.figures(lambda texts: scores_of(active_bundle.model, texts), parts, hold_before)
    verdict = gate.judge(mine, theirs, settings.gate_tolerance, settings.gate_min_decisions)
    changes = gate.threshold_changes(hold_before, hold_after)

    progress("recording the verdict")
    evaluation = {"candidate": mine, "active": theirs, "compared_with": current_name,
                  "tolerance": settings.gate_tolerance, "min_decisions": settings.gate_min_decisions,
                  "moderators_counted": gate.moderators_counted(mine, settings.gate_min_decisions),
                  "passed": verdict.passed, "reason": verdict.reason, "hold_before": hold_before,
                  "hold_after": hold_after}
    with sessions() as session:
        candidate = registry.get_version(session, version)
        candidate.evaluation = evaluation
        moved = "; ".join(changes)
        if verdict.passed:
            registry.activate(session, candidate, actor,
                              detail=f"passed the evaluation gate: {verdict.reason}; {moved}")
            outcome = "activated"
        elif force:
            registry.activate(session, candidate, actor, action="force",
                              detail=f"FORCED past the evaluation gate, which refused it: {verdict.reason}; {moved}")
            outcome = "forced"
        else:
            registry.reject(session, candidate, verdict.reason, actor)
            outcome, changes = "rejected", []
        session.commit()
    return Outcome(version, outcome, verdict.reason, len(training_labels), evaluation,
                   round(time.perf_counter() - started, 1), tuple(changes))
