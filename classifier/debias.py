"""Identity-term debiasing: make a group's name carry no evidence in the training weights.

In the public data, the sources where groups are named are mostly the hate-speech sources, so
"mentions Muslims" co-occurs with the slur label far more often than in a site's traffic, and any
model learns the name as evidence (Dixon et al. 2018). Dixon et al. added benign rows naming each
group until the term alone predicted nothing; reweighting the benign rows that name a group does
the same with the data we have: after it, for every head and group, the weighted share of positives
among rows naming the group equals the share among rows that name no group at all.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from classifier.groups import GROUP_TERMS, mentions

ROUNDS = 4
"""Rows can name several groups; a few rounds of rescaling (raking) settle every group at once."""
MAX_FACTOR = 20.0
"""Cap on how much one benign row may be scaled up, so a group with few benign rows is not rested on a handful."""


def group_membership_matrix(texts: Sequence[str]) -> np.ndarray:
    """``(n, groups)`` booleans: row i names group j (GROUP_TERMS order)."""
    return np.array([mentions(texts, group) for group in GROUP_TERMS], dtype=bool).T.reshape(len(texts), -1)


def balance_groups(weights: np.ndarray, labels: np.ndarray, membership: np.ndarray) -> np.ndarray:
    """Weights with each group's benign rows scaled so that naming the group predicts nothing.

    ``labels`` is ``(n, heads)`` with NaN where unknown; ``weights`` the per-row, per-head weights
    (``corpus.balanced_weights``), whose total per head is kept.
    """
    adjusted = weights.copy()
    for column in range(labels.shape[1]):
        known = ~np.isnan(labels[:, column]) & (weights[:, column] > 0)
        positive = known & (labels[:, column] == 1)
        negative = known & (labels[:, column] == 0)
        unnamed = known & ~membership.any(axis=1)
        if not unnamed.any() or not (positive & unnamed).any():
            continue
        base = adjusted[positive & unnamed, column].sum() / adjusted[unnamed, column].sum()
        scale = np.ones(len(labels))
        for _ in range(ROUNDS):
            for group in range(membership.shape[1]):
                named = membership[:, group]
                w = adjusted[:, column] * scale
                pos, neg = w[named & positive].sum(), w[named & negative].sum()
                if pos == 0 or neg == 0:
                    continue
                # Want pos / (pos + neg') = base, i.e. neg' = pos (1 - base) / base; only ever scale up.
                factor = pos * (1 - base) / base / neg
                if factor > 1:
                    scale[named & negative] *= factor
            np.minimum(scale, MAX_FACTOR, out=scale)
        total = adjusted[known, column].sum()
        adjusted[:, column] *= scale
        adjusted[known, column] *= total / adjusted[known, column].sum()
    return adjusted
