"""Liveness and readiness probes: what each check reports when its dependency is there or not."""

from __future__ import annotations

import shutil
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from service.web.app import create_app
from tests.service.conftest import services


def test_healthz_only_needs_the_process(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_ready_when_database_broker_and_model_are_usable(client: FlaskClient, with_model: str) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": {"ok": True}, "broker": {"ok": True},
                                   "model": {"ok": True, "version": with_model}}


def test_not_ready_without_an_active_model(client: FlaskClient) -> None:
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 503 and body["status"] == "unavailable"
    assert body["database"] == {"ok": True} and body["broker"] == {"ok": True}
    assert body["model"]["ok"] is False and "no model version is active" in body["model"]["error"]


def test_not_ready_when_the_embedded_broker_folder_is_gone(app: Flask, client: FlaskClient) -> None:
    shutil.rmtree(services(app).celery.conf.broker_transport_options["data_folder_in"])
    broker = client.get("/readyz").get_json()["broker"]
    assert broker["ok"] is False and "does not exist" in broker["error"]


def test_not_ready_when_redis_is_down(app_config: dict[str, str], with_model: str) -> None:
    app = create_app({**app_config, "BROKER_URL": "redis://127.0.0.1:1/0"})
    response = app.test_client().get("/readyz")
    body = response.get_json()
    assert response.status_code == 503 and body["database"]["ok"] is True
    assert body["broker"]["ok"] is False and "ConnectionError" in body["broker"]["error"]
    services(app).dispose()


def test_not_ready_when_the_database_cannot_be_opened(app_config: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "a-folder-not-a-database"
    folder.mkdir()
    app = create_app({**app_config, "DATABASE_URL": f"sqlite:///{folder}"})
    response = app.test_client().get("/readyz")
    body = response.get_json()
    assert response.status_code == 503 and body["database"]["ok"] is False
    assert body["database"]["error"].startswith("OperationalError") and "\n" not in body["database"]["error"]
    assert body["model"]["ok"] is False
    services(app).dispose()
