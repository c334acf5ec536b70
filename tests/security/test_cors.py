"""CORS: off unless MODERATION_CORS_ORIGINS is set; then only the public comment endpoints answer allowed origins,
and no moderation route (API or workbench) ever does."""

from __future__ import annotations

import pytest
from flask import Flask

from service.config import ConfigError, load_settings
from tests.security.conftest import AppFactory

SITE = "https://news.example"
COMMENT = {"article_id": "a1", "author": {"id": "u1", "name": "Reader"}, "text": "A fair point."}


def _every_path(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, path) of every route of the app, with placeholder arguments."""
    import re

    found = []
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<[^>]+>", "1", rule.rule)
        found.extend((rule.endpoint, method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"}))
    return found


def test_off_by_default_nothing_anywhere(make_app: AppFactory) -> None:
    app = make_app()
    client = app.test_client()
    for _, method, path in _every_path(app):
        response = client.open(path, method=method, headers={"Origin": SITE})
        assert not any(name.startswith("Access-Control-") for name, _ in response.headers), (method, path)
    preflight = client.options("/api/v1/comments", headers={"Origin": SITE, "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers


@pytest.fixture(scope="module")
def open_to_site(make_app: AppFactory) -> Flask:
    return make_app(MODERATION_CORS_ORIGINS=f"{SITE}, https://Other.Example:8443", MODERATION_SITE_KEYS="k")


def test_the_public_endpoints_answer_listed_origins_only(open_to_site: Flask) -> None:
    client = open_to_site.test_client()
    posted = client.post("/api/v1/comments?key=k", json=COMMENT, headers={"Origin": SITE})
    assert posted.status_code == 202 and posted.headers["Access-Control-Allow-Origin"] == SITE
    assert "Origin" in posted.headers["Vary"] and "Location" in posted.headers["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in posted.headers  # never cookies across origins
    listed = client.get("/api/v1/articles/a1/comments", headers={"Origin": "https://other.example:8443"})
    assert listed.headers["Access-Control-Allow-Origin"] == "https://other.example:8443"
    stranger = client.get("/api/v1/articles/a1/comments", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in stranger.headers


def test_a_preflight_is_answered_before_the_key_is_asked_for(open_to_site: Flask) -> None:
    client = open_to_site.test_client()
    preflight = client.options("/api/v1/comments", headers={
        "Origin": SITE, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204 and preflight.headers["Access-Control-Allow-Origin"] == SITE
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    refused = client.options("/api/v1/comments", headers={"Origin": "https://evil.example",
                                                           "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_no_moderation_route_ever_answers_an_origin(open_to_site: Flask) -> None:
    client = open_to_site.test_client()
    checked = 0
    for endpoint, method, path in _every_path(open_to_site):
        if endpoint.partition(".")[0] not in {"moderation", "models", "moderate"}:
            continue
        preflight = {"Access-Control-Request-Method": method}
        for sent, extra in ((method, {}), ("OPTIONS", preflight)):
            response = client.open(path, method=sent, headers={"Origin": SITE, **extra})
            assert "Access-Control-Allow-Origin" not in response.headers, (endpoint, method, path)
            checked += 1
    assert checked >= 20


@pytest.mark.parametrize("value", ["news.example", "https://news.example/path", "ftp://news.example", "https://"])
def test_an_origin_that_is_not_one_is_a_config_error(value: str) -> None:
    with pytest.raises(ConfigError, match="MODERATION_CORS_ORIGINS"):
        load_settings({"MODERATION_CORS_ORIGINS": value})


def test_a_wildcard_allows_any_origin(make_app: AppFactory) -> None:
    client = make_app(MODERATION_CORS_ORIGINS="*").test_client()
    response = client.get("/api/v1/articles/a1/comments", headers={"Origin": "https://anyone.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in client.get("/api/v1/moderation/queue",
                                                           headers={"Origin": "https://anyone.example"}).headers
