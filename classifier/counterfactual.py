"""Counterfactual group swaps: the same sentence about another group, with the same label.

"I'm a proud gay Muslim" and "I'm a proud Black Jew" must read alike, and so must "Mexicans are
vermin" and "Muslims are vermin". Training on swapped copies teaches that the group's name is not
the evidence, what is said about it is (Garg et al. 2019, "Counterfactual Fairness in Text
Classification through Robustness"). Only terms with an obvious grammatical twin are swapped: an
adjective for an adjective, a plural noun for a plural noun.
"""

from __future__ import annotations

import random
import re
from functools import cache

SWAPPABLE: dict[str, dict[str, str]] = {
    "adjective": {
        "muslim": "muslim", "islamic": "muslim", "jewish": "jewish", "black": "black", "gay": "lgbtq",
        "lesbian": "lgbtq", "bisexual": "lgbtq", "mexican": "latino", "latino": "latino", "hispanic": "latino",
        "asian": "asian", "chinese": "asian", "korean": "asian", "trans": "trans", "transgender": "trans",
        "christian": "christian", "catholic": "christian", "hindu": "hindu", "sikh": "sikh", "arab": "arab",
        "african": "black", "indian": "indian", "immigrant": "immigrants",
    },
    "plural": {
        "muslims": "muslim", "jews": "jewish", "blacks": "black", "gays": "lgbtq", "lesbians": "lgbtq",
        "mexicans": "latino", "latinos": "latino", "hispanics": "latino", "asians": "asian",
        "immigrants": "immigrants", "migrants": "immigrants", "refugees": "immigrants", "women": "women",
        "christians": "christian", "catholics": "christian", "hindus": "hindu", "sikhs": "sikh",
        "arabs": "arab", "africans": "black", "indians": "indian", "koreans": "asian",
    },
}
"""Grammatical form -> term (lower case) -> the group it names."""


@cache
def _pattern() -> re.Pattern[str]:
    terms = sorted({term for table in SWAPPABLE.values() for term in table}, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(terms) + r")(?![\w-])", re.IGNORECASE)


def _form_of(term: str) -> str:
    return next(form for form, table in SWAPPABLE.items() if term in table)


def _cased_like(replacement: str, original: str) -> str:
    if original.isupper() and len(original) > 1:
        return replacement.upper()
    return replacement.capitalize() if original[:1].isupper() else replacement


def swappable(text: str) -> bool:
    """Whether the text names a group by a term that has a twin to swap in."""
    return _pattern().search(text) is not None


def swap_groups(text: str, rng: random.Random) -> str:
    """The text with every swappable group term replaced by one term of a single other group.

    All mentions of one group become the same other group, so "Jews ... Jewish" stays consistent;
    the replacement keeps the original's capitalisation and grammatical form.
    """
    matches = list(_pattern().finditer(text))
    if not matches:
        return text
    groups = {SWAPPABLE[_form_of(m.group(1).lower())][m.group(1).lower()] for m in matches}
    mapping: dict[str, str] = {}
    for group in sorted(groups):
        others = sorted({g for table in SWAPPABLE.values() for g in table.values()} - groups - set(mapping.values()))
        mapping[group] = rng.choice(others)

    def replace(match: re.Match[str]) -> str:
        term = match.group(1).lower()
        form = _form_of(term)
        target = mapping[SWAPPABLE[form][term]]
        candidates = sorted(t for t, g in SWAPPABLE[form].items() if g == target)
        if not candidates:
            return match.group(1)  # the target group has no term of this form: leave the mention as it was
        return _cased_like(rng.choice(candidates), match.group(1))

    return _pattern().sub(replace, text)
