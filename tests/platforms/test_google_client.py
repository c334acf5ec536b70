"""Google's own client (google-api-python-client, from PyPI) against our app served over real HTTP:
Perspective's documented Python usage with only ``discoveryServiceUrl`` pointing at us."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from service.infra.db import upgrade
from service.lifecycle.active_model import register_bundle
from service.web.app import create_app
from tests.integration.fault_tools import free_port
from tests.service.conftest import services

discovery = pytest.importorskip("googleapiclient.discovery")
errors = pytest.importorskip("googleapiclient.errors")

PORTS = range(18700, 18750)
KEY = "test-site-key-0001"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, trained_bundle: Path) -> Iterator[str]:
    """The app with a site key and the seed model, served by a real HTTP server thread; its base URL."""
    folder = tmp_path_factory.mktemp("google-client")
    url = f"sqlite:///{folder / 'moderation.sqlite3'}"
    upgrade(url)
    app: Flask = create_app({"DATABASE_URL": url, "BROKER_URL": "filesystem://", "MODERATION_VAR_DIR": str(folder),
                             "MODERATION_SITE_KEYS": KEY})
    with services(app).sessions() as session:
        register_bundle(session, trained_bundle, activate=True)
        session.commit()
    server = make_server("127.0.0.1", free_port(PORTS), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        services(app).dispose()


def _client(base: str, key: str = KEY):
    # Exactly Perspective's documented usage, with only the discovery URL changed.
    return discovery.build("commentanalyzer", "v1alpha1", developerKey=key,
                           discoveryServiceUrl=f"{base}/$discovery/rest?version=v1alpha1", static_discovery=False)


def test_googles_client_analyzes_and_suggests(served: str) -> None:
    client = _client(served)
    request = {"comment": {"text": "You are a pathetic idiot."},
               "requestedAttributes": {"TOXICITY": {}, "IDENTITY_ATTACK": {}}, "languages": ["en"],
               "spanAnnotations": True}
    response = client.comments().analyze(body=request).execute()
    assert set(response["attributeScores"]) == {"TOXICITY", "IDENTITY_ATTACK"} and response["languages"] == ["en"]
    toxicity = response["attributeScores"]["TOXICITY"]
    assert toxicity["summaryScore"]["type"] == "PROBABILITY" and 0 <= toxicity["summaryScore"]["value"] <= 1
    stretches = [(span["begin"], span["end"]) for span in toxicity["spanScores"]]
    assert len(stretches) == len(set(stretches)), f"a span repeated: {stretches}"
    suggestion = {"comment": {"text": "You are a pathetic idiot."}, "clientToken": "c-9",
                  "attributeScores": {"INSULT": {"summaryScore": {"value": 1.0}}}}
    assert client.comments().suggestscore(body=suggestion).execute()["clientToken"] == "c-9"


@pytest.mark.parametrize("attribute", ["THREAT", "SEVERE_TOXICITY", "INSULT", "PROFANITY"])
def test_googles_client_is_told_an_unmodelled_attribute_is_unsupported(served: str, attribute: str) -> None:
    body = {"comment": {"text": "You are a pathetic idiot."}, "requestedAttributes": {"TOXICITY": {}, attribute: {}}}
    with pytest.raises(errors.HttpError) as unsupported:
        _client(served).comments().analyze(body=body).execute()
    assert unsupported.value.resp.status == 400
    assert unsupported.value.reason == f"Attribute {attribute} does not support request languages: en"
    assert unsupported.value.error_details[0]["errorType"] == "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"
    kept = _client(served).comments().analyze(body={**body, "dropUnsupportedAttributes": True}).execute()
    assert set(kept["attributeScores"]) == {"TOXICITY"}


def test_googles_client_sees_perspectives_errors(served: str) -> None:
    with pytest.raises(errors.HttpError) as refused:
        _client(served, key="wrong-key").comments().analyze(
            body={"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}}).execute()
    assert refused.value.resp.status == 403
    with pytest.raises(errors.HttpError) as unsupported:
        _client(served).comments().analyze(
            body={"comment": {"text": "hi"}, "requestedAttributes": {"FLIRTATION": {}}}).execute()
    assert unsupported.value.resp.status == 400 and "FLIRTATION" in unsupported.value.reason
