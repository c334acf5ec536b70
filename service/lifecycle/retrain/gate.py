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

The moderators' figure counts only with at least ``min_decisions`` held-back decisions
(MODERATION_GATE_MIN_DECISIONS). On a small site a handful of them makes agreement a coin flip ("0.5000
vs 0.5000" on two comments), so below the minimum the verdict says so and the candidate is judged on the
datasets' figures alone: it passes if it is not worse on any of them beyond the tolerance. With no
figure at all to compare on, it is refused.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import roc_auc_score

from classifier import HEADS, Example, labels_of
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


def moderators_counted(candidate: Mapping[str, dict], min_decisions: int) -> bool:
    """Whether the held-back moderators' decisions are enough (at least ``min_decisions``) to judge on."""
    return candidate.get(SOURCE, {}).get("n", 0) >= min_decisions


def _dataset_comparisons(candidate: Mapping[str, dict], active: Mapping[str, dict]) -> list[str]:
    """The datasets on which both models have a figure (the parts a verdict without moderators rests on)."""
    return [name for name, mine in candidate.items() if name != SOURCE
            and mine.get("roc_auc") is not None and active.get(name, {}).get("roc_auc") is not None]


def judge(candidate: dict, active: dict | None, tolerance: float, min_decisions: int = 0) -> Verdict:
    """Apply the gate's rule to two sets of figures (see the module docstring)."""
    if active is None:
        return Verdict(True, "no active model to compare with")
    counted = moderators_counted(candidate, min_decisions)
    worse = []
    for name, mine in candidate.items():
        if name == SOURCE and not counted:
            continue
        theirs = active.get(name, {})
        key = "agreement" if name == SOURCE else "roc_auc"
        if mine.get(key) is None or theirs.get(key) is None:
            continue
        if mine[key] < theirs[key] - tolerance:
            worse.append(f"{name} {key} {mine[key]:.4f} < {theirs[key]:.4f} - {tolerance}")
    mine, theirs = candidate.get(SOURCE, {}), active.get(SOURCE, {})
    if not counted:
        held = mine.get("n", 0)
        datasets = _dataset_comparisons(candidate, active)
        below = (f"only {held} held-back moderator decision{'' if held == 1 else 's'}, below the minimum "
                 f"{min_decisions}: judged on " + (f"the evaluation sets ({', '.join(datasets)}) only" if datasets
                                                   else "nothing else either"))
        if worse:
            return Verdict(False, f"{below}; worse than the active model on " + "; ".join(worse))
        if not datasets:
            return Verdict(False, f"{below}, so it cannot be shown not to be worse")
        return Verdict(True, f"{below}; not worse than the active model on any of them beyond {tolerance}")
    if worse:
        return Verdict(False, "worse than the active model on " + "; ".join(worse))
    if not mine.get("n"):
        return Verdict(False, "no held-back moderator decisions to compare on, so it cannot be shown better")
    if mine["agreement"] > theirs["agreement"]:
        return Verdict(True, f"better on moderators' decisions (agreement {mine['agreement']:.4f} > "
                             f"{theirs['agreement']:.4f} on {mine['n']}) and not worse elsewhere beyond {tolerance}")
    if mine["agreement"] == theirs["agreement"] and mine["brier"] < theirs["brier"]:
        return Verdict(True, f"as good on moderators' decisions (agreement {mine['agreement']:.4f} on {mine['n']}) "
                             f"with a lower Brier score ({mine['brier']:.4f} < {theirs['brier']:.4f}), not worse "
                             "elsewhere")
    return Verdict(False, f"not better on moderators' decisions (agreement {mine['agreement']:.4f} vs "
                          f"{theirs['agreement']:.4f} on {mine['n']}, Brier {mine['brier']:.4f} vs "
                          f"{theirs['brier']:.4f})")


def threshold_changes(before: Mapping[str, float | None] | None, after: Mapping[str, float | None]) -> list[str]:
    """What activating a candidate does to the hold thresholds in force, one line per head, in words.

    ``before`` is the policy's hold thresholds under the active model (None: there was none), ``after``
    under the candidate; e.g. ``"hostility hold threshold 0.603 → 0.572"``.
    """
    def shown(value: float | None) -> str:
        return "off" if value is None else f"{value:.3f}"

    lines = []
    for head in HEADS:
        new = after.get(head)
        if before is None:
            lines.append(f"{head} hold threshold {shown(new)} (no model was active)")
            continue
        old = before.get(head)
        if shown(old) == shown(new):  # as a moderator reads it: 0.6031 → 0.6029 is no change
            lines.append(f"{head} hold threshold {shown(new)} (unchanged)")
        else:
            lines.append(f"{head} hold threshold {shown(old)} → {shown(new)}")
    return lines
