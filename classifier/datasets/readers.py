"""File readers the dataset loaders share: CSV/TSV rows and whitespace clean-up."""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

_SPACES = re.compile(r"\s+")

# Some sets hold comments longer than csv's default 128 KiB field limit would allow.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def read_rows(path: Path, delimiter: str = ",", encoding: str = "utf-8") -> list[dict[str, str]]:
    """Every row of a CSV (or, with ``delimiter="\\t"``, TSV) file with a header, as dicts.

    Undecodable bytes become U+FFFD instead of failing the whole file: RedditBias's Jews file has one
    stray Mac Roman byte.
    """
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def squash(text: str) -> str:
    """Runs of whitespace (newlines inside comments included) as one space, ends trimmed."""
    return _SPACES.sub(" ", text).strip()
