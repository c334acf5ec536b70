"""The heads declared once: examples' labels by head, the floors, and the per-head fit."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from classifier.corpus import labels_of
from classifier.datasets.examples import Example
from classifier.head_arrays import apply_floors, clean_rows, fit_per_head, floor_labels, probabilities_of
from classifier.heads import HEADS


def test_an_example_carries_a_label_for_every_head_and_refuses_undeclared_ones() -> None:
    example = Example.labelled("you clown", "seed", "seed:1", slur=0)
    assert list(example.labels) == list(HEADS) and example.label("hostility") is None and example.label("slur") == 0
    assert example == Example("you clown", {"slur": 0, "hostility": None}, "seed", "seed:1")
    with pytest.raises(ValueError, match="not declared"):
        Example.labelled("x", "seed", "seed:2", toxicity=1)


def test_a_slur_label_makes_a_row_hostile_and_a_slur_score_floors_hostility() -> None:
    rows = [Example.labelled("a", "s", "1", hostility=None, slur=1),
            Example.labelled("b", "s", "2", hostility=0, slur=0),
            Example.labelled("c", "s", "3", hostility=None, slur=0)]
    labels = labels_of(rows)
    hostility, slur = HEADS.index("hostility"), HEADS.index("slur")
    assert labels[0, hostility] == 1 and labels[1, hostility] == 0 and np.isnan(labels[2, hostility])
    assert clean_rows(labels).tolist() == [False, True, False]  # unknown hostility is not clean
    assert np.array_equal(floor_labels(labels.copy()), labels, equal_nan=True)
    logits = np.zeros((1, len(HEADS)))
    logits[0, slur] = 3.0
    probabilities = probabilities_of(logits)
    assert probabilities[0, hostility] == probabilities[0, slur] == pytest.approx(1 / (1 + np.exp(-3.0)))
    assert np.array_equal(apply_floors(probabilities.copy()), probabilities)


def test_each_head_is_fitted_on_its_own_labelled_rows_only() -> None:
    rng = np.random.default_rng(0)
    features = rng.normal(size=(200, 3))
    labels = np.column_stack([(features[:, 0] > 0), (features[:, 1] > 0)]).astype(float)
    labels[:50, 1] = np.nan
    weights = rng.uniform(0.5, 2.0, size=labels.shape)
    coef, intercept = fit_per_head(LogisticRegression(C=1.0), features, labels, weights)
    for column in range(len(HEADS)):
        known = ~np.isnan(labels[:, column])
        alone = LogisticRegression(C=1.0).fit(features[known], labels[known, column].astype(int),
                                              sample_weight=weights[known, column])
        np.testing.assert_array_equal(coef[column], alone.coef_.ravel())
        assert intercept[column] == alone.intercept_[0]
    per_head = [features[:, [column]] for column in range(len(HEADS))]
    coef, _ = fit_per_head(LogisticRegression(), per_head, labels, weights)
    assert coef.shape == (len(HEADS), 1)
