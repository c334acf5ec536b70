"""MODERATION_SITE_KEYS: open when empty; otherwise 401 without a key and 403 with a wrong one, in the
endpoint's own error shape; a valid key by query parameter or header gets through."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.infra.models import Comment
from service.web.app import create_app
from service.web.site_keys import matches
from tests.service.conftest import services, stored

COMMENT = {"article_id": "a1", "author": {"id": "u1", "name": "Reader"}, "text": "A fair point."}
ANALYZE = {"comment": {"text": "hello"}, "requestedAttributes": {"TOXICITY": {}}}


@pytest.fixture
def keyed(app_config: dict[str, str]) -> Iterator[Flask]:
    app = create_app({**app_config, "MODERATION_SITE_KEYS": "site-one-key, site-two-key"})
    yield app
    services(app).dispose()


def test_open_when_no_keys_are_configured(client: FlaskClient) -> None:
    assert client.post("/api/v1/comments", json=COMMENT).status_code == 202


def test_comments_need_a_valid_key(keyed: Flask) -> None:
    client = keyed.test_client()
    missing = client.post("/api/v1/comments", json=COMMENT)
    assert missing.status_code == 401 and missing.get_json()["error"]["code"] == "unauthorized"
    assert missing.get_json()["error"]["field"] == "key"
    wrong = client.post("/api/v1/comments?key=nope", json=COMMENT)
    assert wrong.status_code == 403 and wrong.get_json()["error"]["code"] == "forbidden"
    assert stored(keyed, Comment) == []  # refused before anything was written
    assert client.post("/api/v1/comments?key=site-one-key", json=COMMENT).status_code == 202
    assert client.post("/api/v1/comments", json=COMMENT, headers={"X-Site-Key": "site-two-key"}).status_code == 202
    # Reading is not guarded: the site renders comments for anyone.
    assert client.get("/api/v1/articles/a1/comments").status_code == 200


def test_perspective_endpoints_answer_in_perspectives_shape(keyed: Flask) -> None:
    client = keyed.test_client()
    for path in ("/v1alpha1/comments:analyze", "/v1alpha1/comments:suggestscore"):
        missing = client.post(path, json=ANALYZE).get_json()["error"]
        assert (missing["code"], missing["status"]) == (401, "UNAUTHENTICATED")
        wrong = client.post(f"{path}?key=nope", json=ANALYZE).get_json()["error"]
        assert (wrong["code"], wrong["status"]) == (403, "PERMISSION_DENIED")
    # With a key the request reaches the endpoint (503 here: this app has no model yet).
    assert client.post("/v1alpha1/comments:analyze?key=site-one-key", json=ANALYZE).status_code == 503
    assert client.get("/$discovery/rest?version=v1alpha1").status_code == 200  # the document is public


def test_keys_compare_exactly() -> None:
    assert matches("abc", ("xyz", "abc")) and not matches("ab", ("abc",)) and not matches("abcd", ("abc",))
