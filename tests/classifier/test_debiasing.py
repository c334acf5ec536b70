"""Identity-term debiasing: group reweighting, counterfactual swaps, group terms and the bias metrics."""

from __future__ import annotations

import random

import numpy as np
import pytest

from classifier.bias_metrics import bias_metrics, group_membership
from classifier.counterfactual import swap_groups, swappable
from classifier.debias import MAX_FACTOR, balance_groups, group_membership_matrix
from classifier.groups import GROUP_TERMS, groups_in

TEXTS = [
    "muslims are vermin", "muslims are parasites", "muslims should leave", "a muslim family moved in",
    "jews control the banks", "my jewish neighbour is kind", "nice weather today", "you utter clown",
    "the budget is a mess", "great match last night", "those vermin ruin everything",
]
LABELS = np.array([[1, 1], [1, 1], [1, 1], [0, 0], [1, 1], [0, 0], [0, 0], [1, np.nan], [0, 0], [0, 0], [1, 1]],
                  dtype=float)


def _weighted_share(weights: np.ndarray, labels: np.ndarray, rows: np.ndarray, column: int) -> float:
    known = rows & ~np.isnan(labels[:, column])
    return weights[known & (labels[:, column] == 1), column].sum() / weights[known, column].sum()


def test_naming_a_group_predicts_nothing_after_balancing() -> None:
    membership = group_membership_matrix(TEXTS)
    before = np.ones_like(LABELS)
    after = balance_groups(before, LABELS, membership)
    unnamed = ~membership.any(axis=1)
    for column in (0, 1):
        base = _weighted_share(after, LABELS, unnamed, column)
        muslim = membership[:, list(GROUP_TERMS).index("muslim")]
        assert _weighted_share(before, LABELS, muslim, column) == pytest.approx(0.75)
        assert _weighted_share(after, LABELS, muslim, column) == pytest.approx(base, abs=0.02)
        known = ~np.isnan(LABELS[:, column])
        assert after[known, column].sum() == pytest.approx(before[known, column].sum())


def test_balancing_only_scales_benign_rows_up_and_within_the_cap() -> None:
    after = balance_groups(np.ones_like(LABELS), LABELS, group_membership_matrix(TEXTS))
    ratio = after / after[6]  # row 6 names no group: every other row is measured against it
    assert np.allclose(ratio[[0, 1, 2, 4, 8, 9, 10]], 1.0)
    assert (ratio[3] > 1).all() and (ratio[5] >= 1).all() and (ratio <= MAX_FACTOR + 1e-9).all()


def test_group_terms_are_whole_words_in_any_case() -> None:
    assert groups_in("As a GAY Muslim I found this fair") == {"lgbtq", "muslim"}
    assert groups_in("the blackboard and the womanizer") == set()
    assert groups_in("Black-owned businesses") == set()  # "Black-owned" is one word, not a mention of "black"


@pytest.mark.parametrize("text", ["I am a proud gay Muslim", "Mexicans are vermin", "JEWS run the media"])
def test_swaps_change_the_group_and_keep_the_shape(text: str) -> None:
    swapped = swap_groups(text, random.Random(3))
    assert swapped != text and len(swapped.split()) == len(text.split())
    assert groups_in(swapped) != groups_in(text)
    assert [word[0].isupper() for word in swapped.split()] == [word[0].isupper() for word in text.split()]


def test_texts_without_a_group_are_left_alone() -> None:
    assert not swappable("the budget is a mess")
    assert swap_groups("the budget is a mess", random.Random(0)) == "the budget is a mess"


def test_bias_metrics_catch_a_model_that_reads_the_group_name() -> None:
    rng = np.random.default_rng(0)
    texts = [f"{'muslims' if i % 2 else 'people'} comment {i}" for i in range(400)]
    labels = rng.integers(0, 2, size=400)
    fair = labels + rng.normal(0, 0.5, size=400)
    biased = fair + np.array([2.0 if i % 2 else 0.0 for i in range(400)])  # the name alone adds evidence
    membership = group_membership(texts)
    fair_figures = bias_metrics(labels, fair, membership)["muslim"]
    biased_figures = bias_metrics(labels, biased, membership)["muslim"]
    assert fair_figures["bpsn_auc"] > 0.8 and biased_figures["bpsn_auc"] < 0.5
    assert biased_figures["bnsp_auc"] > fair_figures["bnsp_auc"]
    assert biased_figures["subgroup_auc"] == pytest.approx(fair_figures["subgroup_auc"])


def test_bias_metrics_leave_out_groups_too_small_to_judge() -> None:
    figures = bias_metrics(np.array([1, 0, 1, 0]), np.array([0.9, 0.1, 0.8, 0.2]), group_membership(
        ["jews a", "jews b", "other c", "other d"]))
    assert figures["jewish"] == {"rows": 2, "subgroup_auc": None, "bpsn_auc": None, "bnsp_auc": None}
