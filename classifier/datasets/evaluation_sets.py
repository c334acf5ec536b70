"""Sets that judge the model and never train it.

Two are licensed for non-commercial use only (Unhealthy Comments, SFU): they may measure the default
model but never be in it. ToxiGen's seed statements are kept for evaluation by decision (issue 12),
and the test splits of the Gab Hate Corpus, HatemojiBuild and EDOS are their authors' own.
`corpus.load_corpus` drops any training row whose text is in one of these sets, so an evaluation never
scores a text the model saw.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from classifier.datasets.examples import Example
from classifier.datasets.group_sets import GAB, _gab_example
from classifier.datasets.readers import read_rows, squash
from classifier.datasets.targeted_sets import (
    EDOS,
    EDOS_TEST,
    HATEMOJI,
    HATEMOJI_TEST,
    load_edos_test,
    load_hatemoji_test,
)

UNHEALTHY = "unhealthy_comments_price2020"
SFU = "sfu_constructiveness_toxicity_kolhatkar2017"
TOXIGEN = "toxigen_seed_statements_hartvigsen2022"
GAB_TEST = "gab_hate_corpus_kennedy2022:test"
NON_COMMERCIAL = frozenset({UNHEALTHY, SFU})
"""Folders whose licence forbids commercial use: evaluation only, never in any training mix."""


def load_unhealthy(folder: Path, split: str = "test") -> list[Example]:
    """Globe and Mail comments (Unhealthy Comments), labelled by ``hostile`` alone: every comment, 1 or 0.

    That is issue 12's measure. Comments unhealthy in other ways (antagonising, condescending,
    sarcastic) count as not hostile here, as they do for the hold rate a site sees.
    """
    return [
        Example.labelled(text, UNHEALTHY, f"unhealthy:{row['_unit_id']}", hostility=int(row["hostile"] == "1"),
                         slur=None)
        for row in read_rows(folder / f"{split}_dedup.csv") if (text := squash(row["comment"]))
    ]


def load_sfu(folder: Path) -> list[Example]:
    """SFU Globe and Mail comments: toxicity 3–4 → hostility 1, 1 → 0, "mildly toxic" (2) left out."""
    examples = []
    for index, row in enumerate(read_rows(folder / "SFU_constructiveness_toxicity.csv")):
        text, level = squash(row["comment"]), row["is_toxic_popular_answer_1"].strip()
        if text and level in ("1", "3", "4"):
            examples.append(Example.labelled(text, SFU, f"sfu:{index}", hostility=int(level != "1"), slur=None))
    return examples


def load_toxigen(folder: Path) -> list[Example]:
    """ToxiGen's human-written seed statements: hate → slur 1, neutral → 0, with their target groups."""
    return [
        Example.labelled(squash(row["text"]), TOXIGEN, f"toxigen:{index}", tuple(row["target_groups"].split(";")),
                         hostility=None, slur=int(row["label"] == "hate"))
        for index, row in enumerate(read_rows(folder / "toxigen_seed_statements.csv")) if squash(row["text"])
    ]


def load_gab_test(folder: Path) -> list[Example]:
    """The Gab Hate Corpus authors' test split, mapped like its training split (`group_sets.load_gab`)."""
    rows = read_rows(folder / "ghc_test_dedup.csv")
    examples = [e for index, row in enumerate(rows) if (e := _gab_example(row, f"gab:test:{index}"))]
    return [Example(e.text, e.labels, GAB_TEST, e.group) for e in examples]


EVALUATION_LOADERS: dict[str, tuple[str, Callable[[Path], list[Example]]]] = {
    UNHEALTHY: (UNHEALTHY, load_unhealthy),
    SFU: (SFU, load_sfu),
    TOXIGEN: (TOXIGEN, load_toxigen),
    GAB_TEST: (GAB, load_gab_test),
    HATEMOJI_TEST: (HATEMOJI, load_hatemoji_test),
    EDOS_TEST: (EDOS, load_edos_test),
}
"""Evaluation set -> (dataset folder, loader)."""
