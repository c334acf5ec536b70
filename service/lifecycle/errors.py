"""What the lifecycle refuses: one exception per kind, with the ``code`` and ``field`` the API's error shape shows.

Every layer above raises or catches these (the web layer answers them in its error shape, the command line turns
them into one line on stderr), so they live apart from the transitions that raise most of them.
"""

from __future__ import annotations


class DomainError(Exception):
    """A request the lifecycle refuses; ``code`` and ``field`` feed the API's error shape."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """No such comment (or parent, webhook, model version, job)."""

    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The comment is not in a state that allows this (e.g. someone already decided it)."""

    status = 409
    code = "conflict"
