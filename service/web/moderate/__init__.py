"""The moderator's workbench: server-rendered pages under /moderate, signed in with a session cookie.

Not part of the JSON API (and not in its OpenAPI document): HTML pages and form posts, each protected by
the session and a CSRF token, with a strict Content-Security-Policy.
"""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    Request,
    Response,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException

from service.infra.models import Moderator
from service.web.context import db_session
from service.web.errors import add_html_error_pages
from service.web.moderate.security import CSP, check_csrf, csrf_token

blueprint = Blueprint("moderate", __name__, url_prefix="/moderate", template_folder="templates",
                      static_folder="static", static_url_path="/static")

ASSETS = {"moderate.static", "moderate.favicon"}
"""Files anyone may fetch: no session is read for them."""
OPEN_ENDPOINTS = {"moderate.login", *ASSETS}
STATIC = Path(__file__).parent / "static"


def _signed_in() -> Moderator | None:
    """The active moderator this session belongs to, if any."""
    moderator_id = session.get("moderator_id")
    moderator = db_session().get(Moderator, moderator_id) if moderator_id else None
    return moderator if moderator is not None and moderator.active else None


@blueprint.before_request
def require_signed_in() -> Response | None:
    """Signed-out requests go to the login page; every POST (login included) needs the CSRF token."""
    if request.endpoint in ASSETS:
        return None
    moderator = _signed_in()
    if moderator is not None:
        g.moderator = moderator  # set before the CSRF check, so a refusal page still shows the navigation
    if request.method == "POST":
        check_csrf()
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if g.get("moderator") is None:
        session.pop("moderator_id", None)
        return redirect(url_for("moderate.login", next=request.full_path.rstrip("?")))
    return None


@blueprint.after_request
def security_headers(response: Response) -> Response:
    """CSP and friends on every workbench response; pages are private, never cached."""
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.app_context_processor
def template_helpers() -> dict[str, object]:
    """What every workbench template can call."""
    from service.web.moderate.actions import undo_offer

    return {"csrf_token": csrf_token, "moderator": g.get("moderator"), "undo_offer": undo_offer}


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the cookie marked Secure whenever the request came over HTTPS.

    ``SESSION_COOKIE_SECURE`` (on in production) covers a TLS proxy in front; this covers a server that
    terminates HTTPS itself, so the cookie never goes out over plain HTTP after a sign-in over HTTPS.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """The signed session; for a request without the cookie (every API call), an empty one at once.

        Flask would build its signing serializer first, on every request, only to find nothing to read.
        """
        if request.cookies.get(self.get_cookie_name(app)) is None and app.secret_key:
            return self.session_class()
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure when configured so, or when this request is HTTPS."""
        return bool(super().get_cookie_secure(app) or (has_request_context() and request.is_secure))


def favicon() -> Response:
    """The icon every browser asks for at /favicon.ico (an SVG of our own; pages also link it)."""
    response = send_from_directory(STATIC, "favicon.svg", mimetype="image/svg+xml", max_age=86400)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def error_page(error: HTTPException) -> Response:
    """An HTTP error under /moderate as a page a person can act on (a browser never sees raw JSON here)."""
    if g.get("moderator") is None:
        g.moderator = _signed_in()  # an unknown path ran no before_request: look the session up for the navigation
    status = error.code or 500
    html = render_template("moderate/error.html", status=status, title=error.name)
    response = security_headers(Response(html, status=status, mimetype="text/html"))
    if error.code == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))  # type: ignore[attr-defined]
    return response


def init_app(app: Flask) -> None:
    """Register the workbench's routes on ``app`` (and its session cookie policy, error pages and favicon)."""
    from service.web.moderate import actions, auth, pages  # noqa: F401  (the modules add routes to the blueprint)

    app.session_interface = SessionInterface()
    app.register_blueprint(blueprint)
    # At the site's root, where browsers look for it; named under the blueprint so it counts as the workbench's
    # (an open asset, see ASSETS) rather than an undocumented API route.
    app.add_url_rule("/favicon.ico", "moderate.favicon", favicon)
    add_html_error_pages(app, blueprint.url_prefix or "/moderate", error_page)


@blueprint.app_template_filter("highlight")
def _highlight_filter(comment: object) -> object:
    from service.web.moderate.render import highlight

    return highlight(getattr(comment, "text", ""), getattr(comment, "spans", None))


@blueprint.app_template_filter("plain")
def _plain_filter(text: str | None) -> object:
    from service.web.moderate.render import plain

    return plain(text)
