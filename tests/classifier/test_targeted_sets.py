"""HatemojiBuild, EDOS and MLMA: their documented label mapping and splits, on the shared copies."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from classifier.datasets.evaluation_sets import EVALUATION_LOADERS
from classifier.datasets.loaders import LOADERS
from classifier.datasets.readers import read_rows
from classifier.datasets.targeted_sets import (
    EDOS,
    EDOS_TEST,
    HATEMOJI,
    HATEMOJI_TEST,
    MLMA,
    load_edos,
    load_edos_test,
    load_hatemoji,
    load_hatemoji_test,
    load_mlma,
)


def _labels(examples) -> Counter:
    return Counter((e.label("hostility"), e.label("slur")) for e in examples)


def test_hatemoji_keeps_every_contrast_pair_on_one_side(datasets_dir: Path) -> None:
    folder = datasets_dir / HATEMOJI
    training, test = load_hatemoji(folder), load_hatemoji_test(folder)
    assert len(test) == 593 and sum(e.label("slur") for e in test) == 308  # the README's test counts
    tested_pairs = {e.group for e in test}
    assert not tested_pairs & {e.group for e in training}
    # Each group of the training rows is one original and its perturbation.
    assert set(Counter(e.group for e in training).values()) == {2}
    assert _labels(training)[(1, 1)] > 100  # threatening language: hostile as well as hateful
    assert _labels(training).keys() == {(1, 1), (None, 1), (None, 0)}
    assert any(ord(ch) > 0x2000 for ch in training[0].text)  # the emoji are kept


def test_edos_uses_its_official_split_and_leaves_hostility_open_where_unjudged(datasets_dir: Path) -> None:
    folder = datasets_dir / EDOS
    training, test = load_edos(folder), load_edos_test(folder)
    assert len(training) == 16000 and len(test) == 4000
    assert sum(e.label("slur") for e in test) == 970 and sum(e.label("slur") for e in training) == 3398 + 486
    counts = _labels(training)
    assert counts[(None, 0)] == 16000 - 3884  # not sexist: judged for sexism only
    assert counts[(1, 1)] > 0 and counts[(None, 1)] > counts[(1, 1)]
    assert not any("[USER]" in e.text or "[URL]" in e.text for e in training)
    assert all(e.targets == ("women",) for e in training)


def test_mlma_drops_disagreement_and_caps_the_dominant_slur(datasets_dir: Path) -> None:
    examples = load_mlma(datasets_dir / MLMA)
    counts = _labels(examples)
    rows = read_rows(datasets_dir / MLMA / "en_dataset_with_stop_words.csv")
    assert sum(row["sentiment"] == "normal" for row in rows) == 661  # the README's count
    assert counts[(0, 0)] == 658  # three of them are only a masked handle and link: nothing left to read
    assert counts[(1, 1)] > 0 and counts[(None, 1)] > counts[(1, 1)]
    assert sum("retard" in e.text.lower() for e in examples if e.label("slur") == 1) == 300
    assert not any("@user" in e.text.lower() or "@url" in e.text.lower() for e in examples)


def test_new_sets_train_and_their_test_splits_only_judge() -> None:
    assert {HATEMOJI, EDOS, MLMA} <= set(LOADERS)
    assert {HATEMOJI_TEST, EDOS_TEST} <= set(EVALUATION_LOADERS)
