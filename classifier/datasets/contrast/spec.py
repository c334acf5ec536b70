"""What a frame family is: pair templates with slots, paired fillers, the hateful side's labels."""

from __future__ import annotations

from dataclasses import dataclass, field

Labels = dict[str, int | None]
"""Labels by head (hostility, slur, threat, insult); profanity is read off the text (see build)."""

GROUP_HATE: Labels = {"hostility": 1, "slur": 1, "threat": 0, "insult": 1}
"""Derogation of a group: an identity attack, an insult at the group, no threat."""
GROUP_HATE_OPINION: Labels = {"hostility": 1, "slur": 1, "threat": 0, "insult": None}
"""Stated hatred or loathing of a group: hate, but whether it is an insult is left open."""
GROUP_EXCLUSION: Labels = {"hostility": 1, "slur": 1, "threat": 0, "insult": None}
"""A call to exclude, expel or deport a group."""
GROUP_VIOLENCE: Labels = {"hostility": 1, "slur": 1, "threat": 1, "insult": None}
"""A call for violence against a group (a threat aimed at a group is also hate)."""
PERSON_THREAT: Labels = {"hostility": 1, "slur": 0, "threat": 1, "insult": 0}
"""A threat or call for violence aimed at a person."""
PERSON_INSULT: Labels = {"hostility": 1, "slur": 0, "threat": 0, "insult": 1}
"""An insult aimed at a person."""
BENIGN: Labels = {"hostility": 0, "slur": 0, "threat": 0, "insult": 0}
"""Every benign side: no hostility, no hate, no threat, no insult (profanity may still be there)."""


@dataclass(frozen=True)
class Pair:
    """One pair template: the hateful side and its minimal benign edit.

    Slots: ``{G}`` a group's plural, ``{S}`` its singular with article, ``{A}`` its adjective, ``{Z}`` a
    slur for it, ``{R}`` a slur its members reclaim, ``{N}`` a non-group target from the family's pool,
    ``{P}``/``{Q}`` a person and their possessive, and any paired filler the family declares (the hateful
    side takes the filler's first value, the benign side its second). ``benign=None`` means the same
    template, so the pair differs only in its fillers.
    """

    hateful: str
    benign: str | None = None
    labels: Labels | None = None
    """Overrides the family's hateful-side labels for this template."""


@dataclass(frozen=True)
class Family:
    """A frame family: one way of phrasing a phenomenon, with its minimal benign edits."""

    name: str
    phenomenon: str
    edit: str
    """What the benign side changes (positive statement, counter-speech, non-group target …)."""
    sides: tuple[str, str]
    """The side names, hateful first: ("hateful", "benign"), ("threat", "idiom"), ("insult", "profanity")."""
    labels: Labels
    pairs: tuple[Pair, ...]
    fills: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    targets: tuple[str, ...] = ()
    """The pool that fills ``{N}``."""
    count: int = 160
    """How many pairs to draw."""
    held_out: bool = False
    obfuscate: str | None = None
    """A spelling change applied to both sides ("leet", "spacing"), or None."""
    group_keys: tuple[str, ...] = ()
    """Restricts the family to these groups (empty: every group a template's slots allow)."""


def same(*values: str) -> tuple[tuple[str, str], ...]:
    """Fillers that read the same on both sides."""
    return tuple((value, value) for value in values)
