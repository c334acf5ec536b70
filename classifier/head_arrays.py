"""Per-head helpers on arrays whose columns are the heads (``classifier.heads.HEADS`` order).

Kept apart from the declarations so that reading the list of heads (the service, the command line)
does not load numpy: "hostility never below slur" and "one classifier per head on its labelled rows"
are written once, here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from classifier.heads import HEAD_SPECS, HEADS


def apply_floors(probabilities: np.ndarray) -> np.ndarray:
    """``probabilities`` (``(..., len(HEADS))``, HEADS order) with every head raised to its ``at_least`` heads.

    Works in place and returns the array, so "hostility never below slur" is written once.
    """
    for column, spec in enumerate(HEAD_SPECS):
        for other in spec.at_least:
            probabilities[..., column] = np.maximum(probabilities[..., column], probabilities[..., HEADS.index(other)])
    return probabilities


def floor_labels(labels: np.ndarray) -> np.ndarray:
    """``labels`` (``(n, len(HEADS))``, 1/0/NaN) with a head set to 1 wherever one of its ``at_least`` heads is 1.

    Works in place and returns the array: a row labelled a slur is a hostile row too, whatever its source
    said (or did not say) about hostility.
    """
    for column, spec in enumerate(HEAD_SPECS):
        for other in spec.at_least:
            labels[labels[:, HEADS.index(other)] == 1, column] = 1.0
    return labels


def probabilities_of(logits: np.ndarray) -> np.ndarray:
    """Calibrated logits (``(..., len(HEADS))``) as the scores the classifier reports: sigmoid, then floors."""
    return apply_floors(1.0 / (1.0 + np.exp(-logits)))


FIT_THREADS = 2
"""Heads fitted at once. Each head's fit is independent of the others' and the solvers (liblinear, and
numpy's products inside lbfgs) release the GIL, so on the two cores training is given this halves the
longest step of a retraining and gives exactly the model a one-by-one fit gives."""


def fit_per_head(
    estimator: Any, features: Any, labels: np.ndarray, weights: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """One weighted copy of ``estimator`` (a linear classifier) per head, fitted on the rows labelled for it.

    ``features`` is one matrix every head reads, or a sequence of one matrix per head (the stack and the
    calibration read each head's own logits). A row whose label is NaN says nothing about that head and
    is left out of its fit rather than guessed. Returns ``(coef (heads, d), intercept (heads,))``.
    """
    from concurrent.futures import ThreadPoolExecutor

    from sklearn.base import clone  # here, not at the top: `from classifier import HEADS` stays cheap

    shared = not isinstance(features, list | tuple)

    def fit(column: int) -> Any:
        known = ~np.isnan(labels[:, column])
        matrix = features if shared else features[column]
        return clone(estimator).fit(matrix[known], labels[known, column].astype(int),
                                    sample_weight=weights[known, column])

    with ThreadPoolExecutor(max(1, min(FIT_THREADS, len(HEADS)))) as pool:
        fitted = list(pool.map(fit, range(len(HEADS))))
    # float64 whatever the features' dtype (encoder vectors are float32): scores then do not depend on
    # how many comments a batch holds, since float32 products would round differently per BLAS kernel.
    coef = np.vstack([head.coef_.ravel() for head in fitted]).astype(np.float64)
    return coef, np.asarray([head.intercept_[0] for head in fitted], dtype=np.float64)


def clean_rows(labels: np.ndarray) -> np.ndarray:
    """Rows with nothing to hold on any head: labelled 0 on every head that all the others are floors of.

    With hostility never below slur, hostility 0 means clean (a slur is always hostile); with no such
    umbrella head, a row is clean when every head is labelled 0.
    """
    umbrella = [column for column, spec in enumerate(HEAD_SPECS) if set(spec.at_least) == set(HEADS) - {spec.name}]
    columns = umbrella or list(range(len(HEADS)))
    return np.all(labels[:, columns] == 0, axis=1)
