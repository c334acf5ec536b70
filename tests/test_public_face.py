"""The classifier's public face (`classifier/__init__.py`): the service and the worker import the classifier
only through it, its names all resolve, and importing it stays cheap (names load on first use)."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

import classifier
from tests.conftest import REPOSITORY


def _classifier_imports(package: str) -> list[str]:
    """Every ``import classifier…`` / ``from classifier… import`` in ``package``, also those inside functions."""
    found = []
    for path in sorted((REPOSITORY / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            found += [f"{path.relative_to(REPOSITORY)}:{node.lineno} {name}" for name in names
                      if name == "classifier" or name.startswith("classifier.")]
    return found


@pytest.mark.parametrize("package", ["service", "worker"])
def test_the_service_and_the_worker_import_only_the_public_face(package: str) -> None:
    internal = [line for line in _classifier_imports(package) if not line.endswith(" classifier")]
    assert internal == [], "import these from `classifier` (add them to its _EXPORTS if they are missing)"


def test_every_public_name_is_exported_and_resolves() -> None:
    assert sorted(classifier.__all__) == sorted(classifier._EXPORTS)
    for name in classifier.__all__:
        assert getattr(classifier, name) is not None, name
    with pytest.raises(AttributeError):
        classifier.EnsembleClassifier  # noqa: B018  (internal: not on the face)


def test_importing_the_face_loads_no_model_stack() -> None:
    code = ("import sys, classifier; from classifier import HEADS; "
            "print(sorted(m for m in ('sklearn', 'onnxruntime', 'torch', 'scipy') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=REPOSITORY).stdout.strip()
    assert loaded == "[]"
