"""One retraining: base datasets plus moderators' labels → candidate bundle → gate → active or rejected.

Runs wherever it is called from (the worker's task, or `moderation retrain --inline`); the database
is touched in short sessions (read the labels; register the candidate; record the verdict), never
held open across the minute of training.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from classifier import (
    HEADS,
    Bundle,
    BundleError,
    Example,
    Model,
    TrainingSources,
    load_bundle,
    new_version,
    read_metadata,
    scores_of,
    train_candidate,
)
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


class _KnownScores:
    """A model's scores, taken from those already computed for its test rows where the text is one of them.

    The gate scores the candidate on the datasets' test rows that training has just scored for its
    report; the same model on the same text gives the same scores, so they are not computed twice.
    """

    def __init__(self, model: Model, texts: list[Example], scores: np.ndarray) -> None:
        self.model = model
        self.known = {example.text: row for example, row in zip(texts, scores, strict=True)}

    def __call__(self, texts: list[str]) -> np.ndarray:
        missing = [text for text in dict.fromkeys(texts) if text not in self.known]
        if missing:
            self.known.update(zip(missing, scores_of(self.model, missing), strict=True))
        return np.array([self.known[text] for text in texts], dtype=np.float64).reshape(len(texts), len(HEADS))


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

    training_data = {
        "moderator_labels": len(training_labels), "moderator_labels_held_back": len(evaluation_labels),
        "newest_decision_id": newest, "moderator_weight": settings.moderator_weight,
        "evaluation_share": settings.evaluation_share, "transformed": transform is not None,
    }
    sources = TrainingSources(settings.datasets_dir, settings.seed_path, settings.hate_symbols_path)
    candidate = train_candidate(
        sources, settings.models_dir, extra_rows=[label.example() for label in training_labels],
        multipliers={SOURCE: settings.moderator_weight}, transform=transform, training_data=training_data,
        name_version=lambda: _unique_version(sessions, settings.models_dir), progress=progress,
        cache_dir=settings.encoder_cache_dir)
    model, testing, path = candidate.model, candidate.testing, candidate.result.path
    metadata = candidate.result.metadata
    version, thresholds = metadata["version"], metadata["thresholds"]
    # The registry's record of what went in, as before: the datasets and seed rows with the retraining's own.
    training_data = {"datasets": metadata["datasets"], "missing_datasets": metadata["missing_datasets"],
                     "seed_rows": metadata["seed_rows"], **training_data}
    with sessions() as session:
        # The model is in memory and its file was written a moment ago: register it without loading it again.
        registry.add_version(session, path, created_by=actor, training_data=training_data,
                             moderator_labels=len(training_labels), newest_decision_id=newest,
                             bundle=Bundle(model, read_metadata(path), path))
        session.commit()

    progress("evaluating candidate and active model side by side")
    parts = gate.evaluation_sets(testing, [label.example() for label in evaluation_labels])
    hold_after = policy_for(settings, thresholds).hold
    mine = gate.figures(_KnownScores(model, testing, candidate.test_scores), parts, hold_after)
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
