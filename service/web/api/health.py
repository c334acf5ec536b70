"""Liveness and readiness probes for load balancers and orchestrators.

``/healthz`` says the process answers. ``/readyz`` says it can do its job: the database answers,
the broker takes connections (or, embedded, its folder is writable) and a model is loaded.
"""

from __future__ import annotations

import os
from pathlib import Path

import redis
from flask import Blueprint, Response, jsonify
from sqlalchemy import text

from service.lifecycle.active_model import NoActiveModel
from service.web.context import Services, services

blueprint = Blueprint("health", __name__)

PROBE_TIMEOUT_SECONDS = 1.0
"""A probe that waits longer than the orchestrator's own timeout is worse than one that says no."""


def _failure(error: BaseException) -> dict[str, object]:
    # First line only: driver messages can run to SQL statements and hints.
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return {"ok": False, "error": f"{type(error).__name__}: {message}"[:300]}


def check_database(found: Services) -> dict[str, object]:
    """``SELECT 1`` on a fresh connection from the pool."""
    try:
        with found.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        return _failure(error)
    return {"ok": True}


def check_broker(found: Services) -> dict[str, object]:
    """Embedded: the queue folder exists and is writable. Redis: a PING with a short timeout."""
    try:
        if found.settings.embedded:
            folder = Path(found.celery.conf.broker_transport_options["data_folder_in"])
            if not folder.is_dir():
                return {"ok": False, "error": f"broker folder {folder} does not exist"}
            if not os.access(folder, os.W_OK | os.X_OK):
                return {"ok": False, "error": f"broker folder {folder} is not writable"}
            return {"ok": True}
        url = found.settings.broker_url
        if url.startswith(("redis://", "rediss://", "unix://")):
            client = redis.Redis.from_url(
                url, socket_connect_timeout=PROBE_TIMEOUT_SECONDS, socket_timeout=PROBE_TIMEOUT_SECONDS)
            try:
                client.ping()
            finally:
                client.close()
        else:
            with found.celery.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=PROBE_TIMEOUT_SECONDS)
    except Exception as error:
        return _failure(error)
    return {"ok": True}


def check_model(found: Services) -> dict[str, object]:
    """The registry's active model loads (and passed its sha256 check)."""
    try:
        scorer = found.model.scorer()
    except NoActiveModel as error:
        return {"ok": False, "error": str(error)}
    except Exception as error:
        return _failure(error)
    return {"ok": True, "version": scorer.version}


@blueprint.get("/healthz")
def healthz() -> Response:
    """200 while the process answers requests."""
    return jsonify({"status": "ok"})


@blueprint.get("/readyz")
def readyz() -> tuple[Response, int]:
    """200 when database, broker and model are all usable, else 503; the body says which is not."""
    found = services()
    checks = {"database": check_database(found), "broker": check_broker(found), "model": check_model(found)}
    ready = all(check["ok"] for check in checks.values())
    return jsonify({"status": "ok" if ready else "unavailable", **checks}), 200 if ready else 503
