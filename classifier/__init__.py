"""The classifier's public face: what the service, the worker and the command line may import.

Everything else in this package is internal (``tests/test_public_face.py`` holds the service and the
worker to it). Names are loaded on first use (PEP 562), so ``from classifier import HEADS`` does not pull
in numpy's model stack and ONNX Runtime: a command that only parses its arguments stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from classifier.bundle import (
        METADATA_FILE,
        Bundle,
        BundleError,
        Model,
        latest_bundle,
        load_bundle,
        new_version,
        read_metadata,
    )
    from classifier.cli import ClassifierDefaults, UsageError, register, train_with_progress
    from classifier.corpus import MODERATOR_SOURCE, labels_of
    from classifier.datasets.examples import Example
    from classifier.head_arrays import apply_floors
    from classifier.heads import HEAD_SPECS, HEADS, Head
    from classifier.names import NameMatch
    from classifier.scoring import NameScore, Score, Scorer
    from classifier.spans import Span
    from classifier.training import Candidate, TrainingSources, TrainResult, scores_of, train, train_candidate

_EXPORTS: dict[str, str] = {
    # the heads
    "HEADS": "classifier.heads",
    "HEAD_SPECS": "classifier.heads",
    "Head": "classifier.heads",
    "apply_floors": "classifier.head_arrays",
    # scoring
    "Score": "classifier.scoring",
    "Scorer": "classifier.scoring",
    "NameScore": "classifier.scoring",
    "NameMatch": "classifier.names",
    "Span": "classifier.spans",
    # bundles
    "Bundle": "classifier.bundle",
    "BundleError": "classifier.bundle",
    "Model": "classifier.bundle",
    "METADATA_FILE": "classifier.bundle",
    "latest_bundle": "classifier.bundle",
    "load_bundle": "classifier.bundle",
    "new_version": "classifier.bundle",
    "read_metadata": "classifier.bundle",
    # training (one path for training and retraining)
    "Example": "classifier.datasets.examples",
    "MODERATOR_SOURCE": "classifier.corpus",
    "labels_of": "classifier.corpus",
    "Candidate": "classifier.training",
    "TrainResult": "classifier.training",
    "TrainingSources": "classifier.training",
    "scores_of": "classifier.training",
    "train": "classifier.training",
    "train_candidate": "classifier.training",
    # the command line's classifier commands, which `moderation` includes
    "ClassifierDefaults": "classifier.cli",
    "UsageError": "classifier.cli",
    "register": "classifier.cli",
    "train_with_progress": "classifier.cli",
}
"""Public name -> the module that defines it."""

__all__ = [
    "HEADS", "HEAD_SPECS", "METADATA_FILE", "MODERATOR_SOURCE", "Bundle", "BundleError", "Candidate",
    "ClassifierDefaults", "Example", "Head", "Model", "NameMatch", "NameScore", "Score", "Scorer", "Span",
    "TrainResult", "TrainingSources", "UsageError", "apply_floors", "labels_of", "latest_bundle", "load_bundle",
    "new_version", "read_metadata", "register", "scores_of", "train", "train_candidate", "train_with_progress",
]
"""Keep in step with ``_EXPORTS`` (a test checks)."""


def __getattr__(name: str) -> Any:
    """Import a public name's module the first time the name is asked for."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'classifier' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
