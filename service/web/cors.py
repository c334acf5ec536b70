"""CORS for the public comment endpoints only, and only when MODERATION_CORS_ORIGINS names the origins.

Off by default: without the variable no response carries an Access-Control-* header, so a browser on another
site cannot read anything. When set, a page on a listed origin may submit, read, list and report comments
from the reader's browser. The moderation API and the workbench never answer with CORS headers, whatever the
configuration: they are for moderators, not for third-party pages. Credentials (cookies) are never allowed.
"""

from __future__ import annotations

from flask import Flask, Response, request

PUBLIC_BLUEPRINTS = {"comments"}
"""Blueprints whose routes a browser on an allowed origin may call (POST/GET comments, reports)."""

ALLOWED_HEADERS = "Content-Type, X-Site-Key"
EXPOSED_HEADERS = "Location, Retry-After"
PREFLIGHT_MAX_AGE = 600


def allowed_origin(origin: str | None, origins: tuple[str, ...]) -> str | None:
    """The value of Access-Control-Allow-Origin for ``origin``, or None when it is not allowed."""
    if not origin or not origins:
        return None
    if "*" in origins:
        return "*"
    return origin if origin.lower() in origins else None


def _public() -> bool:
    return request.blueprint in PUBLIC_BLUEPRINTS


def _headers(response: Response, value: str) -> Response:
    response.headers["Access-Control-Allow-Origin"] = value
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    response.vary.add("Origin")
    return response


def init_app(app: Flask, origins: tuple[str, ...]) -> None:
    """Answer preflights and add CORS headers on the public endpoints for ``origins``; nothing when empty.

    Register before other before_request hooks: a preflight carries no key or token and must be answered
    before anything asks for one.
    """
    if not origins:
        return

    @app.before_request
    def _preflight() -> Response | None:
        if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers or not _public():
            return None
        value = allowed_origin(request.headers.get("Origin"), origins)
        if value is None or request.url_rule is None:
            return None  # Flask's own OPTIONS answer, without CORS headers: the browser refuses the call
        response = Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = ", ".join(sorted(request.url_rule.methods or ()))
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
        return _headers(response, value)

    @app.after_request
    def _simple(response: Response) -> Response:
        value = allowed_origin(request.headers.get("Origin"), origins) if _public() else None
        if value is not None and "Access-Control-Allow-Origin" not in response.headers:
            _headers(response, value)
        return response
