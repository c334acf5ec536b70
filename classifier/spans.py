"""Choosing the spans that explain a score: the words that carried a head's positive evidence.

Both models split a head's logit exactly over the words of the comment; this module picks the words
worth showing. A function word ("to", "a", "back") is never shown: its weight is context the model
read through it (an encoder's vector for "to" carries the sentence around it), and a moderator told
"held because of 'to'" learns nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

SPAN_MIN_SHARE = 0.12
"""A word is named as a reason only if it carries at least this share of the positive evidence."""

_FUNCTION_WORDS = """
a an the and or but nor so yet if then than that this these those there here what which who whom whose
to of in on at by for from with without into onto over under about above below after before during
through up down out off back again further once as is am are was were be been being have has had do
does did doing will would shall should can could may might must i me my mine we us our ours you your
yours he him his she her hers it its they them their theirs myself yourself himself herself itself
ourselves themselves just very too also only even still really all any both each few more most other
some such own same not no nor ever how when where why while because until since although though
let lets s t d ll m re ve y o im youre dont doesnt didnt isnt arent wasnt werent cant wont
"""
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split())
"""Words never named as a reason; negations are in it too (their effect shows on the words they scope)."""


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of the original text that drove one head's score."""

    label: str
    begin: int
    end: int
    score: float

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form: ``{"label", "begin", "end", "score"}``."""
        return {"label": self.label, "begin": self.begin, "end": self.end, "score": round(self.score, 4)}


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a comment: its original offsets, its normalised form and its logit contributions."""

    begin: int
    end: int
    form: str
    contributions: np.ndarray
    """One entry per head (HEADS order)."""


def choose_spans(words: Sequence[Word], probabilities: np.ndarray, heads: Iterable[tuple[int, str]]) -> list[Span]:
    """Spans for each ``(column, head)`` asked for: words with ≥ SPAN_MIN_SHARE of its positive evidence.

    A span's score is that share times the head's probability, so a head's spans never sum above it.
    """
    spans = []
    for column, head in heads:
        contributions = np.array([word.contributions[column] for word in words])
        positive = contributions[contributions > 0].sum() if len(contributions) else 0.0
        if positive <= 0:
            continue
        for word, share in zip(words, contributions / positive, strict=True):
            if share >= SPAN_MIN_SHARE and word.form.replace("'", "") not in FUNCTION_WORDS:
                spans.append(Span(head, word.begin, word.end, float(share * probabilities[column])))
    return spans
