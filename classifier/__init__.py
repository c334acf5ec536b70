"""The classifier's public face: what the service, the worker and the command line may import.

Everything else in this package is internal (``tests/test_layers.py`` holds the service to it). Names
are loaded on first use (PEP 562), so ``from classifier import HEADS`` does not pull in numpy's model
stack and ONNX Runtime: a command that only parses its arguments stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from classifier.heads import HEAD_SPECS, HEADS, Head, apply_floors
    from classifier.scoring import Score, Scorer

_EXPORTS: dict[str, str] = {
    "HEADS": "classifier.heads",
    "HEAD_SPECS": "classifier.heads",
    "Head": "classifier.heads",
    "apply_floors": "classifier.heads",
    "Score": "classifier.scoring",
    "Scorer": "classifier.scoring",
}
"""Public name -> the module that defines it."""

__all__ = ["HEADS", "HEAD_SPECS", "Head", "Score", "Scorer", "apply_floors"]
"""Keep in step with ``_EXPORTS`` (a test checks)."""


def __getattr__(name: str) -> Any:
    """Import a public name's module the first time the name is asked for."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'classifier' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
