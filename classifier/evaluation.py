"""Metrics for a scored set: per head ROC-AUC, PR-AUC, calibration and the confusion at a threshold.

Everything here takes arrays of labels and scores (NaN label = unknown for that head), never a model,
so the same code serves training reports, `moderation evaluate` and the benchmark.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    f1_score,
    precision_recall_curve,
    roc_auc_score,
)

from classifier.bias_metrics import bias_metrics, group_membership
from classifier.datasets.examples import Example
from classifier.head_arrays import clean_rows
from classifier.heads import HEAD_SPECS, HEADS

ORDINARY_SOURCES = frozenset({
    "civil_comments_test_split_samples", "jigsaw_toxic_comment_2018_excerpt20k",
    "wiki_talk_in_context_pavlopoulos2020", "wiki_toxicity_identity_dixon2018", "fox_news_comments_gao2017",
    "toxic_spans_civil_comments_pavlopoulos2022",
})
"""Sources whose clean rows look like a site's ordinary traffic (news and discussion comments), unlike
the hate-speech sets' clean rows, which are hard cases picked from extremist forums."""
HOLD_BUDGET = {spec.name: spec.hold_budget for spec in HEAD_SPECS}
"""Share of ordinary clean comments each head may hold at its default threshold. A false hold is as
much a failure as a miss: a site that sees one benign comment in five held stops using the queue."""
THRESHOLD_RULE = (
    "per head, the score that at most HOLD_BUDGET (hostility 2%, slur 1%) of the ordinary clean comments "
    "(news and discussion sources) in a held-back calibration share of the training rows reach"
)


def _known(labels: np.ndarray, column: int) -> np.ndarray:
    return ~np.isnan(labels[:, column])


def choose_thresholds(labels: np.ndarray, scores: np.ndarray, weights: np.ndarray | None = None) -> dict[str, float]:
    """Per head, the score threshold with the best F1 on this (held-out) set."""
    thresholds = {}
    for column, head in enumerate(HEADS):
        known = _known(labels, column)
        y, s = labels[known, column], scores[known, column]
        w = None if weights is None else weights[known, column]
        if len(np.unique(y)) < 2:
            thresholds[head] = 0.5
            continue
        precision, recall, cuts = precision_recall_curve(y, s, sample_weight=w)
        f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
        thresholds[head] = float(cuts[int(np.argmax(f1[:-1]))])
    return thresholds


def hold_thresholds(labels: np.ndarray, scores: np.ndarray, sources: list[str]) -> dict[str, float]:
    """Default hold thresholds by THRESHOLD_RULE; where no ordinary clean rows are known (a seed-only
    demo model), the best-F1 cut instead."""
    fallback = choose_thresholds(labels, scores)
    ordinary = np.isin(np.asarray(sources), list(ORDINARY_SOURCES))
    thresholds = {}
    clean = ordinary & clean_rows(labels)  # nothing to hold on any head
    for column, head in enumerate(HEADS):
        if clean.sum() < 100:
            thresholds[head] = fallback[head]
            continue
        thresholds[head] = float(np.quantile(scores[clean, column], 1 - HOLD_BUDGET[head], method="higher"))
    return thresholds


def hold_scores(scores: np.ndarray, thresholds: dict[str, float]) -> np.ndarray:
    """One number per comment that orders comments the way holding does: the largest score/threshold."""
    return np.max(scores / np.array([thresholds[head] for head in HEADS]), axis=1)


def group_report(examples: list[Example], labels: np.ndarray, scores: np.ndarray,
                 thresholds: dict[str, float]) -> dict[str, dict]:
    """Subgroup ROC-AUC, BPSN and BNSP per identity group (`bias_metrics`) on labelled rows.

    A row's label is its slur label where the source gives one, else its hostility label (a comment to
    hold or not); its score is the hold score, so the figures judge what a moderator would see.
    """
    slur, hostility = labels[:, HEADS.index("slur")], labels[:, HEADS.index("hostility")]
    flag = np.where(np.isnan(slur), hostility, slur)
    known = ~np.isnan(flag)
    rows = [example for example, keep in zip(examples, known, strict=True) if keep]
    membership = group_membership([e.text for e in rows], [e.targets for e in rows])
    return bias_metrics(flag[known].astype(int), hold_scores(scores[known], thresholds), membership)


def head_metrics(y: np.ndarray, s: np.ndarray, threshold: float) -> dict[str, object]:
    """Metrics of one head's scores against 0/1 labels."""
    result: dict[str, object] = {"n": len(y), "positives": int(y.sum())}
    if len(np.unique(y)) == 2:
        result["roc_auc"] = round(float(roc_auc_score(y, s)), 4)
        result["pr_auc"] = round(float(average_precision_score(y, s)), 4)
    predicted = (s >= threshold).astype(int)
    result["threshold"] = round(threshold, 4)
    result["f1"] = round(float(f1_score(y, predicted, zero_division=0)), 4)
    result["accuracy"] = round(float((predicted == y).mean()), 4) if len(y) else None
    result["brier"] = round(float(brier_score_loss(y, s)), 4) if len(y) else None
    tn, fp, fn, tp = confusion_matrix(y, predicted, labels=[0, 1]).ravel()
    result["confusion"] = {"tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp)}
    return result


def evaluate(
    labels: np.ndarray, scores: np.ndarray, sources: list[str], thresholds: dict[str, float]
) -> dict[str, object]:
    """Overall and per-source metrics for both heads, plus the source-leakage check."""
    report: dict[str, object] = {}
    for column, head in enumerate(HEADS):
        known = _known(labels, column)
        y = labels[known, column].astype(int)
        s = scores[known, column]
        overall = head_metrics(y, s, thresholds[head])
        per_source = {}
        known_sources = np.asarray(sources)[known]
        for source in sorted(set(known_sources)):
            mask = known_sources == source
            per_source[source] = head_metrics(y[mask], s[mask], thresholds[head])
        overall["by_source"] = per_source
        overall["source_leakage"] = source_leakage(y, s, known_sources)
        report[head] = overall
    return report


def source_leakage(y: np.ndarray, s: np.ndarray, sources: np.ndarray) -> dict[str, float]:
    """How well the score alone tells one source's clean texts from the other sources' clean texts.

    ROC-AUC per source over negatives only: near 0.5 means the score says nothing about where a
    clean text came from. A high value (say > 0.75) means the model learned the source's register,
    the failure the Toxic Spans set invites ("reads like a news comment → toxic").
    """
    negatives = y == 0
    by_source: dict[str, float] = {}
    for source in sorted(set(sources[negatives])):
        member = (sources[negatives] == source).astype(int)
        if 0 < member.sum() < len(member):
            by_source[source] = round(float(roc_auc_score(member, s[negatives])), 4)
    return by_source
