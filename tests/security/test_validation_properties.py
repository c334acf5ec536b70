"""Property tests of the comment-text validator, alone and through the API: any Unicode (lone surrogates and NUL
included), huge inputs, any JSON. A text is either kept exactly as sent or refused with a 400 naming the field;
never a 500, never a half-written row. (The normaliser's properties are in tests/classifier/test_normalize.py.)"""

from __future__ import annotations

import json

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.infra.models import Comment
from service.web.errors import ApiError
from service.web.validation import clean_string
from tests.security.conftest import AppFactory
from tests.service.conftest import stored

MAX = 300
any_text = st.text(st.characters(exclude_categories=()), max_size=MAX + 20)  # surrogates (Cs) and NUL included
hostile = st.lists(st.sampled_from(["\x00", "\ud800", "\udfff", "\u202e", "\ufeff", " ", "\n", "a", "é", "😂",
                                    "\U0010ffff", "\ufffd"]), max_size=40).map("".join)


def _has_lone_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


@settings(max_examples=500, deadline=None)
@given(any_text | hostile)
def test_a_text_is_kept_verbatim_or_refused_for_a_stated_reason(text: str) -> None:
    try:
        kept = clean_string(text, "text", MAX)
    except ApiError as error:
        assert error.status == 400 and error.field == "text"
        expected = ("invalid_characters" if "\x00" in text or _has_lone_surrogate(text)
                    else "empty" if not text.strip() else "too_long")
        assert error.code == expected, (text, error.code)
        assert len(error.message) < 200  # the message names the problem, it does not echo the input
        return
    assert kept == text  # no trimming, no normalising: what the reader wrote is what is stored
    assert "\x00" not in text and not _has_lone_surrogate(text) and text.strip() and len(text) <= MAX


@pytest.mark.parametrize("size", [MAX + 1, 100_000, 5_000_000])
def test_huge_texts_are_refused_quickly_as_too_long(size: int) -> None:
    with pytest.raises(ApiError) as raised:
        clean_string("x" * size, "text", MAX)
    assert raised.value.code == "too_long"


@pytest.fixture(scope="module")
def api(make_app: AppFactory) -> Flask:
    return make_app(MODERATION_RATE_LIMITS="false", MODERATION_MAX_TEXT=str(MAX))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=any_text | hostile, name=any_text | hostile)
def test_the_api_stores_exactly_what_it_accepts(api: Flask, text: str, name: str) -> None:
    client = api.test_client()
    before = len(stored(api, Comment))
    # JSON escapes (\ud800) carry what UTF-8 cannot: the way a lone surrogate actually arrives.
    raw = json.dumps({"article_id": "a1", "author": {"id": "u1", "name": name[:200]}, "text": text})
    response = client.post("/api/v1/comments", data=raw, content_type="application/json")
    if response.status_code == 202:
        # What the server receives is the JSON, and JSON reads an escaped surrogate pair as the one
        # character it encodes: "\ud800\udc00" in a Python string arrives as "\U00010000".
        sent = json.loads(raw)
        body = response.get_json()
        assert (body["text"], body["author"]["name"]) == (sent["text"], sent["author"]["name"])
        rows = stored(api, Comment)
        assert len(rows) == before + 1
        # Read back from the table: the public GET of a pending comment shows only its status.
        assert next(row.text for row in rows if row.id == body["id"]) == sent["text"]
    else:
        assert response.status_code == 400, response.get_data(as_text=True)
        assert response.get_json()["error"]["field"] in {"text", "author.name"}
        assert len(stored(api, Comment)) == before
