"""Rate limits (Flask-Limiter): comments and reports per client IP and per author, failed sign-ins per IP and account.

Counters live in Redis in production (the broker's, or MODERATION_RATE_LIMIT_STORAGE), so every gunicorn worker
and every host shares them; embedded they live in memory, per process. The limiter never fails a request on its
own account: when Redis is unreachable it counts in memory until Redis answers again (a comment is still accepted
and kept by the outbox, rather than refused because of a counter).

The limits are attached here, from the app factory, by wrapping the view functions of the limited endpoints, so
the views stay unaware of them. Over a limit the API answers 429 in its JSON error shape with ``Retry-After``;
the sign-in form answers 429 with the form and a message a person can read.

The client IP is the TCP peer unless MODERATION_TRUSTED_PROXIES says how many reverse proxies stand in front;
then werkzeug's ProxyFix takes it from that many X-Forwarded-For entries, counted from the right (entries further
left are whatever the client chose to send).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import Flask, Response, flash, render_template, request
from flask_limiter import Limiter, RateLimitExceeded
from limits import RateLimitItem, parse_many
from werkzeug.middleware.proxy_fix import ProxyFix

from service.config import Settings
from service.web.errors import error_response
from service.web.perspective.errors import perspective_error
from service.web.site_keys import matches, presented_key
from service.web.window_counter import WindowCounter, storage_supported

REDIS_TIMEOUT_SECONDS = 1.0
"""A Redis that does not answer within this costs a request at most this much before the memory fallback."""


def client_ip() -> str:
    """The key of per-IP limits: the client address (after ProxyFix, when proxies are trusted)."""
    return f"ip:{request.remote_addr or 'unknown'}"


def _hashed(kind: str, value: str) -> str:
    # Hashed: ids are the site's and can be anything (long, any Unicode); the counters need no readable copy.
    return f"{kind}:{hashlib.sha256(value.encode('utf-8', 'surrogatepass')).hexdigest()[:32]}"


def _json_field(*path: str) -> str | None:
    """A string field of the JSON body, or None when the body has none (the view then answers 400 itself)."""
    try:
        value: object = json.loads(request.get_data(cache=True) or b"null")
    except Exception:  # not JSON, not UTF-8, too large: never our 500, and the view says what is wrong
        return None
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value if isinstance(value, str) and value.strip() else None


def _form_username() -> str | None:
    try:
        name = request.form.get("username", "").strip()
    except Exception:  # a malformed form body: the view answers it
        return None
    return name or None


@dataclass(frozen=True)
class Identity:
    """Who a per-identity limit counts: the request's identity, and the input field that carries it."""

    read: Callable[[], str | None]
    kind: str
    field: str | None

    def key(self) -> str:
        """The limiter key (only called when :meth:`absent` is False)."""
        return _hashed(self.kind, self.read() or "")

    def absent(self) -> bool:
        """No identity in this request (e.g. an anonymous report): the limit does not apply."""
        return self.read() is None


AUTHOR = Identity(lambda: _json_field("author", "id"), "author", "author.id")
REPORTER = Identity(lambda: _json_field("reporter_id"), "reporter", "reporter_id")
ACCOUNT = Identity(_form_username, "account", "username")


def _with_site_key(keys: tuple[str, ...]) -> Callable[[], bool]:
    # The site's backend posts every reader's comment from its own address: with a valid key, only the
    # per-author limit means anything.
    def exempt() -> bool:
        key = presented_key()
        return bool(keys and key and matches(key, keys))

    return exempt


ANALYZE = ("analyze.analyze", "perspective.analyze", "perspective.suggestscore")
"""Endpoints that score a text synchronously, limited per client address."""
KEY_EXEMPT = ("comments.submit_comment", *ANALYZE)
"""Per-address limits a valid site key lifts: the site's backend calls these for every reader."""


def _failed_sign_in(response: Response) -> bool:
    return response.status_code == 401


def _over_message(what: str, limit: RateLimitItem, wait: int) -> str:
    """What a 429 says, whichever limiter refused: what was counted, the limit, and when to try again."""
    return f"{what} (at most {limit}); try again in {wait} s"


def _limit_comments(app: Flask, settings: Settings) -> None:
    """Posting, the busiest limited endpoint, counted by a WindowCounter: both limits in one round trip.

    The same fixed windows, keys (hashed author ids), site-key exemption, fallback to memory and 429 as the
    Flask-Limiter limits of the other endpoints, at a fraction of their CPU per request (docs/performance.md).
    """
    per_ip = parse_many(settings.limit_comments_per_ip) if settings.limit_comments_per_ip else []
    per_author = parse_many(settings.limit_comments_per_author) if settings.limit_comments_per_author else []
    endpoint = "comments.submit_comment"
    if not (per_ip or per_author) or endpoint not in app.view_functions:
        return
    counter = WindowCounter(settings.rate_limit_storage, prefix="moderation-comments", timeout=REDIS_TIMEOUT_SECONDS)
    keyed = _with_site_key(settings.site_keys)
    view = app.view_functions[endpoint]

    @wraps(view)
    def limited(*args: object, **kwargs: object) -> object:
        counted: list[tuple[str, RateLimitItem, str | None, str]] = []
        author = AUTHOR.read()
        if author is not None:  # a body without one gets its 400 from the view
            key = _hashed(AUTHOR.kind, author)
            counted += [(key, limit, AUTHOR.field, "comments by this author") for limit in per_author]
        if per_ip and not keyed():
            address = client_ip()
            counted += [(address, limit, None, "comments from this address") for limit in per_ip]
        if counted:
            windows = counter.hit([(key, limit) for key, limit, _, _ in counted])
            for (_, limit, field, what), window in zip(counted, windows, strict=True):
                if window.exceeded:  # the author's limits come first: that is the more useful answer
                    wait = window.retry_after()
                    return error_response(429, "too_many_requests", _over_message(f"too many {what}", limit, wait),
                                          field, {"Retry-After": str(wait)})
        return view(*args, **kwargs)

    app.view_functions[endpoint] = limited


def _apply(app: Flask, limiter: Limiter, settings: Settings, posting: bool) -> None:
    """Wrap each limited view; each entry is (endpoint, limits, identity or None for the IP, what it counts).

    ``posting``: whether Flask-Limiter counts posting too (when the storage is one _limit_comments cannot use).
    """
    plan = [
        *([("comments.submit_comment", settings.limit_comments_per_ip, None, "comments from this address"),
           ("comments.submit_comment", settings.limit_comments_per_author, AUTHOR, "comments by this author")]
          if posting else []),
        ("comments.report_comment", settings.limit_reports_per_ip, None, "reports from this address"),
        ("comments.report_comment", settings.limit_reports_per_reporter, REPORTER, "reports by this reporter"),
        ("moderate.login", settings.limit_signin_per_ip, None, "failed sign-ins from this address"),
        ("moderate.login", settings.limit_signin_per_account, ACCOUNT, "failed sign-ins for this account"),
        # Scoring while the client waits costs CPU per request: an open endpoint must not be a free DoS.
        *((endpoint, settings.limit_analyze_per_ip, None, "analyses from this address") for endpoint in ANALYZE),
    ]
    for endpoint, limits, identity, what in plan:
        if not limits or endpoint not in app.view_functions:
            continue
        sign_in = endpoint == "moderate.login"
        exempt = identity.absent if identity else (
            _with_site_key(settings.site_keys) if endpoint in KEY_EXEMPT else None)
        app.view_functions[endpoint] = limiter.limit(
            limits, key_func=identity.key if identity else client_ip, exempt_when=exempt,
            error_message=f"too many {what}", methods=["POST"],
            # Only failures count against sign-in: a moderator who types the password right is never slowed.
            deduct_when=_failed_sign_in if sign_in else None,
        )(app.view_functions[endpoint])


def _retry_after(limiter: Limiter, error: RateLimitExceeded) -> int:
    """Whole seconds until the breached window ends (at least 1)."""
    try:
        current = limiter.current_limit
        reset_at = current.reset_at if current else None
    except Exception:  # storage went away between the check and now: the window's length is a safe answer
        reset_at = None
    if reset_at is None:
        return int(error.limit.limit.get_expiry())
    return max(1, math.ceil(reset_at - time.time()))


def _too_many(limiter: Limiter) -> Callable[[RateLimitExceeded], Response]:
    def handle(error: RateLimitExceeded) -> Response:
        wait = _retry_after(limiter, error)
        headers = {"Retry-After": str(wait)}
        if request.blueprint == "moderate":
            from service.web.moderate.security import safe_next

            # The sign-in form: the same page, with a message a person can act on.
            flash(f"Too many failed sign-ins. Try again in {math.ceil(wait / 60)} minute(s).", "error")
            html = render_template("moderate/login.html", username=_form_username(),
                                   next=safe_next(request.values.get("next"), "/moderate/"))
            return Response(html, status=429, headers=headers, mimetype="text/html")
        message = _over_message(error.description, error.limit.limit, wait)
        if request.blueprint == "perspective":
            # Perspective's clients read Google's error shape (429 is RESOURCE_EXHAUSTED there).
            response = perspective_error(429, message)
            response.headers.update(headers)
            return response
        # The 429 names the input that identified the client, when it was one (the author's id, say).
        field = next((i.field for i in (AUTHOR, REPORTER) if error.limit.key_func == i.key), None)
        return error_response(429, "too_many_requests", message, field, headers)

    return handle


def init_app(app: Flask, settings: Settings) -> Limiter | None:
    """Trust the configured proxies, create the app's limiter and attach the limits to their views.

    Call after every blueprint is registered (the limits wrap view functions by endpoint). With
    MODERATION_RATE_LIMITS off there is no limiter at all (None): a disabled Flask-Limiter still runs its
    hooks on every request.
    """
    if settings.trusted_proxies:
        count = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
    if not settings.rate_limits:
        return None
    redis = not settings.rate_limit_storage.startswith("memory://")
    limiter = Limiter(
        key_func=client_ip, storage_uri=settings.rate_limit_storage, strategy="fixed-window",
        storage_options={"socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                         "socket_timeout": REDIS_TIMEOUT_SECONDS} if redis else {},
        key_prefix="moderation", headers_enabled=False,
        # Never a 500 because of a counter: errors are logged and the request goes on; Redis down -> memory.
        swallow_errors=True, in_memory_fallback_enabled=True,
    )
    limiter.init_app(app)
    own_counter = storage_supported(settings.rate_limit_storage)
    if own_counter:
        _limit_comments(app, settings)
    _apply(app, limiter, settings, posting=not own_counter)
    app.register_error_handler(RateLimitExceeded, _too_many(limiter))
    return limiter
