"""The per-token feature rows must add up to the document's features: spans depend on it."""

from __future__ import annotations

from collections import Counter

import pytest

from classifier.features import FeatureIndexer, char_ngrams

LEXICON = {"kike": ["surge:racial / ethnic slurs:severe"], "sieg heil": ["hate_symbol:phrase"],
           "white power now": ["hate_symbol:phrase"]}


@pytest.mark.parametrize(
    "tokens",
    [
        [],
        ["hello"],
        ["sieg", "heil", "you", "kike"],
        ["white", "power", "now", "white", "power"],
        ["a", "a", "a", "😂", "a"],
    ],
)
def test_token_rows_sum_to_document_counts(tokens: list[str]) -> None:
    indexer = FeatureIndexer(2**18, LEXICON)
    document = Counter(indexer.document_indices(tokens))
    summed: Counter = Counter()
    for row in indexer.token_rows(tokens):
        for column, share in row.items():
            summed[column] += share
    assert set(summed) == set(document)
    for column, count in document.items():
        assert summed[column] == pytest.approx(count)


def test_lexicon_tags_become_features_of_the_matching_tokens() -> None:
    indexer = FeatureIndexer(2**18, LEXICON)
    tag = indexer.index("l:hate_symbol:phrase")
    rows = indexer.token_rows(["he", "said", "sieg", "heil"])
    assert tag not in rows[0] and tag not in rows[1]
    assert rows[2][tag] == pytest.approx(0.5) and rows[3][tag] == pytest.approx(0.5)


def test_char_ngrams_are_bounded_for_huge_tokens() -> None:
    assert len(char_ngrams("x" * 100_000)) == len(char_ngrams("x" * 24))


def test_cache_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("classifier.features.CACHE_LIMIT", 50)
    indexer = FeatureIndexer(2**18, {})
    for number in range(500):
        indexer.document_indices([f"junk{number}", f"more{number}"])
    assert len(indexer._tokens) <= 51 and len(indexer._strings) <= 51
