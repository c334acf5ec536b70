"""Sign-in state, CSRF tokens and safe redirects for the workbench (Flask session cookie based)."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import Response, abort, render_template, request, session, url_for

from service.web.errors import error_response

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


CSRF_MESSAGE = "missing or wrong CSRF token"


def check_csrf() -> None:
    """Abort with 400 unless the request carries this session's CSRF token (form field or header).

    A browser's form post gets a readable HTML page (the usual cause is a page left open across a sign-out
    or a restart with a new secret); a fetch or any other caller that does not prefer HTML gets the API's
    JSON error shape.
    """
    expected = session.get(CSRF_KEY)
    given = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if expected and hmac.compare_digest(str(expected).encode(), given.encode()):
        return
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html":
        came_from = urlsplit(request.referrer or "")
        back = safe_next(came_from.path + (f"?{came_from.query}" if came_from.query else ""),
                         url_for("moderate.queue"))
        html = render_template("moderate/refused.html", back=back)
        abort(Response(html, status=400, mimetype="text/html"))
    abort(error_response(400, "bad_request", CSRF_MESSAGE, CSRF_FIELD))


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
