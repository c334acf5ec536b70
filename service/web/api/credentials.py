"""Who is asking: a moderator's bearer token, a site key, or nobody. One reading of each, for every blueprint.

The moderation API requires a moderator (:func:`require_moderator`). The public comment routes take credentials
optionally and let them change what they do: a moderator's report holds at once, a site key vouches for the
reader ids a site sends, and either shows a held comment's text (:func:`viewer`). Credentials that are presented
but wrong are refused (401 or 403) rather than silently ignored, so a misconfigured client finds out.
"""

from __future__ import annotations

from enum import StrEnum

from flask import g, request

from service.infra.models import Moderator
from service.lifecycle.moderators import authenticate_token
from service.web.context import db_session, services
from service.web.errors import ApiError
from service.web.site_keys import HEADER, matches, presented_key


class Viewer(StrEnum):
    """What a request proves about its sender."""

    PUBLIC = "public"
    SITE = "site"
    """A valid site key (only where MODERATION_SITE_KEYS is set)."""
    MODERATOR = "moderator"


def _unauthorized(message: str, error: str | None = None) -> ApiError:
    challenge = 'Bearer realm="moderation"' + (f', error="{error}"' if error else "")
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": challenge})


def bearer_moderator(required: bool) -> Moderator | None:
    """The active moderator whose token the Authorization header carries; None without a header (unless
    ``required``); 401 for a malformed header or a token that is unknown or deactivated."""
    header = request.headers.get("Authorization", "")
    if not header:
        if required:
            raise _unauthorized("a moderator token is required (Authorization: Bearer <token>)")
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized("the Authorization header must be 'Bearer <token>'", "invalid_request")
    moderator = authenticate_token(db_session(), token)
    if moderator is None:
        raise _unauthorized("the token is not valid", "invalid_token")
    return moderator


def require_moderator() -> None:
    """before_request of the moderation API: resolve the bearer token to ``g.moderator`` or answer 401."""
    g.moderator = bearer_moderator(required=True)


def valid_site_key() -> bool:
    """Whether the request carries a valid site key; False without one or where none are configured; 403 for a
    wrong one (a site whose key was rotated should hear so, not quietly get less)."""
    keys = services().settings.site_keys
    key = presented_key()
    if not keys or key is None:
        return False
    if not matches(key, keys):
        raise ApiError(403, "forbidden", f"the API key is not valid (?key= or {HEADER})", "key")
    return True


def viewer() -> tuple[Viewer, Moderator | None]:
    """Who the request proves it is sent by (a moderator over a site), and the moderator when it is one."""
    moderator = bearer_moderator(required=False)
    if moderator is not None:
        return Viewer.MODERATOR, moderator
    return (Viewer.SITE if valid_site_key() else Viewer.PUBLIC), None
