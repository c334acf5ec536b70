"""Word lists turned into features: which tokens of a comment are known slurs, profanity or hate codes.

The lists are read once at training time and stored inside the model as a plain dict, so a bundle
scores the same on a machine that has none of the source files. Terms are normalised exactly like
comment text, so "c00n", "ｃｏｏｎ" and "coon" are one entry.
"""

from __future__ import annotations

import csv
from pathlib import Path

from classifier.normalize import normalize, tokenize

MAX_TERM_WORDS = 3
"""Longest multi-word term matched; longer list entries are rare and mostly sexual phrases."""


def _key(term: str) -> str:
    return " ".join(token for token, _, _ in tokenize(normalize(term).text))


def _add(lexicon: dict[str, set[str]], term: str, tag: str) -> None:
    key = _key(term)
    if key and len(key.split()) <= MAX_TERM_WORDS:
        lexicon.setdefault(key, set()).add(tag)


def _severity(description: str) -> str:
    return {"Mild": "mild", "Strong": "strong", "Severe": "severe"}.get(description, "mild")


def read_surge(path: Path, lexicon: dict[str, set[str]]) -> None:
    """Add Surge AI's list: one tag per (category, severity), e.g. ``surge:racial / ethnic slurs:severe``."""
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            severity = _severity(row["severity_description"])
            for column in ("category_1", "category_2", "category_3"):
                if row[column]:
                    _add(lexicon, row["text"], f"surge:{row[column]}:{severity}")


def read_ldnoobw(path: Path, lexicon: dict[str, set[str]]) -> None:
    """Add the LDNOOBW list as a single untyped ``ldnoobw`` tag (it carries no categories)."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            _add(lexicon, line.strip(), "ldnoobw")


AMBIGUOUS_SYMBOL = "hate_symbol:ambiguous"
"""Tag of codes that are innocent alone ("88", "14"): evidence only next to other evidence."""


def read_hate_symbols(path: Path, lexicon: dict[str, set[str]]) -> None:
    """Add the project's own hate-symbol list (data/lexicons/hate_symbols.csv), tagged by kind.

    Entries whose meaning says "ambiguous" are tagged AMBIGUOUS_SYMBOL instead of their kind.
    """
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            ambiguous = "ambiguous" in row["meaning"].lower()
            _add(lexicon, row["term"], AMBIGUOUS_SYMBOL if ambiguous else f"hate_symbol:{row['kind']}")


def build_lexicon(datasets_dir: Path | None, hate_symbols: Path | None) -> tuple[dict[str, list[str]], list[str]]:
    """Read whichever word lists exist; return ``(term -> sorted tags, names of the lists read)``."""
    lexicon: dict[str, set[str]] = {}
    used = []
    if datasets_dir is not None:
        surge = datasets_dir / "lexicon_surge_profanity_en" / "profanity_en.csv"
        if surge.exists():
            read_surge(surge, lexicon)
            used.append("lexicon_surge_profanity_en")
        ldnoobw = datasets_dir / "lexicon_ldnoobw_en" / "en.txt"
        if ldnoobw.exists():
            read_ldnoobw(ldnoobw, lexicon)
            used.append("lexicon_ldnoobw_en")
    if hate_symbols is not None and hate_symbols.exists():
        read_hate_symbols(hate_symbols, lexicon)
        used.append("hate_symbols")
    return {term: sorted(tags) for term, tags in sorted(lexicon.items())}, used
