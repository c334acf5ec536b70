"""Bundles round-trip exactly and refuse files that were altered."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import skops.io as skops_io

from classifier.bundle import METADATA_FILE, MODEL_FILE, BundleError, latest_bundle, load_bundle
from classifier.datasets.catalogue import sha256_file
from tests.conftest import copy_bundle

TEXTS = ["You absolute clown, nobody asked you.", "Lovely photos of the harbour today 💕", "go back to your country"]


class NotAModel:
    """Something a hostile bundle might smuggle in instead of a classifier."""


@pytest.fixture
def bundle_copy(seed_bundle_path: Path, tmp_path: Path) -> Path:
    return copy_bundle(seed_bundle_path, tmp_path)  # its models folder's encoder cache is the shared one


def test_round_trip_gives_identical_scores(seed_bundle, bundle_copy: Path) -> None:
    loaded = load_bundle(bundle_copy)
    assert loaded.version == seed_bundle.version
    np.testing.assert_array_equal(loaded.model.predict_proba(TEXTS), seed_bundle.model.predict_proba(TEXTS))


def test_metadata_records_what_went_in(seed_bundle) -> None:
    metadata = seed_bundle.metadata
    assert metadata["demo"] is True  # trained on the seed set alone
    assert set(metadata["thresholds"]) == {"hostility", "slur"}
    assert {"python", "numpy", "scikit-learn", "skops"} <= set(metadata["libraries"])
    assert len(metadata["sha256"]) == 64


def test_a_tampered_model_file_is_refused(bundle_copy: Path) -> None:
    model_file = bundle_copy / MODEL_FILE
    data = bytearray(model_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model_file.write_bytes(bytes(data))
    with pytest.raises(BundleError, match="does not match its metadata"):
        load_bundle(bundle_copy)


def test_a_registry_checksum_mismatch_is_refused(bundle_copy: Path) -> None:
    with pytest.raises(BundleError, match="does not match the registry"):
        load_bundle(bundle_copy, expected_sha256="0" * 64)


def test_untrusted_types_are_refused_even_with_a_matching_checksum(bundle_copy: Path) -> None:
    # An attacker who can rewrite both files still cannot make loading build an arbitrary object.
    skops_io.dump(NotAModel(), bundle_copy / MODEL_FILE)
    metadata_path = bundle_copy / METADATA_FILE
    metadata = json.loads(metadata_path.read_text())
    metadata["sha256"] = sha256_file(bundle_copy / MODEL_FILE)
    metadata_path.write_text(json.dumps(metadata))
    with pytest.raises(BundleError, match="cannot load"):
        load_bundle(bundle_copy)


def test_missing_files_are_reported(bundle_copy: Path) -> None:
    (bundle_copy / MODEL_FILE).unlink()
    with pytest.raises(BundleError, match="missing"):
        load_bundle(bundle_copy)
    (bundle_copy / METADATA_FILE).unlink()
    with pytest.raises(BundleError, match=r"no metadata\.json"):
        load_bundle(bundle_copy)


def test_latest_bundle_ignores_half_written_folders(bundle_copy: Path) -> None:
    (bundle_copy.parent / ".v99999999-000000-staging").mkdir()
    (bundle_copy.parent / "v99999999-000000").mkdir()  # no metadata: never completed
    assert latest_bundle(bundle_copy.parent) == bundle_copy



def test_saving_a_bundle_leaves_the_live_model_its_caches(tmp_path: Path) -> None:
    """Saving pickles the model's state without its runtime caches; the model in memory keeps them (it was
    stripped of them, so retraining's gate scored the candidate with a fresh cache, one text at a time)."""
    from classifier.ensemble import EnsembleClassifier

    model = EnsembleClassifier().use_cache_dir(tmp_path / "encoders", threads=2)
    state = model.__getstate__()
    assert "_cache_folder" not in state and "_threads" not in state
    assert model.__dict__["_cache_folder"] == tmp_path / "encoders" and model.__dict__["_threads"] == 2
