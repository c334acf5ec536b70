"""Optional site API keys: MODERATION_SITE_KEYS (comma-separated); empty means open.

A view that needs a key says so (``@site_key_required``): posting a comment and the Perspective-compatible
endpoints. The app factory reads the declarations and checks them in one before_request hook (:func:`init_app`).
A site sends its key as the ``key`` query parameter (what Perspective's clients do) or the ``X-Site-Key``
header. Missing: 401; wrong: 403, raised as an ApiError that each blueprint renders in its own error shape
(Perspective's clients get Google's, so they report it the way they report Google's errors).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, g, request

from service.web.context import services
from service.web.errors import ApiError

HEADER = "X-Site-Key"
DECLARED = "site_key_required"
"""The attribute :func:`site_key_required` sets on a view function."""

View = TypeVar("View", bound=Callable[..., object])


def site_key_required(view: View) -> View:
    """Declare that a view needs a valid site key whenever MODERATION_SITE_KEYS is set."""
    setattr(view, DECLARED, True)
    return view


def presented_key() -> str | None:
    """The key the request carries, if any (query parameter first, as Perspective's clients send it)."""
    return request.args.get("key") or request.headers.get(HEADER) or None


def matches(key: str, keys: tuple[str, ...]) -> bool:
    """Whether ``key`` is one of ``keys``, compared in constant time (every key is compared)."""
    found = False
    for candidate in keys:
        found |= hmac.compare_digest(key.encode(), candidate.encode())
    return found


def init_app(app: Flask) -> None:
    """Check the site key of every view that declares it needs one (call after every blueprint is registered)."""
    protected = frozenset(endpoint for endpoint, view in app.view_functions.items() if getattr(view, DECLARED, False))

    @app.before_request
    def require_site_key() -> None:
        keys = services().settings.site_keys
        if request.endpoint not in protected or not keys:
            return
        key = presented_key()
        if key is None:
            raise ApiError(401, "unauthorized", f"an API key is required: pass ?key=KEY or the {HEADER} header", "key")
        if not matches(key, keys):
            raise ApiError(403, "forbidden", "the API key is not valid", "key")
        g.site_key_hint = key[-4:]
