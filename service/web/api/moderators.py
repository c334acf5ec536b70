"""Moderator accounts over HTTP, for admins: list, deactivate and reactivate, reset a token, set a password.

Every route needs the bearer token of an active moderator with the admin role (403 for any other moderator).
Accounts are addressed by name, as on the command line. Each change is audited (the accounts' log, in the
list's ``events``) with the admin's name as its actor; a token is shown once, in the answer that issued it.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify

from service.lifecycle import moderators
from service.lifecycle.serialize import moderator_event_json, moderator_json
from service.web.api.credentials import require_moderator
from service.web.context import db_session
from service.web.errors import ApiError
from service.web.validation import check_fields, clean_string, json_object

blueprint = Blueprint("moderators", __name__, url_prefix="/api/v1/moderation/moderators")


@blueprint.before_request
def require_admin() -> None:
    """A moderator's token (401 otherwise), and the admin role (403 otherwise)."""
    require_moderator()
    if g.moderator.role != moderators.ADMIN:
        raise ApiError(403, "forbidden", "managing moderator accounts needs the admin role")


@blueprint.get("")
def list_accounts() -> Response:
    """Every account, oldest first, and the accounts' latest log entries, newest first."""
    session = db_session()
    return jsonify({"items": [moderator_json(m) for m in moderators.list_moderators(session)],
                    "events": [moderator_event_json(e) for e in moderators.account_events(session, 50)]})


def _set_active(name: str, active: bool) -> Response:
    session = db_session()
    moderator = moderators.set_active(session, moderators.find_moderator(session, name), active, g.moderator.name)
    session.commit()
    return jsonify(moderator_json(moderator))


@blueprint.post("/<name>/deactivate")
def deactivate(name: str) -> Response:
    """Deactivate an account: its token and password stop working at once; 409 if already deactivated or the last
    active admin."""
    return _set_active(name, False)


@blueprint.post("/<name>/reactivate")
def reactivate(name: str) -> Response:
    """Reactivate an account; 409 if it is active."""
    return _set_active(name, True)


@blueprint.post("/<name>/token")
def reset_token(name: str) -> Response:
    """Issue a new token for an account, shown only in this answer; the old one stops working."""
    session = db_session()
    moderator = moderators.find_moderator(session, name)
    token = moderators.rotate_token(session, moderator, g.moderator.name)
    session.commit()
    response = jsonify({**moderator_json(moderator), "token": token})
    response.headers["Cache-Control"] = "no-store"  # a secret: no proxy or browser cache keeps it
    return response


@blueprint.post("/<name>/password")
def set_password(name: str) -> Response:
    """Set an account's workbench password: ``{"password": "…"}``."""
    body = json_object()
    check_fields(body, ("password",), ("password",))
    password = clean_string(body["password"], "password", moderators.PASSWORD_MAX_LENGTH)
    session = db_session()
    moderator = moderators.set_password(session, moderators.find_moderator(session, name), password,
                                        g.moderator.name)
    session.commit()
    return jsonify(moderator_json(moderator))
