"""Optional site API keys for posting: MODERATION_SITE_KEYS (comma-separated); empty means open.

Enforced on POST /api/v1/comments and on the Perspective-compatible endpoints by one before_request hook,
so the views stay unaware of it. A site sends its key as the ``key`` query parameter (what Perspective's
clients do) or the ``X-Site-Key`` header. Missing: 401; wrong: 403. The error is our JSON error shape,
or Perspective's own on its endpoints, so its clients report it the way they report Google's errors.
"""

from __future__ import annotations

import hmac

from flask import Flask, Response, g, request

from service.web.context import services
from service.web.errors import error_response
from service.web.perspective.errors import perspective_error

HEADER = "X-Site-Key"
PROTECTED = {"comments.submit_comment": "our", "perspective.analyze": "perspective",
             "perspective.suggestscore": "perspective"}
"""Endpoint → which error shape it answers in."""


def presented_key() -> str | None:
    """The key the request carries, if any (query parameter first, as Perspective's clients send it)."""
    return request.args.get("key") or request.headers.get(HEADER) or None


def matches(key: str, keys: tuple[str, ...]) -> bool:
    """Whether ``key`` is one of ``keys``, compared in constant time (every key is compared)."""
    found = False
    for candidate in keys:
        found |= hmac.compare_digest(key.encode(), candidate.encode())
    return found


def _refuse(shape: str, status: int, message: str) -> Response:
    if shape == "perspective":
        return perspective_error(status, message)
    return error_response(status, "unauthorized" if status == 401 else "forbidden", message, "key")


def require_site_key() -> Response | None:
    """before_request: let the request through, or answer 401/403 when a protected endpoint lacks a valid key."""
    shape = PROTECTED.get(request.endpoint or "")
    keys = services().settings.site_keys
    if shape is None or not keys:
        return None
    key = presented_key()
    if key is None:
        return _refuse(shape, 401, f"an API key is required: pass ?key=KEY or the {HEADER} header")
    if not matches(key, keys):
        return _refuse(shape, 403, "the API key is not valid")
    g.site_key_hint = key[-4:]
    return None


def init_app(app: Flask) -> None:
    """Register the key check on ``app``."""
    app.before_request(require_site_key)
