"""Moderator accounts: API tokens and passwords, stored only as hashes.

A token is shown once, when created (or rotated); the database keeps its SHA-256, which is enough for
a random 256-bit secret (no salt or slow hash needed: there is nothing to guess). Passwords, which
people choose, get scrypt.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from service.infra.models import Moderator
from service.lifecycle.errors import Conflict, DomainError

ROLES = ("moderator", "admin")


def hash_token(token: str) -> str:
    """The stored form of an API token (SHA-256, hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random API token (32 bytes, URL-safe)."""
    return secrets.token_urlsafe(32)


def create_moderator(session: Session, name: str, role: str = "moderator",
                     password: str | None = None) -> tuple[Moderator, str]:
    """Add a moderator; returns it and its plaintext token, which is not stored and cannot be shown again.

    Raises DomainError for an unknown role or empty name and Conflict when the name is taken.
    The caller commits.
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
        password_hash=generate_password_hash(password, method="scrypt") if password else None,
    )
    session.add(moderator)
    session.flush()
    return moderator, token


def rotate_token(session: Session, moderator: Moderator) -> str:
    """Replace a moderator's token (the old one stops working at commit); returns the new plaintext."""
    token = new_token()
    moderator.token_hash = hash_token(token)
    session.flush()
    return token


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
