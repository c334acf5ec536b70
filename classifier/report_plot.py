"""The training report's picture: ROC and precision-recall curves and the confusion at the thresholds."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # a report is a file; no display is ever needed, and CI has none

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_curve, roc_curve

from classifier.datasets.examples import HEADS


def plot_report(labels: np.ndarray, scores: np.ndarray, thresholds: dict[str, float], path: Path) -> None:
    """Write a PNG: one row per head with its ROC curve, PR curve and confusion matrix."""
    figure, axes = plt.subplots(len(HEADS), 3, figsize=(13, 4.2 * len(HEADS)))
    for column, head in enumerate(HEADS):
        known = ~np.isnan(labels[:, column])
        y, s = labels[known, column].astype(int), scores[known, column]
        roc_axis, pr_axis, matrix_axis = axes[column]
        if len(np.unique(y)) == 2:
            fpr, tpr, _ = roc_curve(y, s)
            roc_axis.plot(fpr, tpr)
            roc_axis.plot([0, 1], [0, 1], linestyle=":", color="grey")
            precision, recall, _ = precision_recall_curve(y, s)
            pr_axis.plot(recall, precision)
        roc_axis.set(title=f"{head}: ROC", xlabel="false positive rate", ylabel="true positive rate")
        pr_axis.set(title=f"{head}: precision-recall", xlabel="recall", ylabel="precision", ylim=(0, 1.02))
        matrix = confusion_matrix(y, (s >= thresholds[head]).astype(int), labels=[0, 1])
        matrix_axis.imshow(matrix, cmap="Blues")
        for (row, col), value in np.ndenumerate(matrix):
            matrix_axis.text(col, row, str(value), ha="center", va="center", fontsize=13)
        matrix_axis.set(
            title=f"{head}: confusion at {thresholds[head]:.2f}",
            xticks=[0, 1], xticklabels=["pass", "flag"], yticks=[0, 1], yticklabels=["clean", head],
            xlabel="predicted", ylabel="labelled",
        )
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
