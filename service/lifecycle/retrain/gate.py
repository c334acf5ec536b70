"""The evaluation gate: a candidate goes live only if it is at least as good as the active model.

The fixed evaluation set has one part per base dataset (its test split, which no model trained by
`train` or `retrain` ever fits on: the split is a stable hash of each row's group) and one part of
held-back moderator decisions (a stable hash of the comment id, see labels.held_back). Both models
are scored on the same rows, side by side:

- a dataset's figure is the mean ROC-AUC over the heads it labels with both classes (threshold-free,
  so it compares ranking quality, not the thresholds each model happened to choose);
- the moderators' figure is the balanced accuracy of "would it hold this comment" (at the thresholds
  in force for each model, configuration first) against "did a moderator reject it", because that is
  what a moderator experiences; its tie-breaker is the Brier score of the calibrated scores.

The candidate passes if no figure is lower than the active model's by more than the tolerance, and
its moderators' figure is better (higher agreement, or equal agreement and a lower Brier score).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import roc_auc_score

from classifier.corpus import labels_of
from classifier.datasets.examples import HEADS, Example
from service.lifecycle.retrain.labels import SOURCE

Scores = Callable[[list[str]], np.ndarray]
"""Texts -> (n, 2) calibrated scores in HEADS order."""


@dataclass(frozen=True)
class Verdict:
    """The gate's answer: whether the candidate passes, and the reason either way."""

    passed: bool
    reason: str


def evaluation_sets(base_test: list[Example], moderator_eval: list[Example]) -> dict[str, list[Example]]:
    """The fixed evaluation set, by part: each base source's test rows, and the moderators' held-back rows."""
    parts: dict[str, list[Example]] = defaultdict(list)
    for example in base_test:
        parts[example.source].append(example)
    parts[SOURCE] = list(moderator_eval)
    return dict(parts)


def _mean_roc_auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    values = []
    for column in range(len(HEADS)):
        known = ~np.isnan(labels[:, column])
        y = labels[known, column]
        if len(np.unique(y)) == 2:
            values.append(float(roc_auc_score(y, scores[known, column])))
    return round(float(np.mean(values)), 4) if values else None


def moderator_figures(labels: np.ndarray, scores: np.ndarray, hold: Mapping[str, float | None]) -> dict:
    """Agreement of "would hold" with "a moderator rejected" (balanced accuracy) and the Brier score."""
    rejected = np.nanmax(labels, axis=1) == 1
    holds = np.zeros(len(labels), dtype=bool)
    for column, head in enumerate(HEADS):
        if hold.get(head) is not None:
            holds |= scores[:, column] >= hold[head]
    recalls = [float(np.mean(holds[rejected] == rejected[rejected]))] if rejected.any() else []
    if (~rejected).any():
        recalls.append(float(np.mean(holds[~rejected] == rejected[~rejected])))
    known = ~np.isnan(labels)
    brier = float(np.mean((scores[known] - labels[known]) ** 2)) if known.any() else None
    return {
        "n": len(labels), "rejected": int(rejected.sum()),
        "agreement": round(float(np.mean(recalls)), 4) if recalls else None,
        "brier": round(brier, 4) if brier is not None else None,
    }


def figures(scores_of: Scores, parts: dict[str, list[Example]], hold: Mapping[str, float | None]) -> dict:
    """One model's figures on every part of the evaluation set."""
    result: dict[str, dict] = {}
    for name, examples in parts.items():
        if not examples:
            result[name] = {"n": 0}
            continue
        labels = labels_of(examples)
        scores = scores_of([e.text for e in examples])
        if name == SOURCE:
            result[name] = moderator_figures(labels, scores, hold)
        else:
            result[name] = {"n": len(examples), "roc_auc": _mean_roc_auc(labels, scores)}
    return result


def judge(candidate: dict, active: dict | None, tolerance: float) -> Verdict:
    """Apply the gate's rule to two sets of figures (see the module docstring)."""
    if active is None:
        return Verdict(True, "no active model to compare with")
    worse = []
    for name, mine in candidate.items():
        theirs = active.get(name, {})
        key = "agreement" if name == SOURCE else "roc_auc"
        if mine.get(key) is None or theirs.get(key) is None:
            continue
        if mine[key] < theirs[key] - tolerance:
            worse.append(f"{name} {key} {mine[key]:.4f} < {theirs[key]:.4f} - {tolerance}")
    if worse:
        return Verdict(False, "worse than the active model on " + "; ".join(worse))
    mine, theirs = candidate.get(SOURCE, {}), active.get(SOURCE, {})
    if not mine.get("n"):
        return Verdict(False, "no held-back moderator decisions to compare on, so it cannot be shown better")
    if mine["agreement"] > theirs["agreement"]:
        return Verdict(True, f"better on moderators' decisions (agreement {mine['agreement']:.4f} > "
                             f"{theirs['agreement']:.4f}) and not worse elsewhere beyond {tolerance}")
    if mine["agreement"] == theirs["agreement"] and mine["brier"] < theirs["brier"]:
        return Verdict(True, f"as good on moderators' decisions (agreement {mine['agreement']:.4f}) with a lower "
                             f"Brier score ({mine['brier']:.4f} < {theirs['brier']:.4f}), not worse elsewhere")
    return Verdict(False, f"not better on moderators' decisions (agreement {mine['agreement']:.4f} vs "
                          f"{theirs['agreement']:.4f}, Brier {mine['brier']:.4f} vs {theirs['brier']:.4f})")
