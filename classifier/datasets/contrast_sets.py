"""Loader for the synthetic contrast set (data/contrast/pairs.csv): minimal pairs, hateful and not.

The set is the project's own text (data/contrast/README.md). Each pair is one ``Example.group``, so a
grouped split never puts one side of a pair in training and the other in test. Whole frame families are
held out (``held_out=1``): those rows carry the source ``CONTRAST_HELD_OUT`` and are for measuring
generalisation to frames the model never saw, never for training.

Not registered in ``loaders.LOADERS`` yet: adding it changes the default model's training mix, which is
to happen together with the encoder's training. When it is, weigh it with ``contrast_multiplier`` so
thousands of templated pairs do not outvote real comments.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

from classifier.datasets.contrast.lexicon import REPORTED_AS
from classifier.datasets.examples import Example
from classifier.datasets.readers import read_rows
from classifier.heads import HEADS

CONTRAST = "contrast_synthetic"
CONTRAST_HELD_OUT = "contrast_synthetic:held_out"
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "contrast" / "pairs.csv"

LABEL_COLUMNS: tuple[str, ...] = ("hostility", "slur", "threat", "insult", "profanity")
"""The heads pairs.csv labels (threat, insult and profanity ahead of their heads existing)."""

CONTRAST_SHARE = 0.1
"""The share of the total training weight the contrast set should get, at most (see contrast_multiplier)."""


def _label(cell: str) -> int | None:
    return None if cell == "" else int(cell)


def labels(row: Mapping[str, str]) -> dict[str, int | None]:
    """A pairs.csv row's labels by head; None where the set leaves a head open."""
    return {head: _label(row[head]) for head in LABEL_COLUMNS}


def _targets(group: str) -> tuple[str, ...]:
    if not group:
        return ()
    return (group, REPORTED_AS[group]) if group in REPORTED_AS else (group,)


def _example(row: Mapping[str, str]) -> Example:
    # The set labels heads ahead of their declaration (threat, insult, profanity): an Example takes the
    # declared ones, so declaring a head in classifier/heads.py is all it takes for its labels to train.
    found = labels(row)
    source = CONTRAST_HELD_OUT if row["held_out"] == "1" else CONTRAST
    return Example(row["text"], {head: found.get(head) for head in HEADS}, source, f"contrast:{row['pair_id']}",
                   _targets(row["group"]))


def load_contrast(path: Path = DEFAULT_PATH) -> list[Example]:
    """Every row of the contrast set, held-out families included (their source is ``CONTRAST_HELD_OUT``).

    ``group`` is the pair ("contrast:<family>:<n>"); ``targets`` the group the text names, if any, with
    the wider group of ``classifier.groups`` it counts under ("lesbian" → also "lgbtq").
    """
    return [_example(row) for row in read_rows(path)]


def split_contrast(path: Path = DEFAULT_PATH) -> tuple[list[Example], list[Example]]:
    """``(training rows, held-out rows)``: the held-out families are whole frames the model never sees."""
    examples = load_contrast(path)
    return ([e for e in examples if e.source == CONTRAST], [e for e in examples if e.source == CONTRAST_HELD_OUT])


def contrast_multiplier(real_sizes: Mapping[str, int], contrast_rows: int, share: float = CONTRAST_SHARE,
                        factors: Mapping[str, float] | None = None) -> float:
    """The source multiplier (``corpus.balanced_weights``'s ``multipliers[CONTRAST]``) that gives the set ``share``.

    ``balanced_weights`` gives each source a total of sqrt(rows) x its factor; this returns the factor
    that makes the contrast set's total ``share`` of everything (real sources' totals from ``real_sizes``,
    rows by source, and their ``factors``), capped at 1: the set never counts for more than an ordinary
    source of its size would.
    """
    if contrast_rows <= 0:
        return 0.0
    factors = factors or {}
    real_total = sum(math.sqrt(rows) * factors.get(source, 1.0) for source, rows in real_sizes.items())
    wanted = share / (1 - share) * real_total
    return min(1.0, wanted / math.sqrt(contrast_rows))


def contrast_row_weight(real_rows: int, contrast_rows: int, share: float = CONTRAST_SHARE) -> float:
    """A per-row weight for trainers that weigh real comments 1 each: the set's rows then total ``share``.

    Capped at 1, so a synthetic row never outweighs a real comment.
    """
    if contrast_rows <= 0:
        return 0.0
    return min(1.0, share / (1 - share) * real_rows / contrast_rows)
