"""Request bodies: the size limit for every body, chunked ones included, and one strict JSON parser.

Werkzeug enforces ``MAX_CONTENT_LENGTH`` on the ``Content-Length`` header. A chunked body has none: the
server (gunicorn, Werkzeug's) hands the stream over and Werkzeug reads it only up to the limit, silently,
so an over-long comment arrived cut off and was answered 400 "Unterminated string". :func:`init_app`
reads such a body itself, at most one byte past the limit, and answers 413 when it is longer; the bytes
it read become the request's cached data, which every later reader (``get_data``, ``get_json``, forms)
uses.

:func:`loads` is the one JSON parser of the service's request bodies (the API, Perspective, Coral, and
Flask's ``get_json`` through the app's JSON provider): it refuses NaN and Infinity, and a key that occurs
twice in one object, which Python's json would silently resolve to the last value while another parser
(the site's, a proxy's, a WAF's) may read the first.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, current_app, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import RequestEntityTooLarge


class DuplicateKey(ValueError):
    """A JSON object names one key twice; ``key`` is the key."""

    def __init__(self, key: str) -> None:
        super().__init__(f"duplicate key {key!r} in a JSON object")
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateKey(key)
        found[key] = value
    return found


def _reject_constant(name: str) -> None:
    # Python's json accepts NaN and Infinity; JSON does not, and they would poison scores and counts.
    raise ValueError(f"{name} is not valid JSON")


def loads(raw: str | bytes) -> Any:
    """Parse a JSON document strictly: no NaN or Infinity, no key twice in one object (DuplicateKey).

    Raises ValueError (JSONDecodeError, UnicodeDecodeError, DuplicateKey) or RecursionError, as json does.
    """
    return json.loads(raw, parse_constant=_reject_constant, object_pairs_hook=_unique_pairs)


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider with :func:`loads` for reading, so ``request.get_json`` is strict too."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse ``s`` with :func:`loads` (keyword arguments other than these are not used by the service)."""
        return loads(s)


def _read_unsized_body() -> None:
    # Only a stream the server terminates (chunked) and that has no Content-Length: Werkzeug has already
    # refused a declared length over the limit, and without wsgi.input_terminated the stream is empty.
    environ = request.environ
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is None or request.content_length is not None or "wsgi.input_terminated" not in environ:
        return
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    raw = environ["wsgi.input"].read(limit + 1)
    if len(raw) > limit:
        raise RequestEntityTooLarge()
    request._cached_data = raw  # what Werkzeug's get_data returns from now on (and forms parse)


def init_app(app: Flask) -> None:
    """Enforce the body limit on chunked bodies (register before any hook that reads the body), and make
    ``get_json`` strict."""
    app.json = StrictJSONProvider(app)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep documents in the order they are written
    app.before_request(_read_unsized_body)
