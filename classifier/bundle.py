"""Model bundles: one folder per trained version holding the model file and its metadata.

Layout: ``<models dir>/<version>/model.skops`` plus ``metadata.json`` (version, created, datasets with
sha256, metrics, thresholds, library versions, the model file's own sha256), ``report.json`` and
``report.png``. Loading never executes code from the file: skops rebuilds only the types listed in
TRUSTED_TYPES (plus numpy/scipy/scikit-learn basics it trusts itself), and the file's sha256 must match
its metadata (and, when the caller has one, the registry's) before skops even opens it.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import scipy
import sklearn
import skops
import skops.io as skops_io

from classifier.datasets.catalogue import sha256_file
from classifier.ensemble import EnsembleClassifier
from classifier.model import CommentClassifier

MODEL_FILE = "model.skops"
METADATA_FILE = "metadata.json"
REPORT_FILE = "report.json"
PLOT_FILE = "report.png"
TRUSTED_TYPES = ["classifier.ensemble.EnsembleClassifier", "classifier.model.CommentClassifier"]
ENCODER_CACHE = ".encoders"
"""Folder beside the bundles for encoder graphs and cached vectors (derived files, rebuilt when missing)."""
Model = EnsembleClassifier | CommentClassifier


class BundleError(Exception):
    """A bundle that is missing, unreadable, tampered with or of an unknown shape."""


@dataclass(frozen=True)
class Bundle:
    """A loaded model with the metadata it was saved with."""

    model: Model
    metadata: dict
    path: Path

    @property
    def version(self) -> str:
        """The bundle's version string."""
        return str(self.metadata["version"])

    @property
    def thresholds(self) -> dict[str, float]:
        """Default flag thresholds per head, chosen on held-out data when the model was trained."""
        return {head: float(value) for head, value in self.metadata["thresholds"].items()}


def new_version(now: datetime | None = None) -> str:
    """A sortable version string from the UTC time, e.g. ``v20261127-051203``."""
    return (now or datetime.now(UTC)).strftime("v%Y%m%d-%H%M%S")


def library_versions() -> dict[str, str]:
    """Versions of everything that shapes a bundle's numbers."""
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "skops": skops.__version__,
        **_encoder_libraries(),
    }


def _encoder_libraries() -> dict[str, str]:
    from importlib import metadata

    versions = {}
    for package in ("onnxruntime", "tokenizers", "torch"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")


def save_bundle(model: Model, metadata: dict, models_dir: Path, report: dict | None = None) -> Path:
    """Write a bundle folder atomically (a half-written bundle is never visible) and return it."""
    version = metadata["version"]
    models_dir.mkdir(parents=True, exist_ok=True)
    final = models_dir / version
    if final.exists():
        raise BundleError(f"bundle {version} already exists in {models_dir}")
    staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=models_dir))
    skops_io.dump(model, staging / MODEL_FILE, compression=zipfile.ZIP_DEFLATED)
    metadata = {
        **metadata,
        "model_file": MODEL_FILE,
        "sha256": sha256_file(staging / MODEL_FILE),
        "size_bytes": (staging / MODEL_FILE).stat().st_size,
        "libraries": library_versions(),
    }
    _write_json(staging / METADATA_FILE, metadata)
    if report is not None:
        _write_json(staging / REPORT_FILE, report)
    os.replace(staging, final)
    return final


def read_metadata(path: Path) -> dict:
    """Metadata of the bundle folder ``path`` (or of the folder holding the model file ``path``)."""
    folder = path if path.is_dir() else path.parent
    try:
        return json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BundleError(f"no {METADATA_FILE} in {folder}") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BundleError(f"unreadable {METADATA_FILE} in {folder}: {error}") from error


def load_bundle(path: Path, expected_sha256: str | None = None, cache_dir: Path | None = None) -> Bundle:
    """Load a bundle folder, refusing a model file whose sha256 differs from its metadata or the registry.

    ``cache_dir`` is where the encoder's graph is kept (built there on first use); by default the
    models directory's ENCODER_CACHE folder.
    """
    folder = path if path.is_dir() else path.parent
    metadata = read_metadata(folder)
    model_path = folder / metadata.get("model_file", MODEL_FILE)
    if not model_path.exists():
        raise BundleError(f"model file missing: {model_path}")
    actual = sha256_file(model_path)
    for expected, who in ((metadata.get("sha256"), "its metadata"), (expected_sha256, "the registry")):
        if expected is not None and actual != expected:
            raise BundleError(f"{model_path} does not match {who} (sha256 {actual[:12]}… ≠ {expected[:12]}…)")
    try:
        model = skops_io.load(model_path, trusted=TRUSTED_TYPES)
    except Exception as error:  # skops raises many types for a hostile or corrupt file; all mean "refuse"
        raise BundleError(f"cannot load {model_path}: {error}") from error
    if not isinstance(model, EnsembleClassifier | CommentClassifier):
        raise BundleError(f"{model_path} holds a {type(model).__name__}, not a comment model")
    if isinstance(model, EnsembleClassifier):
        model.use_cache_dir(cache_dir or folder.parent / ENCODER_CACHE)
    return Bundle(model=model, metadata=metadata, path=folder)


def latest_bundle(models_dir: Path) -> Path | None:
    """The newest complete bundle folder under ``models_dir`` (versions sort by time), if any."""
    if not models_dir.is_dir():
        return None
    versions = sorted(
        child for child in models_dir.iterdir() if child.is_dir() and (child / METADATA_FILE).exists()
    )
    return versions[-1] if versions else None
