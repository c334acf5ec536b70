"""Perspective's error shape (Google's JSON error format), which its clients parse:

``{"error": {"code": 400, "message": "...", "status": "INVALID_ARGUMENT", "details": [...]?}}``
"""

from __future__ import annotations

from flask import Response, jsonify

GOOGLE_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                 413: "INVALID_ARGUMENT", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}
ERROR_TYPE = "type.googleapis.com/google.commentanalyzer.v1alpha1.Error"


class PerspectiveError(Exception):
    """A refusal on a Perspective endpoint; ``error_type`` fills Perspective's ``details[].errorType``."""

    def __init__(self, status: int, message: str, error_type: str | None = None, **detail: object) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type
        self.detail = detail


def perspective_error(status: int, message: str, error_type: str | None = None, **detail: object) -> Response:
    """The response for a Perspective error."""
    error: dict[str, object] = {"code": status, "message": message, "status": GOOGLE_STATUS.get(status, "UNKNOWN")}
    if error_type:
        error["details"] = [{"@type": ERROR_TYPE, "errorType": error_type, **detail}]
    response = jsonify({"error": error})
    response.status_code = status
    return response


def from_exception(error: PerspectiveError) -> Response:
    """Error handler for PerspectiveError."""
    return perspective_error(error.status, error.message, error.error_type, **error.detail)
