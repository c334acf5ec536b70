"""Display names, judged by the word lists alone: what in a name matched, why, and the score it gives.

A name is not a comment, and the model, trained on comments, misreads names both ways: it scores
"Dave" or "Ahmed" as fairly hostile and "Gay Muslim" as a slur, while hate codes such as "1488" or
"WPWW" look like nothing to it. So a name scores NAME_SYMBOL_SCORE when any part of it (camelCase,
letter runs and digit runs split apart: "WhiteBoy1488" → white, boy, 1488) is an unambiguous hate
symbol, NAME_SLUR_SCORE for a strong slur, NAME_AMBIGUOUS_PAIR_SCORE for two ambiguous codes together
("14" and "88"), and 0 otherwise. The rule that fired names the part, so a moderator sees what held
the comment without the name being scored again part by part.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from classifier.lexicon import AMBIGUOUS_SYMBOL
from classifier.words import words

NAME_SYMBOL_SCORE = 0.99
"""Slur score of a display name holding an unambiguous hate symbol ("1488", "kkk", "rahowa")."""
NAME_SLUR_SCORE = 0.95
"""Slur score of a display name holding a strong ethnic, religious or anti-LGBT slur from the word lists."""
NAME_AMBIGUOUS_PAIR_SCORE = 0.9
"""Two ambiguous codes together ("14" and "88") read as one symbol."""
_STRONG_SLUR_TAGS = frozenset(("surge:racial / ethnic slurs:strong", "surge:racial / ethnic slurs:severe",
                     "surge:sexual orientation / gender:severe", "surge:religious offense:severe"))
_NAME_PARTS = re.compile(r"[^\W\d_]+|\d+")
_CAMEL_CASE = re.compile(r"(?<=[a-z])(?=[A-Z])")


@dataclass(frozen=True, slots=True)
class NameMatch:
    """The part of a display name that gave it its score, and why, in a moderator's words."""

    part: str
    """As written in the name where it can be found there ("KKK", "14 88"), else as the word lists spell it."""
    why: str
    """"hate symbol", "slur" or "hate codes together"."""
    score: float

    def as_dict(self) -> dict[str, str]:
        """What the workbench shows and the comment row keeps: ``{"part", "why"}``."""
        return {"part": self.part, "why": self.why}


def name_parts(tokens: Sequence[str]) -> list[str]:
    """Tokens split into letter runs and digit runs: "whiteboy1488" → "whiteboy", "1488"."""
    return [part for token in tokens for part in _NAME_PARTS.findall(token)]


def _as_written(name: str, key: str) -> str:
    """``key`` (normalised words, space-separated) in the name's own spelling where each word is a run of it."""
    pieces = [piece for run in _NAME_PARTS.findall(name) for piece in (run, *_CAMEL_CASE.sub(" ", run).split())]
    written = {piece.casefold(): piece for piece in reversed(pieces)}  # the first spelling wins
    found = [written.get(word) for word in key.split()]
    return key if None in found else " ".join(found)  # type: ignore[arg-type]


def match_name(name: str, lexicon: Mapping[str, Sequence[str]]) -> NameMatch | None:
    """What in ``name`` the word lists flag (the strongest rule that fires), or None for an ordinary name."""
    parts = name_parts(words(name))
    split = name_parts(words(_CAMEL_CASE.sub(" ", name)))  # "ZogWatcher", but "RaHoWa" must stay whole
    candidates = [*parts, *split, *(f"{a} {b}" for tokens in (parts, split) for a, b in pairwise(tokens))]
    symbol = next((c for c in candidates
                   if any(t.startswith("hate_symbol:") and t != AMBIGUOUS_SYMBOL for t in lexicon.get(c, ()))), None)
    if symbol is not None:
        return NameMatch(_as_written(name, symbol), "hate symbol", NAME_SYMBOL_SCORE)
    slur = next((c for c in candidates if _STRONG_SLUR_TAGS.intersection(lexicon.get(c, ()))), None)
    if slur is not None:
        return NameMatch(_as_written(name, slur), "slur", NAME_SLUR_SCORE)
    codes = [part for part in parts if AMBIGUOUS_SYMBOL in lexicon.get(part, ())]
    if len(codes) >= 2:
        return NameMatch(_as_written(name, " ".join(codes[:2])), "hate codes together", NAME_AMBIGUOUS_PAIR_SCORE)
    return None
