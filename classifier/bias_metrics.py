"""Unintended-bias metrics per identity group (Borkan et al. 2019, the Jigsaw Unintended Bias metrics).

For a group, the *subgroup* is the rows that mention it, the *background* the rows that do not:

- subgroup ROC-AUC: ranking within the subgroup alone (does the model read what is said about them?);
- BPSN (background positive, subgroup negative) ROC-AUC: low when benign mentions of the group score
  above toxic comments about anyone else, i.e. the group's name is being read as evidence;
- BNSP (background negative, subgroup positive) ROC-AUC: low when hate about the group scores below
  ordinary comments, i.e. the model misses attacks on it.

All three need both classes on each side, so a group with too few rows gets no figure rather than a
noisy one. Arrays only, no model: the report, `moderation evaluate` and the benchmark share this.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import roc_auc_score

from classifier.groups import REPORTED_GROUPS, groups_in

MIN_CLASS_ROWS = 10
"""Fewest rows of each class a side must have before its ROC-AUC is reported."""


def _auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    positives = int(labels.sum())
    if positives < MIN_CLASS_ROWS or len(labels) - positives < MIN_CLASS_ROWS:
        return None
    return round(float(roc_auc_score(labels, scores)), 4)


def group_membership(texts: Sequence[str], targets: Sequence[Sequence[str]] | None = None) -> list[set[str]]:
    """Per row, the groups it is about: the source's own target labels where given, else the group terms."""
    if targets is None:
        return [groups_in(text) for text in texts]
    pairs = zip(texts, targets, strict=True)
    return [set(row_targets) if row_targets else groups_in(text) for text, row_targets in pairs]


def bias_metrics(
    labels: np.ndarray, scores: np.ndarray, membership: Sequence[set[str]], groups: Sequence[str] = REPORTED_GROUPS,
) -> dict[str, dict[str, float | int | None]]:
    """Per group: rows, subgroup ROC-AUC, BPSN and BNSP (None where a side has too few rows)."""
    labels, scores = np.asarray(labels, dtype=int), np.asarray(scores, dtype=float)
    result: dict[str, dict[str, float | int | None]] = {}
    for group in groups:
        inside = np.array([group in row for row in membership], dtype=bool)
        if not inside.any():
            continue
        positive = labels == 1
        bpsn = (~inside & positive) | (inside & ~positive)
        bnsp = (~inside & ~positive) | (inside & positive)
        result[group] = {
            "rows": int(inside.sum()),
            "subgroup_auc": _auc(labels[inside], scores[inside]),
            "bpsn_auc": _auc(labels[bpsn], scores[bpsn]),
            "bnsp_auc": _auc(labels[bnsp], scores[bnsp]),
        }
    return result
