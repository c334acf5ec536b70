"""The service's layers, as its folders show them: each imports only from the layers below it.

config ← infra ← lifecycle ← web, worker ← cli. The lifecycle imports neither Flask nor Celery; the worker never
imports the web layer or the command line. Checked on the source (every import, also those inside functions),
and by importing the lower layers in a fresh interpreter (what they load, they load for everyone above them).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPOSITORY

WEB_AND_QUEUE = {"flask", "flask_limiter", "werkzeug", "gunicorn", "celery", "kombu"}
LAYERS: dict[str, tuple[set[str], set[str]]] = {
    # layer: (the layers of ours it may import, libraries it must not import)
    "service.config": (set(), {"sqlalchemy", "classifier", *WEB_AND_QUEUE}),
    "service.infra": ({"service.config"}, {"classifier", "flask", "flask_limiter", "werkzeug", "gunicorn"}),
    "service.lifecycle": ({"service.config", "service.infra"}, WEB_AND_QUEUE),
    "service.web": ({"service.config", "service.infra", "service.lifecycle"}, {"gunicorn"}),
    "worker": ({"service.config", "service.infra", "service.lifecycle"}, {"flask", "flask_limiter", "werkzeug",
                                                                           "gunicorn"}),
    "service.cli": ({"service.config", "service.infra", "service.lifecycle", "service.web", "worker"}, set()),
}
ALLOWED_SUBMODULES = {("service.lifecycle", "werkzeug.security")}
"""Password hashing (scrypt) from the library Flask is built on; it needs no web framework."""


def _layer(module: str) -> str | None:
    return next((layer for layer in sorted(LAYERS, key=len, reverse=True)
                 if module == layer or module.startswith(layer + ".")), None)


def _modules() -> dict[str, Path]:
    found = {}
    for package in ("service", "worker"):
        for path in (REPOSITORY / package).rglob("*.py"):
            parts = path.relative_to(REPOSITORY).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(module: str, path: Path) -> set[str]:
    names = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against this module's package
                base = ".".join([*package.split(".")[:len(package.split(".")) - node.level + 1], *filter(None, [base])])
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)  # `from service import web` names a module
    return names


def test_every_module_of_the_service_and_the_worker_is_in_a_layer() -> None:
    assert [module for module in _modules() if module != "service" and _layer(module) is None] == []


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_each_layer_imports_only_the_layers_below_it(layer: str) -> None:
    allowed, forbidden = LAYERS[layer]
    offences = []
    for module, path in sorted(_modules().items()):
        if _layer(module) != layer:
            continue
        for name in sorted(_imports(module, path)):
            root = name.split(".")[0]
            theirs = _layer(name) if root in ("service", "worker") else None
            if theirs is not None and theirs != layer and theirs not in allowed:
                offences.append(f"{module} imports {name} ({theirs})")
            elif root in forbidden and not any(layer == allowed_layer and (name + ".").startswith(allowed_name + ".")
                                               for allowed_layer, allowed_name in ALLOWED_SUBMODULES):
                offences.append(f"{module} imports {name}")
    assert offences == []


def test_importing_the_lifecycle_loads_neither_flask_nor_celery_and_the_worker_no_web_layer() -> None:
    lower = sorted(module for module in _modules() if _layer(module) in ("service.config", "service.infra",
                                                                          "service.lifecycle")
                   and ".migrations" not in module)
    probe = (
        "import importlib, sys\n"
        f"lifecycle = [m for m in {lower!r} if not m.startswith('service.infra')]\n"
        "for name in lifecycle: importlib.import_module(name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'celery', 'kombu'}))\n"
        f"for name in {lower!r}: importlib.import_module(name)\n"
        "import worker.app\n"
        "print(sorted(m for m in sys.modules if m.startswith(('service.web', 'service.cli', 'flask'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPOSITORY)
    assert result.stdout.split("\n")[:2] == ["[]", "[]"]
