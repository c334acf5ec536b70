"""Every kind of bad input to POST /api/v1/comments: a 400 naming the field, never a 500, nothing stored."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.service.conftest import broker_messages, stored
from tests.service.test_api import assert_error

GOOD = {"article_id": "a1", "author": {"id": "u1", "name": "Reader"}, "text": "A fair point."}


def _with(**changes: object) -> dict:
    body = json.loads(json.dumps(GOOD))
    for key, value in changes.items():
        if key.startswith("author_"):
            body["author"][key.removeprefix("author_")] = value
        else:
            body[key] = value
    return body


def _without(*keys: str) -> dict:
    body = json.loads(json.dumps(GOOD))
    for key in keys:
        if key.startswith("author."):
            del body["author"][key.removeprefix("author.")]
        else:
            del body[key]
    return body


RAW_CASES = [
    # (raw body, code, field)
    (b'{"article_id": "a1", "text": ', "invalid_json", None),
    (b"", "invalid_json", None),
    (b"   ", "invalid_json", None),
    (b"\xff\xfe{not utf-8}", "invalid_json", None),
    (b'{"article_id": "a1", "author": {"id": "u", "name": "n"}, "text": NaN}', "invalid_json", None),
    (b"[" * 40_000 + b"]" * 40_000, "invalid_json", None),
    (b'{"text": "1"' + b"9" * 5000 + b"}", "invalid_json", None),
    (b"[]", "invalid_body", None),
    (b'"text"', "invalid_body", None),
    (b"null", "invalid_body", None),
    (b"42", "invalid_body", None),
    # JSON escapes that decode to a lone surrogate or NUL: valid JSON, invalid text
    (b'{"article_id": "a1", "author": {"id": "u", "name": "n"}, "text": "bad \\ud800 half"}',
     "invalid_characters", "text"),
    (b'{"article_id": "a1", "author": {"id": "u", "name": "\\udfff"}, "text": "ok"}',
     "invalid_characters", "author.name"),
    (b'{"article_id": "a\\u0000", "author": {"id": "u", "name": "n"}, "text": "ok"}',
     "invalid_characters", "article_id"),
    (b'{"article_id": "a1", "author": {"id": "u", "name": "n"}, "text": "ok", "\\ud800": 1}',
     "unknown_field", None),
]


@pytest.mark.parametrize("raw,code,field", RAW_CASES, ids=range(len(RAW_CASES)))
def test_raw_bodies(app: Flask, client: FlaskClient, raw: bytes, code: str, field: str | None) -> None:
    response = client.post("/api/v1/comments", data=raw, content_type="application/json")
    assert_error(response, 400, code, field)
    assert stored(app) == [] and broker_messages(app) == []


BODY_CASES = [
    (_without("text"), "missing_field", "text"),
    (_without("article_id"), "missing_field", "article_id"),
    (_without("author"), "missing_field", "author"),
    (_without("author.name"), "missing_field", "author.name"),
    (_without("author.id"), "missing_field", "author.id"),
    (_with(text=None), "missing_field", "text"),
    (_with(text=5), "invalid_type", "text"),
    (_with(text=["a"]), "invalid_type", "text"),
    (_with(text={"a": 1}), "invalid_type", "text"),
    (_with(text=""), "empty", "text"),
    (_with(text=" \n\t "), "empty", "text"),
    (_with(text="x" * 10_001), "too_long", "text"),
    (_with(text="nul \x00 byte"), "invalid_characters", "text"),
    (_with(article_id=12), "invalid_type", "article_id"),
    (_with(article_id=""), "empty", "article_id"),
    (_with(article_id="a" * 201), "too_long", "article_id"),
    (_with(author="bob"), "invalid_type", "author"),
    (_with(author_id=7), "invalid_type", "author.id"),
    (_with(author_id="u" * 201), "too_long", "author.id"),
    (_with(author_name=""), "empty", "author.name"),
    (_with(author_name="n\x00"), "invalid_characters", "author.name"),
    (_with(author_email="x@y"), "unknown_field", "author.email"),
    (_with(extra=1), "unknown_field", "extra"),
    (_with(status="published"), "unknown_field", "status"),
    (_with(parent_id="3"), "invalid_type", "parent_id"),
    (_with(parent_id=True), "invalid_type", "parent_id"),
    (_with(parent_id=1.5), "invalid_type", "parent_id"),
    (_with(parent_id=0), "invalid_value", "parent_id"),
    (_with(parent_id=2**40), "invalid_value", "parent_id"),
]


@pytest.mark.parametrize("body,code,field", BODY_CASES, ids=[f"{c}-{f}-{i}" for i, (_, c, f) in enumerate(BODY_CASES)])
def test_json_bodies(app: Flask, client: FlaskClient, body: dict, code: str, field: str) -> None:
    assert_error(client.post("/api/v1/comments", json=body), 400, code, field)
    assert stored(app) == [] and broker_messages(app) == []


def test_limits_are_inclusive(client: FlaskClient) -> None:
    at_limit = _with(text="x" * 10_000, article_id="a" * 200, author_id="u" * 200, author_name="n" * 200)
    assert client.post("/api/v1/comments", json=at_limit).status_code == 202
    # Length counts characters, not bytes: 10,000 emoji are 40,000 bytes of UTF-8 (under the body limit).
    raw = json.dumps(_with(text="👍" * 10_000), ensure_ascii=False).encode("utf-8")
    assert client.post("/api/v1/comments", data=raw, content_type="application/json").status_code == 202


def test_null_parent_is_no_parent(client: FlaskClient) -> None:
    response = client.post("/api/v1/comments", json=_with(parent_id=None))
    assert response.status_code == 202 and response.get_json()["parent_id"] is None


def test_path_and_query_ids_are_checked_too(client: FlaskClient) -> None:
    assert_error(client.get("/api/v1/articles/a%00b/comments"), 400, "invalid_characters", "article_id")
    assert_error(client.get(f"/api/v1/articles/{'a' * 201}/comments"), 400, "too_long", "article_id")
