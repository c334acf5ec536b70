"""The bar training shows while it encodes texts: rows done, rate, time left; the same vectors."""

from __future__ import annotations

import numpy as np
import pytest

from classifier.progress import MIN_ROWS, encode_with_progress


def _encode(texts: list[str]) -> np.ndarray:
    return np.array([[float(len(text)), 1.0] for text in texts], dtype=np.float32)


def test_encoding_many_texts_shows_a_bar_and_gives_the_vectors_of_one_call(capsys: pytest.CaptureFixture) -> None:
    texts = [f"comment number {i}" for i in range(MIN_ROWS + 300)]
    np.testing.assert_array_equal(encode_with_progress(_encode, texts), _encode(texts))
    shown = capsys.readouterr().err
    assert "encoding texts" in shown and f"/{len(texts)}" in shown and "text/s" in shown


def test_a_few_texts_are_encoded_quietly(capsys: pytest.CaptureFixture) -> None:
    np.testing.assert_array_equal(encode_with_progress(_encode, ["a", "bb"]), _encode(["a", "bb"]))
    assert capsys.readouterr().err == ""
