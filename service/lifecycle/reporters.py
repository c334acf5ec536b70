"""Who reported a comment: the identity distinct reporters are counted by, built from what a request proves.

A reader named by the site (``reporter_id``) is "reader:<id>"; a reader the request cannot name is its client
address, kept only as a keyed hash ("address:<hmac>": an IPv4 address hashed without a key is found again by
trying all four billion); a moderator is "moderator:<id>" and is trusted, so their report holds at once. Which of
these a request earns is the web layer's call (service.web.api.comments): it sees the credentials.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from service.infra.models import Moderator

ADDRESS_HASH_LENGTH = 32
"""Hex digits of the address's HMAC kept: 128 bits, plenty to tell reporters apart."""


@dataclass(frozen=True)
class Reporter:
    """The identity a report is counted by; ``key`` None (an unidentified reporter) counts once per report."""

    key: str | None = None
    trusted: bool = False
    """A moderator: the report holds the comment at once."""
    reader_id: str | None = None
    """The reader id the request named, stored with the report whether or not it is the identity."""

    @classmethod
    def reader(cls, reader_id: str) -> Reporter:
        """A reader the site names (its ``reporter_id``)."""
        return cls(key=f"reader:{reader_id}", reader_id=reader_id)

    @classmethod
    def address(cls, address: str, secret: str, reader_id: str | None = None) -> Reporter:
        """An anonymous (or unvouched-for) reader, known by a keyed hash of the client address only."""
        digest = hmac.new(secret.encode("utf-8"), address.encode("utf-8"), hashlib.sha256).hexdigest()
        return cls(key=f"address:{digest[:ADDRESS_HASH_LENGTH]}", reader_id=reader_id)

    @classmethod
    def moderator(cls, moderator: Moderator, reader_id: str | None = None) -> Reporter:
        """A moderator, authenticated with their token: trusted."""
        return cls(key=f"moderator:{moderator.id}", trusted=True, reader_id=reader_id)
