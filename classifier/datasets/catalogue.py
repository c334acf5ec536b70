"""The dataset catalogue: which files the loaders expect, where they come from, and their sha256.

The catalogue ships inside the package (``classifier/resources/catalogue.json``) so that an installed
``moderation`` can check and fetch its training data without the source tree. ``data/README.md`` is the
human-readable companion (licences, row counts, label mapping).

Stdlib only: the classifier package must not depend on the service stack.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1 << 16

# Builders that fetch.py knows how to run; "manual" means the file must be obtained by hand.
MANUAL_BUILD = "manual"


@dataclass(frozen=True)
class CatalogueFile:
    """One file of a dataset folder, as it should look on disk."""

    name: str
    sha256: str
    size: int
    url: str | None
    build: str | None


@dataclass(frozen=True)
class DatasetEntry:
    """One dataset folder: provenance plus the files the loaders read (and the licence files)."""

    name: str
    title: str
    source: str
    commit: str
    licence: str
    citation: str
    files: tuple[CatalogueFile, ...]

    def file(self, name: str) -> CatalogueFile:
        """Return the catalogue file called ``name``; ``KeyError`` if the dataset has none."""
        for entry in self.files:
            if entry.name == name:
                return entry
        raise KeyError(f"{self.name} has no catalogue file {name!r}")


class FileState(StrEnum):
    """What a catalogue file looks like on disk."""

    OK = "ok"
    MISSING = "missing"
    MISMATCH = "mismatch"


class DatasetState(StrEnum):
    """Summary of a dataset folder: all files OK, some missing, or some with the wrong content."""

    FOUND = "found"
    MISSING = "missing"
    MISMATCH = "mismatch"


@dataclass(frozen=True)
class FileStatus:
    """The on-disk state of one catalogue file."""

    file: CatalogueFile
    path: Path
    state: FileState
    actual_sha256: str | None = None


@dataclass(frozen=True)
class DatasetStatus:
    """The on-disk state of one dataset folder."""

    entry: DatasetEntry
    directory: Path
    files: tuple[FileStatus, ...]

    @property
    def name(self) -> str:
        """The dataset folder name."""
        return self.entry.name

    @property
    def state(self) -> DatasetState:
        """``mismatch`` wins over ``missing``: silently training on altered data is the worse failure."""
        states = {status.state for status in self.files}
        if FileState.MISMATCH in states:
            return DatasetState.MISMATCH
        if FileState.MISSING in states:
            return DatasetState.MISSING
        return DatasetState.FOUND

    @property
    def problems(self) -> tuple[FileStatus, ...]:
        """The files that are missing or whose sha256 differs from the catalogue."""
        return tuple(status for status in self.files if status.state is not FileState.OK)


def _parse_file(dataset: str, raw: dict[str, Any]) -> CatalogueFile:
    sha = str(raw["sha256"])
    if not _SHA256_RE.match(sha):
        raise ValueError(f"catalogue: {dataset}/{raw.get('name')}: bad sha256 {sha!r}")
    name = str(raw["name"])
    # File names become paths under the data directory; refuse anything that could escape it.
    if not name or "/" in name or "\\" in name or name in {".", ".."}:
        raise ValueError(f"catalogue: {dataset}: bad file name {name!r}")
    url, build = raw.get("url"), raw.get("build")
    if url is None and build is None:
        raise ValueError(f"catalogue: {dataset}/{name}: needs a url or a build")
    return CatalogueFile(name=name, sha256=sha, size=int(raw["size"]), url=url, build=build)


def parse_catalogue(document: dict[str, Any]) -> dict[str, DatasetEntry]:
    """Validate a catalogue document (the parsed JSON) and return its entries keyed by folder name."""
    if document.get("schema") != 1:
        raise ValueError(f"catalogue: unsupported schema {document.get('schema')!r}")
    entries: dict[str, DatasetEntry] = {}
    for name, raw in document["datasets"].items():
        entries[name] = DatasetEntry(
            name=name,
            title=raw["title"],
            source=raw["source"],
            commit=raw["commit"],
            licence=raw["licence"],
            citation=raw["citation"],
            files=tuple(_parse_file(name, f) for f in raw["files"]),
        )
    return entries


@cache
def load_catalogue() -> dict[str, DatasetEntry]:
    """Return the packaged catalogue, keyed by dataset folder name (parsed once per process).

    Callers must not mutate the returned mapping: it is shared.
    """
    text = resources.files("classifier").joinpath("resources/catalogue.json").read_text(encoding="utf-8")
    return parse_catalogue(json.loads(text))


# (resolved path, size, mtime_ns) -> sha256. A changed file changes size or mtime, so stale entries are
# never hit; they just linger, which is fine for a handful of dataset files. The lock only keeps
# concurrent writers from tripping over each other (a race would compute the same value twice).
_HASH_CACHE: dict[tuple[str, int, int], str] = {}
_HASH_LOCK = threading.Lock()


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of ``path``, cached in-process per (path, size, mtime).

    Raises ``OSError`` (e.g. ``FileNotFoundError``) if the file cannot be read.
    """
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    with _HASH_LOCK:
        cached = _HASH_CACHE.get(key)
    if cached is not None:
        return cached
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    value = digest.hexdigest()
    with _HASH_LOCK:
        _HASH_CACHE[key] = value
    return value


def check_file(path: Path, expected: CatalogueFile) -> FileStatus:
    """Compare one file on disk with its catalogue entry."""
    if not path.is_file():
        return FileStatus(file=expected, path=path, state=FileState.MISSING)
    # A size check first saves hashing a file that cannot match.
    if path.stat().st_size != expected.size:
        return FileStatus(file=expected, path=path, state=FileState.MISMATCH)
    actual = sha256_file(path)
    state = FileState.OK if actual == expected.sha256 else FileState.MISMATCH
    return FileStatus(file=expected, path=path, state=state, actual_sha256=actual)


def select_datasets(names: list[str] | None = None) -> list[DatasetEntry]:
    """Return the catalogue entries for ``names`` (all, in catalogue order, when ``None``).

    Raises ``ValueError`` naming every unknown dataset, so a typo on the command line fails loudly.
    """
    catalogue = load_catalogue()
    if names is None:
        return list(catalogue.values())
    unknown = [name for name in names if name not in catalogue]
    if unknown:
        raise ValueError(f"unknown dataset(s): {', '.join(unknown)}; known: {', '.join(catalogue)}")
    return [catalogue[name] for name in names]


def find_datasets(data_dir: Path, names: list[str] | None = None) -> dict[str, DatasetStatus]:
    """Report, per catalogue dataset, whether ``data_dir/<dataset>/`` holds the right files.

    ``names`` restricts the check to those datasets (``ValueError`` for a name not in the catalogue).
    """
    report: dict[str, DatasetStatus] = {}
    for entry in select_datasets(names):
        name = entry.name
        directory = data_dir / name
        files = tuple(check_file(directory / f.name, f) for f in entry.files)
        report[name] = DatasetStatus(entry=entry, directory=directory, files=files)
    return report
