"""Fetching and checking the catalogued datasets, against a local HTTP server (there is no internet in CI).

The server serves a temp directory laid out like ``<base>/<dataset>/<name>``, which is what
``fetch(base_url_override=...)`` asks for. Files are copied from the shared datasets, so the catalogue's
sha256 values are exercised for real.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import os
import shutil
import threading
import zipfile
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from classifier.datasets import fetch as fetch_module
from classifier.datasets.catalogue import (
    DatasetState,
    FileState,
    find_datasets,
    load_catalogue,
    sha256_file,
)
from classifier.datasets.fetch import FetchResult, FetchStatus, fetch

REPO_ROOT = Path(__file__).resolve().parents[2]
STORMFRONT = "stormfront_degibert2018"
MLMA, MLMA_FILE = "mlma_en_ousidhoum2019", "en_dataset_with_stop_words.csv"


def _shared_datasets() -> Path:
    configured = os.environ.get("MODERATION_DATASETS_DIR")
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "datasets"


@pytest.fixture(scope="module")
def shared() -> Path:
    path = _shared_datasets()
    if not (path / "ethos").is_dir():
        pytest.skip(f"shared datasets not found at {path}")
    return path


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
        pass


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """Serve ``tmp_path/www`` on an ephemeral port; yield (directory, base URL)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _publish(shared: Path, root: Path, dataset: str, *names: str) -> None:
    (root / dataset).mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(shared / dataset / name, root / dataset / name)


def _by_file(results: list[FetchResult]) -> dict[tuple[str, str], FetchResult]:
    return {(r.dataset, r.name): r for r in results}


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part"))


def test_catalogue_matches_shared_datasets(shared: Path) -> None:
    catalogue = load_catalogue()
    assert sorted(catalogue) == sorted(p.name for p in shared.iterdir() if p.is_dir())
    status = find_datasets(shared)
    assert {name: s.state for name, s in status.items()} == dict.fromkeys(catalogue, DatasetState.FOUND)
    for entry in catalogue.values():
        assert "README.md" not in {f.name for f in entry.files}
        for cfile in entry.files:
            assert cfile.size == (shared / entry.name / cfile.name).stat().st_size
            # A url pins a commit; a file without one must say how it is built; a file built from an
            # upstream file (a `_dedup` copy) has both.
            assert cfile.url is not None or cfile.build is not None
            if cfile.url is not None and cfile.build is not None:
                assert cfile.build.startswith("upstream_") and cfile.name.endswith("_dedup.csv")
            if cfile.url:
                assert cfile.url.startswith("https://raw.githubusercontent.com/")


def test_fetch_verifies_refuses_corrupt_and_skips(
    shared: Path, server: tuple[Path, str], tmp_path: Path
) -> None:
    root, base = server
    _publish(shared, root, "ethos", "Ethos_Dataset_Binary.csv", "Ethos_Dataset_Multi_Label.csv", "LICENSE")
    _publish(shared, root, "lexicon_ldnoobw_en", "en.txt", "LICENSE")
    _publish(shared, root, "lexicon_surge_profanity_en", "profanity_en.csv", "LICENSE")
    corrupt = root / "lexicon_surge_profanity_en" / "LICENSE"
    corrupt.write_bytes(corrupt.read_bytes().replace(b"MIT", b"XYZ", 1))

    calls: list[tuple[str, int, int | None]] = []
    data_dir = tmp_path / "data"
    names = ["ethos", "lexicon_ldnoobw_en", "lexicon_surge_profanity_en"]
    results = _by_file(
        fetch(data_dir, names, base_url_override=base + "/", progress=lambda *a: calls.append(a))
    )

    catalogue = load_catalogue()
    for dataset, name in [
        ("ethos", "Ethos_Dataset_Binary.csv"),
        ("ethos", "LICENSE"),
        ("lexicon_ldnoobw_en", "en.txt"),
        ("lexicon_surge_profanity_en", "profanity_en.csv"),
    ]:
        assert results[dataset, name].status is FetchStatus.DOWNLOADED, results[dataset, name]
        landed = data_dir / dataset / name
        assert sha256_file(landed) == catalogue[dataset].file(name).sha256
        assert hashlib.sha256(landed.read_bytes()).hexdigest() == catalogue[dataset].file(name).sha256

    refused = results["lexicon_surge_profanity_en", "LICENSE"]
    assert refused.status is FetchStatus.ERROR and "sha256 mismatch" in refused.message
    assert not refused.path.exists()
    assert _leftovers(data_dir / "lexicon_surge_profanity_en") == []
    assert ("ethos/Ethos_Dataset_Binary.csv", 123919, 123919) in calls

    again = _by_file(fetch(data_dir, names, base_url_override=base))
    assert again["ethos", "Ethos_Dataset_Binary.csv"].status is FetchStatus.SKIPPED
    assert again["lexicon_ldnoobw_en", "en.txt"].status is FetchStatus.SKIPPED
    assert again["lexicon_surge_profanity_en", "LICENSE"].status is FetchStatus.ERROR
    assert not (data_dir / "lexicon_surge_profanity_en" / "LICENSE").exists()


def test_find_datasets_reports_found_missing_mismatch(
    shared: Path, server: tuple[Path, str], tmp_path: Path
) -> None:
    root, base = server
    _publish(shared, root, "ethos", "Ethos_Dataset_Binary.csv", "Ethos_Dataset_Multi_Label.csv", "LICENSE")
    _publish(shared, root, "lexicon_ldnoobw_en", "en.txt", "LICENSE")
    data_dir = tmp_path / "data"
    fetch(data_dir, ["ethos", "lexicon_ldnoobw_en"], base_url_override=base)

    status = find_datasets(data_dir)
    assert status["ethos"].state is DatasetState.FOUND
    assert status["lexicon_ldnoobw_en"].state is DatasetState.FOUND
    assert status["davidson2017"].state is DatasetState.MISSING
    assert {s.file.name for s in status["davidson2017"].problems} == {"labeled_data.csv", "LICENSE"}

    # Same size, different bytes: only the sha256 tells, and the (path, size, mtime) cache must not hide it.
    tampered = data_dir / "lexicon_ldnoobw_en" / "en.txt"
    content = bytearray(tampered.read_bytes())
    content[0] ^= 0x20
    tampered.write_bytes(bytes(content))
    os.utime(tampered, ns=(0, tampered.stat().st_mtime_ns + 1_000_000_000))
    status = find_datasets(data_dir, ["lexicon_ldnoobw_en"])
    assert list(status) == ["lexicon_ldnoobw_en"]
    assert status["lexicon_ldnoobw_en"].state is DatasetState.MISMATCH
    (problem,) = status["lexicon_ldnoobw_en"].problems
    assert (
        problem.state is FileState.MISMATCH and problem.actual_sha256 == hashlib.sha256(content).hexdigest()
    )

    # Missing plus mismatch reports mismatch: altered data is the worse failure.
    (data_dir / "lexicon_ldnoobw_en" / "LICENSE").unlink()
    assert find_datasets(data_dir)["lexicon_ldnoobw_en"].state is DatasetState.MISMATCH

    # fetch repairs a present-but-wrong file.
    repaired = _by_file(fetch(data_dir, ["lexicon_ldnoobw_en"], base_url_override=base))
    assert repaired["lexicon_ldnoobw_en", "en.txt"].status is FetchStatus.DOWNLOADED
    assert find_datasets(data_dir, ["lexicon_ldnoobw_en"])["lexicon_ldnoobw_en"].state is DatasetState.FOUND


def test_unreachable_file_is_an_error_and_unknown_dataset_raises(
    server: tuple[Path, str], tmp_path: Path
) -> None:
    _, base = server
    results = fetch(tmp_path / "data", ["davidson2017"], base_url_override=base)
    assert [r.status for r in results] == [FetchStatus.ERROR, FetchStatus.ERROR]
    assert "404" in results[0].message
    assert not any((tmp_path / "data" / "davidson2017").iterdir())
    with pytest.raises(ValueError, match="no_such_dataset"):
        fetch(tmp_path / "data", ["no_such_dataset"], base_url_override=base)


def test_toxic_spans_is_manual(shared: Path, server: tuple[Path, str], tmp_path: Path) -> None:
    root, base = server
    dataset = "toxic_spans_civil_comments_pavlopoulos2022"
    _publish(shared, root, dataset, "LICENSE")
    results = _by_file(fetch(tmp_path / "data", [dataset], base_url_override=base))
    manual = results[dataset, "toxic_spans_comments.csv"]
    assert manual.status is FetchStatus.MANUAL and "data/README.md" in manual.message
    assert not manual.path.exists()
    assert results[dataset, "LICENSE"].status is FetchStatus.DOWNLOADED


def test_dedup_copies_are_fetched_from_their_upstream_files(
    shared: Path, server: tuple[Path, str], tmp_path: Path
) -> None:
    """An upstream CSV is kept as it is and an upstream TSV rewritten as CSV; the shared copies stand in
    for the upstream files, so the rewrite must give back the shared CSV byte for byte."""
    root, base = server
    gab, unhealthy = "gab_hate_corpus_kennedy2022", "unhealthy_comments_price2020"
    (root / gab).mkdir()
    with (shared / gab / "ghc_test_dedup.csv").open(encoding="utf-8", newline="") as source, \
            (root / gab / "ghc_test.tsv").open("w", encoding="utf-8", newline="") as tsv:
        csv.writer(tsv, delimiter="\t", lineterminator="\n").writerows(csv.reader(source))
    (root / unhealthy).mkdir()
    shutil.copyfile(shared / unhealthy / "test_dedup.csv", root / unhealthy / "test.csv")
    results = _by_file(fetch(tmp_path / "data", [gab, unhealthy], base_url_override=base))
    built = results[gab, "ghc_test_dedup.csv"]
    assert built.status is FetchStatus.BUILT, built.message
    assert built.path.read_bytes() == (shared / gab / "ghc_test_dedup.csv").read_bytes()
    assert results[unhealthy, "test_dedup.csv"].status is FetchStatus.BUILT
    assert results[gab, "ghc_train_dedup.csv"].status is FetchStatus.ERROR  # not published: a 404, reported


def _stormfront_archive(shared: Path, destination: Path, tamper: bool = False) -> None:
    """Rebuild the layout of the pinned GitHub archive from the shared copy (texts, sampled folders)."""
    entry = load_catalogue()[STORMFRONT]
    top = f"hate-speech-dataset-{entry.commit}/"
    with (shared / STORMFRONT / "stormfront_sentences.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(shared / STORMFRONT / "annotations_metadata.csv", top + "annotations_metadata.csv")
        archive.write(shared / STORMFRONT / "LICENSE", top + "LICENSE")
        for index, row in enumerate(rows):
            # Upstream files end with a newline; the builder must strip it.
            text = row["text"] + ("!" if tamper and index == 0 else "") + "\n"
            archive.writestr(f"{top}all_files/{row['file_id']}.txt", text)
            if row["sampled_split"]:
                archive.writestr(f"{top}{row['sampled_split']}/{row['file_id']}.txt", text)


def test_stormfront_build_reproduces_catalogued_file(
    shared: Path, server: tuple[Path, str], tmp_path: Path
) -> None:
    root, base = server
    entry = load_catalogue()[STORMFRONT]
    _publish(shared, root, STORMFRONT, "annotations_metadata.csv", "LICENSE")
    _stormfront_archive(shared, root / STORMFRONT / f"hate-speech-dataset-{entry.commit}.zip")

    data_dir = tmp_path / "data"
    results = _by_file(fetch(data_dir, [STORMFRONT], base_url_override=base))
    built = results[STORMFRONT, "stormfront_sentences.csv"]
    assert built.status is FetchStatus.BUILT, built.message
    assert sha256_file(built.path) == entry.file("stormfront_sentences.csv").sha256
    assert find_datasets(data_dir, [STORMFRONT])[STORMFRONT].state is DatasetState.FOUND
    assert _leftovers(data_dir / STORMFRONT) == []  # the archive is not kept

    assert fetch(data_dir, [STORMFRONT], base_url_override=base)[0].status is FetchStatus.SKIPPED


def test_stormfront_build_that_differs_is_kept_with_a_warning(
    shared: Path, server: tuple[Path, str], tmp_path: Path
) -> None:
    root, base = server
    entry = load_catalogue()[STORMFRONT]
    _publish(shared, root, STORMFRONT, "annotations_metadata.csv", "LICENSE")
    _stormfront_archive(shared, root / STORMFRONT / f"hate-speech-dataset-{entry.commit}.zip", tamper=True)

    results = _by_file(fetch(tmp_path / "data", [STORMFRONT], base_url_override=base))
    built = results[STORMFRONT, "stormfront_sentences.csv"]
    assert built.status is FetchStatus.BUILT_DIFFERS
    assert "checksum differs" in built.message
    assert built.path.exists()
    assert not built.ok


def test_stormfront_archive_from_another_commit_is_refused(server: tuple[Path, str], tmp_path: Path) -> None:
    root, base = server
    entry = load_catalogue()[STORMFRONT]
    top = f"hate-speech-dataset-{entry.commit}/"
    (root / STORMFRONT).mkdir()
    with zipfile.ZipFile(root / STORMFRONT / f"hate-speech-dataset-{entry.commit}.zip", "w") as archive:
        archive.writestr(top + "annotations_metadata.csv", "file_id,user_id,subforum_id,num_contexts,label\n")

    results = _by_file(fetch(tmp_path / "data", [STORMFRONT], base_url_override=base))
    refused = results[STORMFRONT, "stormfront_sentences.csv"]
    assert refused.status is FetchStatus.ERROR and "not the pinned commit" in refused.message
    assert not refused.path.exists()
    assert _leftovers(tmp_path / "data" / STORMFRONT) == []


def _mlma_archive(shared: Path, destination: Path) -> str:
    """A zip laid out like MLMA's data zip (one folder of CSVs), holding the shared English file."""
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(shared / MLMA / MLMA_FILE, f"hate_speech_mlma/{MLMA_FILE}")
        archive.writestr("hate_speech_mlma/fr_dataset.csv", "HITId,tweet\n")
    return sha256_file(destination)


def test_mlma_is_extracted_from_its_data_zip(
    shared: Path, server: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, base = server
    (root / MLMA).mkdir()
    digest = _mlma_archive(shared, root / MLMA / fetch_module.MLMA_ARCHIVE)
    monkeypatch.setattr(fetch_module, "MLMA_ARCHIVE_SHA256", digest)  # our zip stands in for the pinned one
    built = _by_file(fetch(tmp_path / "data", [MLMA], base_url_override=base))[MLMA, MLMA_FILE]
    assert built.status is FetchStatus.BUILT, built.message
    assert sha256_file(built.path) == load_catalogue()[MLMA].file(MLMA_FILE).sha256
    assert _leftovers(tmp_path / "data" / MLMA) == []


def test_mlma_zip_of_another_commit_is_refused(shared: Path, server: tuple[Path, str], tmp_path: Path) -> None:
    root, base = server
    (root / MLMA).mkdir()
    _mlma_archive(shared, root / MLMA / fetch_module.MLMA_ARCHIVE)  # not the pinned zip's sha256
    refused = _by_file(fetch(tmp_path / "data", [MLMA], base_url_override=base))[MLMA, MLMA_FILE]
    assert refused.status is FetchStatus.ERROR and "not the pinned commit" in refused.message
    assert not refused.path.exists()
    assert _leftovers(tmp_path / "data" / MLMA) == []
