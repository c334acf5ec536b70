"""Moderator accounts: API tokens and passwords, stored only as hashes; every change to an account audited.

A token is shown once, when created (or reset); the database keeps its SHA-256, which is enough for
a random 256-bit secret (no salt or slow hash needed: there is nothing to guess). Passwords, which
people choose, get scrypt. An account is never deleted (its decisions name it): it is deactivated, and a
deactivated moderator can neither sign in to the workbench nor use a token. Admins (role "admin") manage
accounts through the API; operators through `moderation moderators …`. Each change writes a ModeratorEvent
with who made it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from service.infra.models import Moderator, ModeratorEvent
from service.lifecycle.errors import Conflict, DomainError, NotFound

ROLES = ("moderator", "admin")
ADMIN = "admin"
"""The role that may manage accounts and start retraining through the API."""
PASSWORD_MAX_LENGTH = 1000


def hash_token(token: str) -> str:
    """The stored form of an API token (SHA-256, hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random API token (32 bytes, URL-safe)."""
    return secrets.token_urlsafe(32)


def create_moderator(session: Session, name: str, role: str = "moderator",
                     password: str | None = None, actor: str = "cli") -> tuple[Moderator, str]:
    """Add a moderator; returns it and its plaintext token, which is not stored and cannot be shown again.

    Raises DomainError for an unknown role or empty name and Conflict when the name is taken.
    Audited as "create" by ``actor``. The caller commits.
    """
    name = name.strip()
    if not name or len(name) > 100:
        raise DomainError("a moderator's name must be 1 to 100 characters", "name")
    if role not in ROLES:
        raise DomainError(f"role must be one of {', '.join(ROLES)}", "role")
    if session.scalars(select(Moderator).where(Moderator.name == name)).first() is not None:
        raise Conflict(f"a moderator named {name!r} already exists", "name")
    token = new_token()
    moderator = Moderator(
        name=name, role=role, token_hash=hash_token(token), active=True,
        password_hash=_hash_password(password) if password else None,
    )
    session.add(moderator)
    session.flush()
    _audit(session, moderator, "create", actor, f"role {role}" + (", with a password" if password else ""))
    return moderator, token


def _hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def _audit(session: Session, moderator: Moderator, action: str, actor: str, detail: str = "") -> None:
    session.add(ModeratorEvent(moderator_id=moderator.id, action=action, actor=actor[:100], detail=detail))


def find_moderator(session: Session, name: str) -> Moderator:
    """The account named ``name``; NotFound otherwise."""
    moderator = session.scalars(select(Moderator).where(Moderator.name == name)).first()
    if moderator is None:
        raise NotFound(f"no moderator named {name!r}", "name")
    return moderator


def list_moderators(session: Session) -> list[Moderator]:
    """Every account, active or not, in the order they were added."""
    return list(session.scalars(select(Moderator).order_by(Moderator.id)))


def account_events(session: Session, limit: int = 50) -> list[ModeratorEvent]:
    """The accounts' audit log, newest first."""
    return list(session.scalars(select(ModeratorEvent).order_by(ModeratorEvent.id.desc()).limit(limit)))


def set_active(session: Session, moderator: Moderator, active: bool, actor: str) -> Moderator:
    """Deactivate or reactivate an account (audited); its token and password stop or start working at commit.

    Refuses (Conflict) to deactivate the last active admin, which would leave nobody to manage accounts through
    the API, and to change an account to the state it is already in (so the log never records a non-event).
    """
    if moderator.active == active:
        raise Conflict(f"{moderator.name!r} is already {'active' if active else 'deactivated'}", "name")
    if not active and moderator.role == ADMIN:
        others = session.scalars(select(Moderator.id).where(
            Moderator.role == ADMIN, Moderator.active.is_(True), Moderator.id != moderator.id)).first()
        if others is None:
            raise Conflict(f"{moderator.name!r} is the last active admin; make another admin first", "name")
    moderator.active = active
    _audit(session, moderator, "reactivate" if active else "deactivate", actor)
    session.flush()
    return moderator


def rotate_token(session: Session, moderator: Moderator, actor: str = "cli") -> str:
    """Replace a moderator's token (the old one stops working at commit; audited); returns the new plaintext."""
    token = new_token()
    moderator.token_hash = hash_token(token)
    _audit(session, moderator, "reset_token", actor)
    session.flush()
    return token


def set_password(session: Session, moderator: Moderator, password: str, actor: str) -> Moderator:
    """Set (or replace) the workbench password of an account (audited; only its scrypt hash is stored)."""
    if not password or not password.strip():
        raise DomainError("the password is empty", "password")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise DomainError(f"the password is longer than {PASSWORD_MAX_LENGTH} characters", "password")
    if "\x00" in password:
        raise DomainError("the password contains a NUL character", "password")
    moderator.password_hash = _hash_password(password)
    _audit(session, moderator, "set_password", actor)
    session.flush()
    return moderator


def authenticate_token(session: Session, token: str) -> Moderator | None:
    """The active moderator holding ``token``, or None."""
    if not token:
        return None
    digest = hash_token(token)
    moderator = session.scalars(select(Moderator).where(Moderator.token_hash == digest)).first()
    # The lookup is by hash, so its timing says nothing about the token; the comparison is constant-time anyway.
    if moderator is None or not hmac.compare_digest(moderator.token_hash, digest) or not moderator.active:
        return None
    return moderator


def verify_password(moderator: Moderator, password: str) -> bool:
    """Whether ``password`` is the moderator's (False when none is set or the account is inactive)."""
    if not moderator.active or not moderator.password_hash:
        return False
    return check_password_hash(moderator.password_hash, password)
