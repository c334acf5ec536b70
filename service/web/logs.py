"""Structured logs: one JSON object per line on stderr, for the request log and every service message.

The request log carries method, path, status and duration only; headers (Authorization among them)
and query strings are never logged, so a token cannot leak into log storage.
"""

from __future__ import annotations

import json
import logging
import sys
import time

from flask import Flask, Response, g, request

LOGGER = "moderation"
"""Parent of every logger the service uses (moderation.http, moderation.api, …)."""

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line; ``extra={...}`` fields become keys of the object."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line (time in UTC, ISO 8601)."""
        entry: dict[str, object] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({key: value for key, value in vars(record).items() if key not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class _JsonHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (test runners and servers swap it after start-up).

    Its class also marks it, so configuring twice (one app per test) does not add a second handler.
    """

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure_logging(level: int = logging.INFO) -> None:
    """Send the service's loggers to stderr as JSON lines (idempotent)."""
    logger = logging.getLogger(LOGGER)
    logger.setLevel(level)
    if not any(isinstance(handler, _JsonHandler) for handler in logger.handlers):
        handler = _JsonHandler()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)


def init_request_log(app: Flask) -> None:
    """Log one line per request: method, path, status, duration_ms."""
    log = logging.getLogger(f"{LOGGER}.http")

    @app.before_request
    def _start_clock() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response: Response) -> Response:
        started = g.get("request_started", time.perf_counter())
        log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )
        return response
