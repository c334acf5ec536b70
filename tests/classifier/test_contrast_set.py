"""The synthetic contrast set (issue 18, item 3): rebuilt byte for byte, minimal pairs, no check text in it."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from classifier.datasets.contrast.build import COLUMNS, FAMILIES, main
from classifier.datasets.contrast_sets import (
    CONTRAST,
    CONTRAST_HELD_OUT,
    DEFAULT_PATH,
    contrast_multiplier,
    contrast_row_weight,
    labels,
    load_contrast,
    split_contrast,
)
from classifier.datasets.loaders import LOADERS
from classifier.datasets.readers import read_rows

CHECKS = Path(__file__).resolve().parents[2] / "data" / "checks"
HEADS = ("hostility", "slur", "threat", "insult")
_SPACED = re.compile(r"(?<![^\W_])(?:[^\W_][ .]){2,}[^\W_](?![^\W_])")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return read_rows(DEFAULT_PATH)


@pytest.fixture(scope="module")
def pairs(rows: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    by_pair: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_pair[row["pair_id"]].append(row)
    return by_pair


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()


def _tokens(text: str) -> list[str]:
    # Spaced or dotted letters ("k i l l", "k.i.l.l") are one word, as the model's normaliser reads them.
    text = _SPACED.sub(lambda match: re.sub(r"[ .]", "", match.group(0)), text.lower())
    return [word for word in (chunk.strip(".,!?;:\"'“”’…") for chunk in text.split()) if word]


def _edit_distance(a: list[str], b: list[str]) -> int:
    previous = list(range(len(b) + 1))
    for i, left in enumerate(a, 1):
        current = [i]
        for j, right in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (left != right)))
        previous = current
    return previous[-1]


def test_pairs_csv_is_what_the_build_writes(tmp_path: Path) -> None:
    out = tmp_path / "pairs.csv"
    assert main([str(out)]) == 0
    assert out.read_bytes() == DEFAULT_PATH.read_bytes(), "rebuild: python -m classifier.datasets.contrast.build"


def test_the_file_has_the_documented_columns(rows: list[dict[str, str]]) -> None:
    assert tuple(rows[0]) == COLUMNS
    assert {row["held_out"] for row in rows} == {"0", "1"}
    for row in rows:
        assert all(value in (None, 0, 1) for value in labels(row).values())


def test_every_pair_is_two_rows_a_small_edit_apart_whose_labels_differ(
    pairs: dict[str, list[dict[str, str]]],
) -> None:
    for pair_id, members in pairs.items():
        assert len(members) == 2, pair_id
        hateful, benign = members
        assert hateful["family"] == benign["family"] and hateful["side"] != benign["side"]
        assert any(labels(hateful)[head] != labels(benign)[head] for head in HEADS), pair_id
        a, b = _tokens(hateful["text"]), _tokens(benign["text"])
        # A minimal edit: at most 4 words, or 60% of the longer side (a quotation frame adds a few words).
        assert _edit_distance(a, b) <= max(4, math.ceil(0.6 * max(len(a), len(b)))), (hateful["text"], benign["text"])


def test_labels_follow_the_side(pairs: dict[str, list[dict[str, str]]]) -> None:
    for hateful, benign in pairs.values():
        assert hateful["side"] in ("hateful", "threat", "insult")
        assert benign["side"] in ("benign", "idiom", "profanity")
        assert all(labels(benign)[head] == 0 for head in HEADS)
        assert labels(hateful)["hostility"] == 1  # every hateful side is hostile, a slur above all
        if hateful["side"] == "threat":
            assert labels(hateful)["threat"] == 1 and labels(hateful)["slur"] == 0
        if hateful["side"] == "insult":
            assert labels(hateful)["insult"] == 1 and labels(hateful)["slur"] == 0
        if labels(hateful)["slur"] == 1:
            assert hateful["group"], hateful["text"]  # group hate names the group it is aimed at
        if benign["side"] == "profanity":
            assert labels(benign)["profanity"] == 1, benign["text"]  # swearing at nobody


def test_no_text_is_written_twice(rows: list[dict[str, str]]) -> None:
    counts = Counter(_normal(row["text"]) for row in rows)
    assert [text for text, n in counts.items() if n > 1] == []


def test_no_text_is_a_functional_check(rows: list[dict[str, str]]) -> None:
    # The checks judge the model and must never be trained on; compare whole texts and single sentences.
    checks: set[str] = set()
    for path in sorted(CHECKS.glob("*.csv")):
        for check in read_rows(path):
            checks.add(_normal(check["text"]))
            checks.update(_normal(sentence) for sentence in _SENTENCE_END.split(check["text"]))
    assert len(checks) > 500
    assert [row["text"] for row in rows if _normal(row["text"]) in checks] == []


def test_no_check_sentence_is_inside_a_text(rows: list[dict[str, str]]) -> None:
    # Stricter than equality: a check sentence of four words or more wrapped in a style ("Honestly, …
    # Just saying.") is still a check text.
    def words(text: str) -> str:
        return " " + " ".join(re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))) + " "

    sentences = {
        words(sentence)
        for path in sorted(CHECKS.glob("*.csv"))
        for check in read_rows(path)
        for sentence in [check["text"], *_SENTENCE_END.split(check["text"])]
        if len(words(sentence).split()) >= 4
    }
    texts = {row["text"]: words(row["text"]) for row in rows}
    assert [text for text, normal in texts.items() if any(s in normal for s in sentences)] == []


def test_held_out_families_are_whole_families_of_different_phenomena(rows: list[dict[str, str]]) -> None:
    held_out = {row["family"] for row in rows if row["held_out"] == "1"}
    training = {row["family"] for row in rows if row["held_out"] == "0"}
    assert len(held_out) >= 4 and not held_out & training
    assert {family.name for family in FAMILIES if family.held_out} == held_out
    assert len({row["phenomenon"] for row in rows if row["held_out"] == "1"}) >= 4
    # Each held-out family's phenomenon is also trained on in another frame: generalisation, not novelty.
    trained_sides = {row["side"] for row in rows if row["held_out"] == "0"}
    assert {row["side"] for row in rows if row["held_out"] == "1"} <= trained_sides


def test_the_set_is_large_and_broad(rows: list[dict[str, str]], pairs: dict[str, list[dict[str, str]]]) -> None:
    assert len(pairs) >= 4000 and len(rows) == 2 * len(pairs)
    families = Counter(row["family"] for row in rows)
    assert len(families) >= 25
    assert len({row["group"] for row in rows if row["group"]}) >= 25
    wanted = {family.name: 2 * family.count for family in FAMILIES}
    assert dict(families) == wanted  # no family ran short of new texts


def test_the_loader_keeps_a_pair_in_one_group_and_splits_by_family(rows: list[dict[str, str]]) -> None:
    examples = load_contrast()
    assert len(examples) == len(rows)
    assert set(Counter(e.group for e in examples).values()) == {2}
    training, held_out = split_contrast()
    assert len(training) + len(held_out) == len(examples) and held_out
    assert {e.source for e in training} == {CONTRAST} and {e.source for e in held_out} == {CONTRAST_HELD_OUT}
    assert not {e.group for e in training} & {e.group for e in held_out}
    lesbian = next(e for e in examples if "lesbian" in e.targets)
    assert "lgbtq" in lesbian.targets  # counted under the wider group too, for per-group metrics
    assert any(e.targets == () for e in examples)  # a non-group edit names no group
    assert CONTRAST not in LOADERS  # wired in later, with the encoder's training


def test_the_suggested_weights_keep_the_set_a_minority() -> None:
    real = {"a": 10_000, "b": 40_000}
    multiplier = contrast_multiplier(real, 8_000, share=0.1)
    contrast_total = math.sqrt(8_000) * multiplier
    assert contrast_total / (contrast_total + math.sqrt(10_000) + math.sqrt(40_000)) == pytest.approx(0.1)
    assert contrast_multiplier({"a": 100}, 8_000, share=0.5) < 1.0
    assert contrast_multiplier({"a": 10**9}, 8_000) == 1.0  # never more than an ordinary source of its size
    assert contrast_row_weight(90_000, 8_000, share=0.1) == 1.0
    assert contrast_row_weight(9_000, 8_000, share=0.1) == pytest.approx(0.125)
