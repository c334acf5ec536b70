"""The API's one error shape, ``{"error": {"code", "message", "field"?}}``, and the handlers that produce it.

Every failure a client can see goes through :func:`error_response`: validation errors, domain refusals,
Werkzeug's 404/405/413, and unexpected exceptions (a 500 that logs the traceback but never returns it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from flask import Flask, Response, current_app, jsonify, request
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from service.lifecycle.errors import DomainError

log = logging.getLogger("moderation.api")

# Werkzeug's exceptions have names, not codes; these are the stable codes clients may switch on.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    500: "internal",
    503: "unavailable",
}


RETRY_AFTER_SECONDS = 5
"""What a 503 for an unavailable database tells clients to wait before trying again."""


class ApiError(Exception):
    """A request the HTTP layer refuses before (or instead of) touching the domain."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = dict(headers or {})


class TooManyRequests(ApiError):
    """Over a rate limit (service.web.limits): 429 with ``Retry-After``. The API answers it in its error shape;
    the blueprints that speak to someone else (Perspective's clients, a person at the sign-in form) render it
    with error handlers of their own."""

    def __init__(self, message: str, retry_after: int, field: str | None = None) -> None:
        super().__init__(429, HTTP_CODES[429], message, field, {"Retry-After": str(retry_after)})
        self.retry_after = retry_after


def error_response(status: int, code: str, message: str, field: str | None = None,
                   headers: Mapping[str, str] | None = None) -> Response:
    """The JSON error response; ``field`` names the offending input when there is one."""
    error: dict[str, str] = {"code": code, "message": message}
    if field is not None:
        error["field"] = field
    response = jsonify({"error": error})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _api_error(error: ApiError) -> Response:
    return error_response(error.status, error.code, error.message, error.field, error.headers)


def _domain_error(error: DomainError) -> Response:
    return error_response(error.status, error.code, error.message, error.field)


def _stale(error: StaleDataError) -> Response:
    # Another request or the worker changed the comment between our read and our write.
    return error_response(409, "conflict", "the comment changed while this request ran; try again")


HTML_PAGES = "html_error_pages"
"""Key in ``app.extensions``: URL prefix → a function rendering an HTTP error as a page (the workbench's)."""


def add_html_error_pages(app: Flask, prefix: str, render: Callable[[HTTPException], Response]) -> None:
    """Let a person's browser see ``render``'s HTML page for 404, 405, … under ``prefix`` (callers asking for
    JSON, and everything else, keep the JSON error shape)."""
    app.extensions.setdefault(HTML_PAGES, {})[prefix.rstrip("/")] = render


def _html_page(error: HTTPException) -> Response | None:
    # Routing errors (an unknown /moderate/... path) match no blueprint, so a blueprint's own handler never sees
    # them: the app's one handler decides by path, and only for a caller that prefers HTML (a browser's navigation;
    # a fetch, a stylesheet or an image request does not).
    if request.accept_mimetypes.best_match(["application/json", "text/html"]) != "text/html":
        return None
    for prefix, render in current_app.extensions.get(HTML_PAGES, {}).items():
        if request.path == prefix or request.path.startswith(prefix + "/"):
            return render(error)
    return None


def _http_error(error: HTTPException) -> Response:
    page = _html_page(error)
    if page is not None:
        return page
    status = error.code or 500
    headers: dict[str, str] = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    message = error.description or (error.name if status != 500 else "internal error")
    if status == 404:
        message = "no such resource"
    elif status == 413:
        message = f"request body is larger than {current_app.config['MAX_CONTENT_LENGTH']} bytes"
    return error_response(status, HTTP_CODES.get(status, error.name.lower().replace(" ", "_")), message,
                          headers=headers)


def _database_unavailable(error: Exception) -> Response:
    # The database is down, restarting or out of connections: say so, and when to try again, instead of a
    # 500. The request's transaction never committed, so nothing half-written is left behind.
    log.warning("database unavailable", extra={"error": f"{type(error).__name__}: {error}".splitlines()[0][:300]})
    return error_response(503, "unavailable", "the database is unavailable; try again shortly",
                          headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def _unexpected(error: Exception) -> Response:
    # The traceback goes to the log (for the operator), never into the response (for the client).
    log.exception("unhandled error", exc_info=error)
    return error_response(500, "internal", "internal error")


def register_error_handlers(app: Flask) -> None:
    """Make every error the app can produce answer in the JSON error shape."""
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(StaleDataError, _stale)
    app.register_error_handler(HTTPException, _http_error)
    for unavailable in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(unavailable, _database_unavailable)
    app.register_error_handler(Exception, _unexpected)
