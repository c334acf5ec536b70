"""Rate limits: comments and reports per client IP and per author, failed sign-ins per IP and account, analyses per IP.

A view declares its limits by name (``@rate_limited("comments")``, one of RULES); the app factory reads the
declarations and attaches the limits (:func:`init_app`). A declared name RULES does not know, or a limit no
view declares, stops the app at start-up instead of leaving an endpoint unlimited. Over a limit a view raises
TooManyRequests (429 with ``Retry-After``), which each blueprint's error handler renders: the API's JSON error
shape, Perspective's own, the sign-in form with a message a person can read.

Counters live in Redis in production (the broker's, or MODERATION_RATE_LIMIT_STORAGE), so every gunicorn worker
and every host shares them; embedded they live in memory, per process. The limiter never fails a request on its
own account: when Redis is unreachable it counts in memory until Redis answers again (a comment is still accepted
and kept by the outbox, rather than refused because of a counter). Posting, the busiest limited endpoint, is
counted by a WindowCounter (every window in one Redis call) where the storage allows, Flask-Limiter elsewhere.

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
from typing import TypeVar

from flask import Flask, Response, request
from flask_limiter import Limiter, RateLimitExceeded
from limits import RateLimitItem, parse_many
from werkzeug.middleware.proxy_fix import ProxyFix

from service.config import Settings
from service.web.errors import TooManyRequests
from service.web.site_keys import matches, presented_key
from service.web.window_counter import WindowCounter, storage_supported

REDIS_TIMEOUT_SECONDS = 1.0
"""A Redis that does not answer within this costs a request at most this much before the memory fallback."""
DECLARED = "rate_limits"
"""The attribute :func:`rate_limited` sets on a view function: the names of its limits."""

View = TypeVar("View", bound=Callable[..., object])


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


@dataclass(frozen=True)
class Rule:
    """One limit: the setting that holds its windows, whom it counts (None: the client address), what it counts."""

    setting: str
    identity: Identity | None
    what: str
    lifted_by_site_key: bool = False
    """The site's backend posts every reader's comment from its own address: with a valid key, only the
    per-author limit means anything."""
    failures_only: bool = False
    """Only failures count: a moderator who types the password right is never slowed."""

    def windows(self, settings: Settings) -> str:
        """The configured windows (``30/minute;300/hour``), or "" when off."""
        return getattr(settings, self.setting)


RULES: dict[str, tuple[Rule, ...]] = {
    "comments": (Rule("limit_comments_per_ip", None, "comments from this address", lifted_by_site_key=True),
                 Rule("limit_comments_per_author", AUTHOR, "comments by this author")),
    "reports": (Rule("limit_reports_per_ip", None, "reports from this address"),
                Rule("limit_reports_per_reporter", REPORTER, "reports by this reporter")),
    "sign-in": (Rule("limit_signin_per_ip", None, "failed sign-ins from this address", failures_only=True),
                Rule("limit_signin_per_account", ACCOUNT, "failed sign-ins for this account", failures_only=True)),
    # Scoring while the client waits costs CPU per request: an open endpoint must not be a free DoS.
    "analyze": (Rule("limit_analyze_per_ip", None, "analyses from this address", lifted_by_site_key=True),),
}
COUNTED_HERE = "comments"
"""The limits a WindowCounter counts, where the storage allows: all windows of a POST in one round trip."""


def rate_limited(*names: str) -> Callable[[View], View]:
    """Declare the rate limits of a view (names of RULES); :func:`init_app` attaches them."""

    def declare(view: View) -> View:
        setattr(view, DECLARED, (*getattr(view, DECLARED, ()), *names))
        return view

    return declare


def declarations(app: Flask) -> dict[str, tuple[str, ...]]:
    """Endpoint → the limits its view declares. An unknown name, or a limit no view declares, is a LookupError."""
    found = {endpoint: getattr(view, DECLARED) for endpoint, view in app.view_functions.items()
             if getattr(view, DECLARED, None)}
    unknown = sorted(f"{endpoint}: {name!r}" for endpoint, names in found.items() for name in names
                     if name not in RULES)
    if unknown:
        raise LookupError(f"unknown rate limit declared ({', '.join(unknown)}); known: {', '.join(RULES)}")
    undeclared = sorted(set(RULES) - {name for names in found.values() for name in names})
    if undeclared:
        raise LookupError(f"rate limits no view declares: {', '.join(undeclared)}")
    return found


def _with_site_key(keys: tuple[str, ...]) -> Callable[[], bool]:
    def exempt() -> bool:
        key = presented_key()
        return bool(keys and key and matches(key, keys))

    return exempt


def _failed_sign_in(response: Response) -> bool:
    return response.status_code == 401


def _over_message(what: str, limit: RateLimitItem, wait: int) -> str:
    """What a 429 says, whichever limiter refused: what was counted, the limit, and when to try again."""
    return f"{what} (at most {limit}); try again in {wait} s"


def _counted(view: View, counter: WindowCounter, rules: tuple[Rule, ...], settings: Settings) -> View:
    """``view`` behind a WindowCounter: the same fixed windows, keys, site-key lift, memory fallback and 429 as
    Flask-Limiter's, at a fraction of its CPU per request (docs/performance.md)."""
    # Per-identity limits first: when both are over, the author's is the more useful answer.
    plan = [(rule, parse_many(rule.windows(settings))) for rule in sorted(rules, key=lambda r: r.identity is None)
            if rule.windows(settings)]
    if not plan:
        return view
    keyed = _with_site_key(settings.site_keys)

    @wraps(view)
    def limited(*args: object, **kwargs: object) -> object:
        counted: list[tuple[str, RateLimitItem, Rule]] = []
        for rule, limits in plan:
            if rule.identity is not None:
                who = rule.identity.read()
                if who is None:  # a body without one gets its 400 from the view
                    continue
                key = _hashed(rule.identity.kind, who)
            elif rule.lifted_by_site_key and keyed():
                continue
            else:
                key = client_ip()
            counted += [(key, limit, rule) for limit in limits]
        if counted:
            windows = counter.hit([(key, limit) for key, limit, _ in counted])
            for (_, limit, rule), window in zip(counted, windows, strict=True):
                if window.exceeded:
                    wait = window.retry_after()
                    raise TooManyRequests(_over_message(f"too many {rule.what}", limit, wait), wait,
                                          rule.identity.field if rule.identity else None)
        return view(*args, **kwargs)

    return limited  # type: ignore[return-value]


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


def _with_limiter(view: View, limiter: Limiter, rules: tuple[Rule, ...], settings: Settings) -> View:
    """``view`` behind Flask-Limiter's limits for ``rules``; a breach becomes TooManyRequests."""
    wrapped: Callable[..., object] = view
    for rule in rules:
        if not rule.windows(settings):
            continue
        identity = rule.identity
        wrapped = limiter.limit(
            rule.windows(settings), key_func=identity.key if identity else client_ip,
            exempt_when=identity.absent if identity else (
                _with_site_key(settings.site_keys) if rule.lifted_by_site_key else None),
            error_message=f"too many {rule.what}", methods=["POST"],
            deduct_when=_failed_sign_in if rule.failures_only else None,
        )(wrapped)
    if wrapped is view:
        return view
    fields = {identity.key: identity.field for identity in (AUTHOR, REPORTER, ACCOUNT)}

    @wraps(view)
    def refusing(*args: object, **kwargs: object) -> object:
        try:
            return wrapped(*args, **kwargs)
        except RateLimitExceeded as error:
            wait = _retry_after(limiter, error)
            # The 429 names the input that identified the client, when it was one (the author's id, say).
            raise TooManyRequests(_over_message(error.description, error.limit.limit, wait), wait,
                                  fields.get(error.limit.key_func)) from None

    return refusing  # type: ignore[return-value]


def init_app(app: Flask, settings: Settings) -> Limiter | None:
    """Trust the configured proxies, create the app's limiter and attach the declared limits to their views.

    Call after every blueprint is registered (the limits wrap view functions). With MODERATION_RATE_LIMITS off
    there is no limiter at all (None): a disabled Flask-Limiter still runs its hooks on every request. The
    declarations are checked either way.
    """
    declared = declarations(app)
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
    counter = WindowCounter(settings.rate_limit_storage, prefix="moderation-comments", timeout=REDIS_TIMEOUT_SECONDS) \
        if storage_supported(settings.rate_limit_storage) else None
    for endpoint, names in declared.items():
        view = app.view_functions[endpoint]
        for name in names:
            if name == COUNTED_HERE and counter is not None:
                view = _counted(view, counter, RULES[name], settings)
            else:
                view = _with_limiter(view, limiter, RULES[name], settings)
        app.view_functions[endpoint] = view
    return limiter
