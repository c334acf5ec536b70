"""The contrast recipe: pair losses, pairs from the contrast set, and a short run that checkpoints and continues."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from classifier.adapter_training import Recipe
from classifier.contrast_training import (
    CURVE_FILE,
    HEAD_FILE,
    ContrastRecipe,
    contrast_pairs,
    pair_loss,
    real_rows,
    train_on_contrast,
)
from classifier.corpus import labels_of
from classifier.datasets.contrast_sets import split_contrast
from classifier.datasets.loaders import load_seed
from classifier.encoder.adapter import ADAPTER_FILE, RECIPE_FILE, read_adapter
from classifier.heads import HEADS
from classifier.training import training_weights
from tests.conftest import SEED


def test_the_margin_asks_a_pairs_hateful_member_to_score_higher() -> None:
    labels = torch.tensor([[1.0, 1.0], [0.0, 0.0]])  # a hateful member, then its benign edit
    apart = torch.tensor([[3.0, 3.0], [-3.0, -3.0]])
    _, satisfied = pair_loss(apart, labels, margin=2.0)
    _, reversed_ = pair_loss(apart.flip(0), labels, margin=2.0)
    assert satisfied.item() == 0.0 and reversed_.item() == 8.0  # 2 - (-6) on both heads, averaged
    unknown = torch.tensor([[float("nan"), 1.0], [float("nan"), 0.0]])
    _, only_slur = pair_loss(apart.flip(0), unknown, margin=2.0)
    assert only_slur.item() == 8.0  # a head the set leaves open adds nothing


def test_contrast_pairs_are_the_sets_pairs() -> None:
    training, held_out = split_contrast()
    pairs = contrast_pairs(training)
    assert len(pairs) * 2 == len(training) and contrast_pairs(held_out)
    texts, labels = pairs[0]
    assert len(texts) == 2 and labels.shape == (2, len(HEADS))
    assert (np.nan_to_num(labels[0]) != np.nan_to_num(labels[1])).any()


def test_a_short_run_checkpoints_and_continues_with_its_head(tmp_path: Path) -> None:
    """Seed rows as the real rows, a few pairs, rank 2: the recipe's code path in seconds."""
    examples = load_seed(SEED)[:96]
    labels = labels_of(examples)
    recipe = Recipe(rows=96, rank=2, warmup_steps=1, threads=1)
    real = real_rows(examples, labels, training_weights(examples, labels), recipe)
    training, held_out = split_contrast()
    pairs, held = contrast_pairs(training)[:8], contrast_pairs(held_out)[:6]
    validation = (real.texts[:40], labels_of(examples)[:40])
    contrast = ContrastRecipe(pairs_per_batch=2, real_per_batch=8, epochs=1.0, learning_rate=5e-3)
    curve = train_on_contrast(real, pairs, held, validation, recipe, contrast, tmp_path / "run",
                              progress=lambda _: None)
    assert [point["step"] for point in curve] == [0, 6, 12]  # before, then every half epoch (96 rows / 8 a step)
    assert {f"held_out_{head}_pair_accuracy" for head in HEADS} <= set(curve[-1])
    written = [json.loads(line) for line in (tmp_path / "run" / CURVE_FILE).read_text().splitlines()]
    assert written == curve
    assert read_adapter(tmp_path / "run")  # a checkpoint reads as an adapter: `--init` and the graph take it
    assert (tmp_path / "run" / HEAD_FILE).is_file()
    recipe_file = json.loads((tmp_path / "run" / RECIPE_FILE).read_text())
    assert recipe_file["contrast"]["margin"] == 2.0 and recipe_file["step"] == 12
    before = (tmp_path / "run" / ADAPTER_FILE).read_bytes()
    more = train_on_contrast(real, pairs, held, validation, recipe, contrast, tmp_path / "more",
                             initial=tmp_path / "run", progress=lambda _: None)
    assert more[0]["step"] == 0 and (tmp_path / "more" / ADAPTER_FILE).read_bytes() != before
