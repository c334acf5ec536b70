"""Training and retraining are one path (`classifier.training.train_candidate`): a retrained bundle has
the report and metadata of a trained one, and on the same rows the same model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from classifier.bundle import REPORT_FILE, load_bundle, read_metadata
from classifier.training import TrainingSources, train
from service.config import load_settings
from service.infra.models import ModelVersion
from service.lifecycle.retrain.pipeline import retrain
from tests.conftest import ENCODER_CACHE

TEXTS = ["You absolute clown, nobody asked.", "Lovely photos of the harbour today", "go back to your country",
         "The council should fix the potholes on Elm Street.", "what a disgusting vermin race they are"]


def _settings(tmp_path: Path, database_url: str):
    (tmp_path / "no-datasets").mkdir()
    return load_settings({"DATABASE_URL": database_url, "MODERATION_VAR_DIR": str(tmp_path / "var"),
                          "MODERATION_DATASETS_DIR": str(tmp_path / "no-datasets"),
                          "MODERATION_ENCODER_CACHE": str(ENCODER_CACHE)})


def test_a_retrained_bundle_is_a_trained_one(tmp_path: Path, database_url: str,
                                             sessions: sessionmaker[Session]) -> None:
    """Same metadata and report keys; with no moderators' decisions, the same rows and so the same scores."""
    settings = _settings(tmp_path, database_url)
    trained = train(TrainingSources(settings.datasets_dir, settings.seed_path, settings.hate_symbols_path),
                    tmp_path / "trained", cache_dir=ENCODER_CACHE)
    outcome = retrain(sessions, settings, actor="test")
    assert outcome.outcome == "activated"
    with sessions() as session:
        retrained_path = Path(session.get(ModelVersion, outcome.version).path)
    trained_metadata, retrained_metadata = read_metadata(trained.path), read_metadata(retrained_path)
    assert trained_metadata.keys() == retrained_metadata.keys()
    assert {"groups", "split", "threshold_rule", "test", "thresholds"} <= trained.report.keys()
    retrained_report = json.loads((retrained_path / REPORT_FILE).read_text(encoding="utf-8"))
    assert json.loads((trained.path / REPORT_FILE).read_text(encoding="utf-8")).keys() == retrained_report.keys()
    assert {"dropped_rows", "training_seconds", "training_data"} <= retrained_metadata.keys()
    assert retrained_metadata["training_data"]["moderator_labels"] == 0
    assert retrained_metadata["thresholds"] == trained_metadata["thresholds"]
    ours = load_bundle(trained.path, cache_dir=ENCODER_CACHE).model.predict_proba(TEXTS)
    theirs = load_bundle(retrained_path, cache_dir=ENCODER_CACHE).model.predict_proba(TEXTS)
    np.testing.assert_array_equal(ours, theirs)
