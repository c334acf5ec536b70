"""Identity groups and the words that name them: for per-group metrics and for counterfactual swaps.

The lists are the project's own. They name groups ("Muslims", "gay men", "Mexican"); slurs are not
here (they are in the word lists), because a slur is evidence and a group's name must not be.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

GROUP_TERMS: dict[str, tuple[str, ...]] = {
    "black": ("black", "blacks", "black people", "african american", "african americans", "african-american"),
    "jewish": ("jew", "jews", "jewish", "judaism"),
    "muslim": ("muslim", "muslims", "islam", "islamic"),
    "lgbtq": ("gay", "gays", "lesbian", "lesbians", "bisexual", "bisexuals", "homosexual", "homosexuals",
              "queer", "lgbt", "lgbtq"),
    "trans": ("trans", "transgender", "transgenders", "transsexual", "transsexuals", "trans people"),
    "women": ("woman", "women", "female", "females"),
    "asian": ("asian", "asians", "chinese", "japanese", "korean", "koreans"),
    "latino": ("latino", "latinos", "latina", "latinas", "hispanic", "hispanics", "mexican", "mexicans"),
    "immigrants": ("immigrant", "immigrants", "migrant", "migrants", "refugee", "refugees"),
    "christian": ("christian", "christians", "christianity", "catholic", "catholics"),
    "arab": ("arab", "arabs", "middle eastern"),
    "disabled": ("disabled", "disability", "disabilities", "autistic"),
    "white": ("white people", "whites", "caucasian", "caucasians"),
}
"""Group -> terms (lower case, whole words) that name it."""

REPORTED_GROUPS: tuple[str, ...] = (
    "black", "jewish", "muslim", "lgbtq", "women", "asian", "latino", "trans", "immigrants",
)
"""The groups whose bias metrics the report and the benchmark must show (issue 12)."""

TOXIGEN_GROUPS: dict[str, str] = {
    "black": "black", "jewish": "jewish", "muslim": "muslim", "lgbtq": "lgbtq", "bisexual": "lgbtq",
    "women": "women", "asian": "asian", "chinese": "asian", "mexican": "latino", "latino": "latino",
    "trans": "trans", "immigrant": "immigrants", "middle_east": "arab",
    "physical_disability": "disabled", "mental_disability": "disabled",
}
"""ToxiGen's target-group names -> ours (the ones without a counterpart here are left out)."""


@cache
def _pattern(group: str) -> re.Pattern[str]:
    terms = sorted(GROUP_TERMS[group], key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(term) for term in terms) + r")(?![\w-])", re.IGNORECASE)


def groups_in(text: str) -> set[str]:
    """The groups a text names by one of their terms (whole words, any case)."""
    return {group for group in GROUP_TERMS if _pattern(group).search(text)}


def mentions(texts: Iterable[str], group: str) -> list[bool]:
    """For each text, whether it names ``group``."""
    pattern = _pattern(group)
    return [bool(pattern.search(text)) for text in texts]
