"""The quality sections of the classifier benchmark (issue 12): every figure on data the model never saw.

Each function takes a score function (texts -> ``(n, 2)`` probabilities in HEADS order), the model's
default thresholds and the peer, and returns table rows ``(section, measure, ours, peer)``. The peer
(alt-profanity-check) has one score; it holds a comment at 0.5.
"""

from __future__ import annotations

import csv
import statistics
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score, roc_auc_score

from classifier.bias_metrics import bias_metrics, group_membership
from classifier.corpus import Corpus, split
from classifier.datasets.evaluation_sets import (
    GAB_TEST,
    SFU,
    TOXIGEN,
    UNHEALTHY,
    load_gab_test,
    load_sfu,
    load_toxigen,
    load_unhealthy,
)
from classifier.datasets.examples import HEADS, Example
from classifier.datasets.targeted_sets import EDOS, HATEMOJI, load_edos_test, load_hatemoji_test
from classifier.evaluation import hold_scores
from classifier.groups import REPORTED_GROUPS, TOXIGEN_GROUPS

ScoreFn = Callable[[list[str]], np.ndarray]
Row = tuple[str, str, str, str]
CHECKS = Path(__file__).resolve().parents[1] / "data" / "checks"
PEER_HOLD = 0.5
GROUP_SETS = ("wiki_toxicity_identity_dixon2018", "reddit_bias_barikeri2021", "implicit_hate_elsherief2021")
"""Training sets that name groups; their grouped test split (never trained on) joins ToxiGen for (b)."""
LEAVE_ONE_OUT_HEAD = {
    "davidson2017": "slur", "stormfront_degibert2018": "slur", "ethos": "slur",
    "fox_news_comments_gao2017": "hostility", "wiki_toxicity_identity_dixon2018": "hostility",
    "toxic_spans_civil_comments_pavlopoulos2022": "hostility", "jigsaw_toxic_comment_2018_excerpt20k": "hostility",
    "civil_comments_test_split_samples": "hostility", "wiki_talk_in_context_pavlopoulos2020": "hostility",
    "gab_hate_corpus_kennedy2022": "slur", "implicit_hate_elsherief2021": "slur",
    "reddit_bias_barikeri2021": "slur", HATEMOJI: "slur", EDOS: "slur", "mlma_en_ousidhoum2019": "slur",
}
"""Every training set with both classes, and the head its labels are about."""


def auc(labels: Sequence[int], scores: np.ndarray) -> float:
    """ROC-AUC, NaN where only one class is present."""
    labels = np.asarray(labels)
    return float(roc_auc_score(labels, scores)) if len(set(labels.tolist())) == 2 else float("nan")


def held(scores: np.ndarray, thresholds: dict[str, float]) -> np.ndarray:
    """Which comments the default thresholds hold (either head at or over its threshold)."""
    return (scores >= np.array([thresholds[head] for head in HEADS])).any(axis=1)


def _share(mask: np.ndarray) -> str:
    return f"{mask.mean():.1%}" if len(mask) else "n/a"


class Judge:
    """Scores sets with our model and the peer once each, and turns them into table rows."""

    def __init__(self, score: ScoreFn, thresholds: dict[str, float], peer: ScoreFn) -> None:
        self.score, self.thresholds, self.peer = score, thresholds, peer

    def _both(self, examples: list[Example]) -> tuple[np.ndarray, np.ndarray]:
        texts = [e.text for e in examples]
        return self.score(texts), np.asarray(self.peer(texts))

    def news(self, data: Path) -> list[Row]:
        """(a) Unhealthy Comments test split (and SFU, reported): ranking, false holds, hostile caught."""
        rows: list[Row] = []
        for name, examples in (("Unhealthy test", load_unhealthy(data / UNHEALTHY)), ("SFU", load_sfu(data / SFU))):
            labels = np.array([e.label("hostility") for e in examples])
            ours, theirs = self._both(examples)
            ours_held, theirs_held = held(ours, self.thresholds), theirs >= PEER_HOLD
            target = " (target ≥ 0.82)" if name.startswith("Unhealthy") else ""
            rows += [
                ("(a) news", f"{name}: hostility ROC-AUC{target}", f"{auc(labels, ours[:, 0]):.3f}",
                 f"{auc(labels, theirs):.3f}"),
                ("(a) news", f"{name}: not-hostile comments held ({'target ≤ 4%' if target else 'reported'})",
                 _share(ours_held[labels == 0]), _share(theirs_held[labels == 0])),
                ("(a) news", f"{name}: hostile comments held (target ≥ the peer's)", _share(ours_held[labels == 1]),
                 _share(theirs_held[labels == 1])),
            ]
        return rows

    def groups(self, data: Path, corpus: Corpus) -> list[Row]:
        """(b) Group mentions: ToxiGen and the held-out splits of the group sets; per-group bias metrics."""
        _, test_rows = split(corpus.examples)
        testing = [corpus.examples[i] for i in test_rows]
        sets = {"ToxiGen seed statements": load_toxigen(data / TOXIGEN)}
        sets |= {f"{name} held-out split": [e for e in testing if e.source == name] for name in GROUP_SETS[1:]}
        rows: list[Row] = []
        pooled_texts, pooled_labels, pooled_targets = [], [], []
        for name, examples in sets.items():
            labels = np.array([e.label("slur") for e in examples])
            ours, theirs = self._both(examples)
            ours_held, theirs_held = held(ours, self.thresholds), theirs >= PEER_HOLD
            rows += [
                ("(b) groups", f"{name}: neutral flagged (target ≤ 5%)", _share(ours_held[labels == 0]),
                 _share(theirs_held[labels == 0])),
                ("(b) groups", f"{name}: hateful flagged (target ≥ 80%)", _share(ours_held[labels == 1]),
                 _share(theirs_held[labels == 1])),
                ("(b) groups", f"{name}: slur ROC-AUC (reported)", f"{auc(labels, ours[:, 1]):.3f}",
                 f"{auc(labels, theirs):.3f}"),
            ]
            pooled_texts += [e.text for e in examples]
            pooled_labels += labels.tolist()
            pooled_targets += [tuple(TOXIGEN_GROUPS[t] for t in e.targets if t in TOXIGEN_GROUPS) for e in examples]
        dixon = [e for e in testing if e.source == GROUP_SETS[0]]
        pooled_texts += [e.text for e in dixon]
        pooled_labels += [e.label("hostility") for e in dixon]
        pooled_targets += [() for _ in dixon]
        gab = load_gab_test(data / GAB_TEST.split(":")[0])
        gab_ours, gab_theirs = self._both(gab)
        gab_labels = [e.label("slur") for e in gab]
        rows.append(("(b) groups", "Gab Hate Corpus test split: slur ROC-AUC (reported)",
                     f"{auc(gab_labels, gab_ours[:, 1]):.3f}", f"{auc(gab_labels, gab_theirs):.3f}"))
        rows += self.targeted(data)
        membership = group_membership(pooled_texts, pooled_targets)
        ours_scores, theirs_scores = self.score(pooled_texts), np.asarray(self.peer(pooled_texts))
        mine = bias_metrics(pooled_labels, hold_scores(ours_scores, self.thresholds), membership)
        peers = bias_metrics(pooled_labels, theirs_scores, membership)
        for group in REPORTED_GROUPS:
            figures, peer_figures = mine.get(group, {}), peers.get(group, {})

            def triple(f: dict) -> str:
                return " / ".join("n/a" if f.get(k) is None else f"{f[k]:.3f}"
                                  for k in ("subgroup_auc", "bpsn_auc", "bnsp_auc"))

            rows.append(("(b) groups", f"{group} (n={figures.get('rows', 0)}): subgroup / BPSN / BNSP ROC-AUC "
                         "(target ≥ 0.85 each)", triple(figures), triple(peer_figures)))
        return rows

    def targeted(self, data: Path) -> list[Row]:
        """(b) The authors' test splits of HatemojiBuild (accuracy) and EDOS (sexist or not, macro-F1).

        Both label hate at a group only, so the slur head decides, at its hold threshold (the peer at 0.5):
        a hostility hold on a post that is vulgar but not sexist is no error of these sets' kind.
        """
        rows = []
        for name, examples, measure in (
            ("HatemojiBuild test: accuracy (target ≥ 0.80)", load_hatemoji_test(data / HATEMOJI), "accuracy"),
            ("EDOS test: sexist or not, macro-F1 (target ≥ 0.80)", load_edos_test(data / EDOS), "macro-F1"),
        ):
            labels = np.array([e.label("slur") for e in examples])
            ours, theirs = self._both(examples)
            predictions = (ours[:, HEADS.index("slur")] >= self.thresholds["slur"], theirs >= PEER_HOLD)
            if measure == "accuracy":
                figures = [f"{(p == labels).mean():.3f}" for p in predictions]
            else:
                figures = [f"{f1_score(labels, p, average='macro'):.3f}" for p in predictions]
            rows.append(("(b) groups", name, *figures))
        return rows

    def checks(self) -> list[Row]:
        """(d) The functional checks, per category, at the default thresholds (the peer at 0.5)."""
        rows = []
        for path in sorted(CHECKS.glob("*.csv")):
            with path.open(encoding="utf-8", newline="") as handle:
                cases = [(row["text"], row["expect"] == "flag") for row in csv.DictReader(handle)]
            expected = np.array([flag for _, flag in cases])
            ours, theirs = self.score([t for t, _ in cases]), np.asarray(self.peer([t for t, _ in cases]))
            kind = "flag" if expected.all() else "pass" if not expected.any() else "mixed"
            rows.append(("(d) checks", f"{path.stem} ({kind}, n={len(cases)}) (target ≥ 90%)",
                         f"{(held(ours, self.thresholds) == expected).mean():.0%}",
                         f"{((theirs >= PEER_HOLD) == expected).mean():.0%}"))
        return rows


def leave_one_out(corpus: Corpus, fit: Callable[[list[Example]], ScoreFn], peer: ScoreFn,
                  progress: Callable[[str], None]) -> list[Row]:
    """(c) For every training set with both classes: train on all the others, score it, next to the peer."""
    rows, gains = [], []
    for dataset, head in LEAVE_ONE_OUT_HEAD.items():
        held_out = [e for e in corpus.examples if e.source == dataset and e.label(head) is not None]
        if len({e.label(head) for e in held_out}) < 2:
            continue
        score = fit([e for e in corpus.examples if e.source != dataset])
        texts, labels = [e.text for e in held_out], [e.label(head) for e in held_out]
        ours = auc(labels, score(texts)[:, HEADS.index(head)])
        theirs = auc(labels, np.asarray(peer(texts)))
        gains.append(ours - theirs)
        rows.append(("(c) leave-one-out", f"{dataset} ({head}) ROC-AUC", f"{ours:.3f}", f"{theirs:.3f}"))
        progress(f"leave-one-out {dataset}: ours {ours:.3f}, peer {theirs:.3f}")
    rows.append(("(c) leave-one-out", "mean gain over the peer (target ≥ 0.08)", f"{statistics.mean(gains):+.3f}", ""))
    return rows
