"""The fast tokeniser must give exactly the tokens of full normalisation, or training and scoring drift."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.corpus import load_corpus
from classifier.normalize import normalize, tokenize
from classifier.words import words
from tests.conftest import REPOSITORY, SEED


def full(text: str) -> list[str]:
    return [token for token, _, _ in tokenize(normalize(text).text)]


TRICKY = [
    "f u c k you", "(f u c k)", "so f u c", "I a m", "k.i.k.e", "U.S.A. rules", "x\ty\tz", "a\u200bb c",
    "@mayasolovely lol", "see https://example.com/a b c", "sh!!!t", "ｆｕｃｋ", "kоt", "кот и пёс", "cafe\u0301",
    "e\u0301 e\u0301 e\u0301", "1 4 8 8", "n1gg3r", "   spaced   out   ", "", "☕️☕️☕️ send help 😂",
    "it's a shame", "it's a b", "x aaaa b", "3!f    f  3@a\x00a@b.c", "f \x00 u \u2060 c k", "mail me@x.org a b c",
]
PIECES = st.sampled_from(["f", "u", "c", "k", " ", "  ", ".", "-", "1", "3", "@", "$", "!", "a", "I", "ss", "о",
                          "\u200b", "\u0301", "😂", "\ufe0f", "\n", "’", "www.", "://", "kike", "Ｆ", "88"])


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_texts(text: str) -> None:
    assert words(text) == full(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=30).map("".join))
def test_generated_evasions(text: str) -> None:
    assert words(text) == full(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_unicode(text: str) -> None:
    assert words(text) == full(text)


def test_every_seed_and_check_text() -> None:
    texts = [e.text for e in load_corpus(None, SEED).examples]
    for path in (REPOSITORY / "data" / "checks").glob("*.csv"):
        with Path(path).open(encoding="utf-8", newline="") as handle:
            texts += [row["text"] for row in csv.DictReader(handle)]
    assert [t for t in texts if words(t) != full(t)] == []


def test_every_dataset_text(datasets_dir: Path) -> None:
    texts = [e.text for e in load_corpus(datasets_dir, None).examples]
    assert [t for t in texts if words(t) != full(t)] == []
