"""The committed LoRA adapter: read with safetensors' numpy loader (no pickle, no PyTorch).

``classifier/resources/encoder/`` holds ``adapter.safetensors`` and ``recipe.json``, written by
``python -m classifier.adapter_training`` (the command and its settings are in recipe.json).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file

from classifier.encoder.export import ALPHA_KEY

ADAPTER_FILE = "adapter.safetensors"
RECIPE_FILE = "recipe.json"


def read_adapter(folder: Path) -> dict[str, np.ndarray]:
    """An adapter folder's tensors plus its alpha (from recipe.json) under ``export.ALPHA_KEY``."""
    tensors = load_file(str(folder / ADAPTER_FILE))
    recipe = json.loads((folder / RECIPE_FILE).read_text(encoding="utf-8"))
    return {**tensors, ALPHA_KEY: np.asarray(float(recipe["recipe"]["alpha"]), dtype=np.float32)}


@cache
def committed_adapter() -> dict[str, np.ndarray]:
    """The adapter shipped with the package; empty (the plain base encoder) if none is there."""
    folder = Path(str(resources.files("classifier").joinpath("resources/encoder")))
    if not (folder / ADAPTER_FILE).is_file():
        return {}
    return read_adapter(folder)
