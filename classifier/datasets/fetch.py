"""Download the catalogue's datasets into a data directory, verifying every file against its sha256.

Every download streams into a temporary file next to its target and is renamed into place only after
its sha256 matched the catalogue, so an interrupted or tampered download never leaves a file that a
loader would read. Files the catalogue marks as built are rebuilt from the pinned upstream commit
(Stormfront) or left to the user (Toxic Spans, see ``data/README.md``).

Stdlib only (urllib, zipfile): the classifier package must not depend on the service stack.
"""

from __future__ import annotations

import csv
import hashlib
import http.client
import io
import os
import tempfile
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from classifier.datasets.catalogue import (
    MANUAL_BUILD,
    CatalogueFile,
    DatasetEntry,
    FileState,
    check_file,
    select_datasets,
)

USER_AGENT = "moderation-dataset-fetch/1"
TIMEOUT_SECONDS = 60
_CHUNK = 1 << 16
# A GitHub archive has no size in the catalogue; cap it so a wrong URL cannot fill the disk.
MAX_ARCHIVE_BYTES = 256 * 1024 * 1024

STORMFRONT_COLUMNS = ("file_id", "text", "label", "user_id", "subforum_id", "num_contexts", "sampled_split")


class FetchStatus(StrEnum):
    """Outcome for one catalogue file."""

    DOWNLOADED = "downloaded"
    SKIPPED = "skipped"  # already present with the catalogue's sha256
    BUILT = "built"
    BUILT_DIFFERS = "built-checksum-differs"  # a warning: the file is kept, see FetchResult.message
    MANUAL = "manual"  # cannot be fetched automatically; data/README.md says how
    ERROR = "error"


@dataclass(frozen=True)
class FetchResult:
    """What ``fetch`` did for one file of one dataset."""

    dataset: str
    name: str
    status: FetchStatus
    path: Path
    message: str = ""

    @property
    def ok(self) -> bool:
        """True when the file is now on disk with the catalogue's sha256."""
        return self.status in {FetchStatus.DOWNLOADED, FetchStatus.SKIPPED, FetchStatus.BUILT}


class Progress(Protocol):
    """Called as bytes arrive: ``label`` is ``dataset/file``, ``total`` is None when unknown."""

    def __call__(self, label: str, done: int, total: int | None) -> None: ...


class FetchError(Exception):
    """A download or build failed; the message is meant for the user."""


# What a download can raise besides our own FetchError: URLError/HTTPError and timeouts are OSErrors,
# a connection dropped mid-body is an HTTPException, a malformed override URL is a ValueError.
_DOWNLOAD_ERRORS = (OSError, http.client.HTTPException, ValueError, FetchError)


def fetch(
    data_dir: Path,
    names: list[str] | None = None,
    base_url_override: str | None = None,
    progress: Progress | None = None,
) -> list[FetchResult]:
    """Download (or build) the catalogue files of ``names`` (default: all) into ``data_dir/<dataset>/``.

    Files already present with the right sha256 are skipped; a present file with the wrong sha256 is
    replaced. ``base_url_override`` maps every download to ``<override>/<dataset>/<name>`` (for tests
    and mirrors). Errors are reported per file in the result, never raised, so one dead URL does not
    stop the rest; an unknown dataset name raises ``ValueError`` before anything is downloaded.
    """
    override = base_url_override.rstrip("/") if base_url_override else None
    results: list[FetchResult] = []
    for entry in select_datasets(names):
        for cfile in entry.files:
            results.append(_fetch_file(data_dir / entry.name, entry, cfile, override, progress))
    return results


def _fetch_file(
    directory: Path,
    entry: DatasetEntry,
    cfile: CatalogueFile,
    override: str | None,
    progress: Progress | None,
) -> FetchResult:
    target = directory / cfile.name

    def result(status: FetchStatus, message: str = "") -> FetchResult:
        return FetchResult(entry.name, cfile.name, status, target, message)

    present = check_file(target, cfile)
    if present.state is FileState.OK:
        return result(FetchStatus.SKIPPED, "present, sha256 ok")
    if cfile.build == MANUAL_BUILD:
        note = "; the file present has a different sha256" if present.state is FileState.MISMATCH else ""
        return result(FetchStatus.MANUAL, f"manual: see data/README.md{note}")
    if cfile.build is not None:
        builder = BUILDERS.get(cfile.build)
        if builder is None:
            return result(FetchStatus.ERROR, f"no builder called {cfile.build!r}")
        try:
            digest = builder(entry, target, override, progress)
        except _DOWNLOAD_ERRORS as exc:
            return result(FetchStatus.ERROR, f"build failed: {exc}")
        if digest == cfile.sha256:
            return result(FetchStatus.BUILT, "built, sha256 ok")
        return result(
            FetchStatus.BUILT_DIFFERS,
            f"built, checksum differs (got {digest}, catalogue {cfile.sha256}); the file is kept but is "
            "not byte-identical to the copy the project was trained on",
        )
    if cfile.url is None:
        return result(FetchStatus.ERROR, "catalogue entry has neither a url nor a build")
    url = _mirror_url(override, entry.name, cfile.name) if override else cfile.url
    try:
        tmp, digest = _download_to_temp(url, directory, f"{entry.name}/{cfile.name}", progress, cfile.size)
    except _DOWNLOAD_ERRORS as exc:
        return result(FetchStatus.ERROR, f"download failed: {url}: {exc}")
    if digest != cfile.sha256:
        tmp.unlink(missing_ok=True)
        return result(
            FetchStatus.ERROR, f"sha256 mismatch for {url}: got {digest}, expected {cfile.sha256}; discarded"
        )
    os.replace(tmp, target)
    return result(FetchStatus.DOWNLOADED, "downloaded, sha256 ok")


def _mirror_url(override: str, dataset: str, name: str) -> str:
    return f"{override}/{urllib.parse.quote(dataset)}/{urllib.parse.quote(name)}"


def _download_to_temp(
    url: str, directory: Path, label: str, progress: Progress | None, max_bytes: int
) -> tuple[Path, str]:
    """Stream ``url`` into a temp file in ``directory``; return its path and sha256.

    The temp file lives beside the target so the final ``os.replace`` is an atomic rename on one
    filesystem. It is removed on any failure, including KeyboardInterrupt.
    """
    directory.mkdir(parents=True, exist_ok=True)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=".fetch-", suffix=".part")
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            total = response.length
            done = 0
            if progress:
                progress(label, done, total)
            while chunk := response.read(_CHUNK):
                done += len(chunk)
                # Past the expected size the sha256 cannot match: stop instead of filling the disk.
                if done > max_bytes:
                    raise FetchError(f"more than {max_bytes} bytes, larger than expected")
                digest.update(chunk)
                out.write(chunk)
                if progress:
                    progress(label, done, total)
            out.flush()
            os.fsync(out.fileno())
        return tmp, digest.hexdigest()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_atomically(target: Path, data: bytes) -> str:
    """Write ``data`` to ``target`` via a temp file and rename; return its sha256."""
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".build-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return hashlib.sha256(data).hexdigest()


def _github_repo(source: str) -> str:
    parsed = urllib.parse.urlparse(source)
    parts = [p for p in parsed.path.split("/") if p]
    if parsed.netloc != "github.com" or len(parts) != 2:
        raise FetchError(f"not a GitHub repository URL: {source}")
    return "/".join(parts)


def build_stormfront(
    entry: DatasetEntry, target: Path, override: str | None, progress: Progress | None
) -> str:
    """Build ``stormfront_sentences.csv`` from the GitHub archive of the pinned commit; return its sha256.

    Follows the dataset README: one row per ``annotations_metadata.csv`` row (same order), text from
    ``all_files/<file_id>.txt`` with surrounding whitespace stripped, plus ``sampled_split`` naming the
    ``sampled_train/`` or ``sampled_test/`` folder that also holds the sentence. The archive's
    ``annotations_metadata.csv`` must match the catalogue, otherwise the archive is not the pinned commit.
    """
    owner_repo = _github_repo(entry.source)
    archive_name = f"{owner_repo.split('/')[1]}-{entry.commit}.zip"
    if override:
        url = _mirror_url(override, entry.name, archive_name)
    else:
        url = f"https://codeload.github.com/{owner_repo}/zip/{entry.commit}"
    tmp, _ = _download_to_temp(
        url, target.parent, f"{entry.name}/{archive_name}", progress, MAX_ARCHIVE_BYTES
    )
    try:
        with zipfile.ZipFile(tmp) as archive:
            data = _join_stormfront(archive, entry.file("annotations_metadata.csv").sha256)
    except (zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError, csv.Error, KeyError) as exc:
        raise FetchError(f"{archive_name}: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return _write_atomically(target, data)


def _join_stormfront(archive: zipfile.ZipFile, annotations_sha256: str) -> bytes:
    members = archive.namelist()
    name = "annotations_metadata.csv"
    candidates = sorted((m for m in members if m == name or m.endswith(f"/{name}")), key=len)
    if not candidates:
        raise FetchError(f"archive has no {name}")
    root = candidates[0][: -len(name)]  # "<repo>-<commit>/" in GitHub archives
    raw = archive.read(candidates[0])
    if hashlib.sha256(raw).hexdigest() != annotations_sha256:
        raise FetchError(f"{name} in the archive differs from the catalogue's: not the pinned commit?")

    def ids_in(folder: str) -> set[str]:
        prefix = f"{root}{folder}/"
        return {Path(m).stem for m in members if m.startswith(prefix) and m.endswith(".txt")}

    sampled_train, sampled_test = ids_in("sampled_train"), ids_in("sampled_test")
    out = io.StringIO()
    writer = csv.writer(out)  # excel dialect: minimal quoting, CRLF, as in the catalogued file
    writer.writerow(STORMFRONT_COLUMNS)
    for row in csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")):
        file_id = row["file_id"]
        try:
            # utf-8-sig: a byte-order mark at the start of a sentence file is not part of the sentence.
            text = archive.read(f"{root}all_files/{file_id}.txt").decode("utf-8-sig").strip()
        except KeyError:
            raise FetchError(f"archive has no all_files/{file_id}.txt") from None
        split = (
            "sampled_train" if file_id in sampled_train else "sampled_test" if file_id in sampled_test else ""
        )
        writer.writerow(
            [file_id, text, row["label"], row["user_id"], row["subforum_id"], row["num_contexts"], split]
        )
    return out.getvalue().encode("utf-8")


def _download_upstream(entry: DatasetEntry, target: Path, override: str | None, progress: Progress | None) -> Path:
    cfile = entry.file(target.name)
    if cfile.url is None:
        raise FetchError(f"{entry.name}/{cfile.name}: the catalogue names no upstream file")
    url = _mirror_url(override, entry.name, cfile.url.rsplit("/", 1)[1]) if override else cfile.url
    tmp, _ = _download_to_temp(url, target.parent, f"{entry.name}/{cfile.name}", progress, MAX_ARCHIVE_BYTES)
    return tmp


def build_upstream_unfiltered(
    entry: DatasetEntry, target: Path, override: str | None, progress: Progress | None
) -> str:
    """The upstream file of a ``_dedup`` copy, as it is upstream; return its sha256.

    The shared copies dropped the handful of rows that match a held-out evaluation set nobody else
    has, so the upstream file differs from the catalogue only by those rows: a loader reads it the
    same way, and ``fetch`` reports it as ``built-checksum-differs``.
    """
    tmp = _download_upstream(entry, target, override, progress)
    try:
        data = tmp.read_bytes()
    finally:
        tmp.unlink(missing_ok=True)
    return _write_atomically(target, data)


def build_upstream_tsv_as_csv(
    entry: DatasetEntry, target: Path, override: str | None, progress: Progress | None
) -> str:
    """The upstream TSV of a ``_dedup`` copy rewritten as CSV (same columns and rows); return its sha256."""
    tmp = _download_upstream(entry, target, override, progress)
    try:
        rows = list(csv.reader(io.StringIO(tmp.read_text(encoding="utf-8"), newline=""), delimiter="\t"))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FetchError(f"{entry.name}/{target.name}: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return _write_atomically(target, out.getvalue().encode("utf-8"))


MLMA_ARCHIVE = "hate_speech_mlma.zip"
MLMA_ARCHIVE_SHA256 = "56db7efb1b64a2570f63d0cdb48d119c5e32eccff13f3c22bf17a4331956dc43"
"""The MLMA repository ships its data as one zip at its root (726,706 bytes); its README gives the sha256."""


def build_mlma_zip(entry: DatasetEntry, target: Path, override: str | None, progress: Progress | None) -> str:
    """Extract MLMA's English tweets, unchanged, from the data zip of the pinned commit; return their sha256.

    The zip must have the sha256 its dataset README records, otherwise it is not the pinned commit's.
    """
    owner_repo = _github_repo(entry.source)
    if override:
        url = _mirror_url(override, entry.name, MLMA_ARCHIVE)
    else:
        url = f"https://raw.githubusercontent.com/{owner_repo}/{entry.commit}/{MLMA_ARCHIVE}"
    tmp, digest = _download_to_temp(url, target.parent, f"{entry.name}/{MLMA_ARCHIVE}", progress, MAX_ARCHIVE_BYTES)
    try:
        if digest != MLMA_ARCHIVE_SHA256:
            raise FetchError(f"{MLMA_ARCHIVE} has sha256 {digest}, not the pinned commit's")
        with zipfile.ZipFile(tmp) as archive:
            members = [m for m in archive.namelist() if m.endswith(f"/{target.name}") or m == target.name]
            if not members:
                raise FetchError(f"{MLMA_ARCHIVE} has no {target.name}")
            data = archive.read(min(members, key=len))
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise FetchError(f"{MLMA_ARCHIVE}: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return _write_atomically(target, data)


Builder = Callable[[DatasetEntry, Path, str | None, Progress | None], str]

# Catalogue ``build`` name -> function that writes the file and returns its sha256.
BUILDERS: dict[str, Builder] = {
    "stormfront_join": build_stormfront,
    "upstream_unfiltered": build_upstream_unfiltered,
    "upstream_tsv_as_csv": build_upstream_tsv_as_csv,
    "mlma_zip": build_mlma_zip,
}
