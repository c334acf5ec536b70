"""Sign-in state, CSRF tokens and safe redirects for the workbench (Flask session cookie based)."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import abort, request, session

CSRF_KEY = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")
"""The workbench's Content-Security-Policy: no inline script or style, nothing from another origin."""


def csrf_token() -> str:
    """This session's CSRF token, created on first use (templates call it for every form)."""
    token = session.get(CSRF_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_KEY] = token
    return token


def check_csrf() -> None:
    """Abort with 400 unless the request carries this session's CSRF token (form field or header)."""
    expected = session.get(CSRF_KEY)
    given = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if not expected or not hmac.compare_digest(str(expected).encode(), given.encode()):
        abort(400, description="missing or wrong CSRF token")


def safe_next(target: str | None, default: str) -> str:
    """``target`` when it is a same-site relative path under /moderate, else ``default`` (no open redirect)."""
    if not target or "\\" in target or any(ord(ch) < 32 for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target if parts.path.startswith("/moderate") else default


def sign_in(moderator_id: int) -> None:
    """Start a fresh session for the moderator: clearing first means no pre-login session id survives."""
    session.clear()
    session["moderator_id"] = moderator_id
    csrf_token()


def sign_out() -> None:
    """Forget everything in the session."""
    session.clear()
