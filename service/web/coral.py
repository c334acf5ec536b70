"""Coral Talk's external moderation phase: Coral POSTs each new or edited comment, signed; we answer with a
moderation decision within a time budget, or with 204 ("no opinion", Coral carries on).

The contract, from Coral's source (services/comments/pipeline/phases/external.ts):

- request: JSON ``{"action": "NEW"|"EDIT", "comment": {"body", "parentID"}, "author": {"id", "role"},
  "story": {"id", "url"}, "site": {"id"}, "tenant": {"id", "domain"}}``;
- header ``X-Coral-Signature: sha256=<hex>[,sha256=<hex>…]``: HMAC-SHA256 of the raw body under each of
  the phase's active signing secrets (several while a secret is being rotated). Coral signs no timestamp;
- response: 204, or 200 with ``{"status", "actions": [{"actionType": "FLAG", "reason", "additionalDetails"}],
  "metadata"}``; Coral skips the phase on any other status, on invalid JSON, or when its timeout passes.

Nothing is stored: Coral keeps the comment and our scores (in ``metadata``).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from service.config import Settings
from service.lifecycle.active_model import ActiveModel, NoActiveModel
from service.lifecycle.assess import Assessment, assess
from service.lifecycle.precision import score_value
from service.web.body import DuplicateKey, loads
from service.web.context import services
from service.web.errors import ApiError

blueprint = Blueprint("coral", __name__, url_prefix="/api/v1/coral")
log = logging.getLogger("moderation.coral")

SIGNATURE_HEADER = "X-Coral-Signature"
EXECUTOR = "coral_executor"
SCORING_THREADS = 4
"""Scorings in flight at once; more requests wait, run out of budget and get 204 (fail open, not slow)."""


def signatures(header: str) -> list[str]:
    """The ``sha256=`` values of Coral's signature header."""
    pairs = (element.strip().split("=", 1) for element in header.split(","))
    return [pair[1] for pair in pairs if len(pair) == 2 and pair[0] == "sha256" and pair[1]]


def signed_by(body: bytes, header: str, secrets: tuple[str, ...]) -> bool:
    """Whether any signature in ``header`` is the HMAC-SHA256 of ``body`` under any of ``secrets``."""
    expected = [hmac.new(secret.encode(), body, hashlib.sha256).hexdigest() for secret in secrets]
    return any(hmac.compare_digest(given, wanted) for given in signatures(header) for wanted in expected)


def _comment_body(data: object) -> str:
    comment = data.get("comment") if isinstance(data, dict) else None
    text = comment.get("body") if isinstance(comment, dict) else None
    if not isinstance(text, str):
        raise ApiError(400, "invalid", "comment.body is required and must be a string", "comment.body")
    return text


def _assess(model: ActiveModel, settings: Settings, text: str) -> Assessment:
    return assess(model.scorer(), settings, text)


@blueprint.post("/moderation-phase")
def moderation_phase() -> Response:
    """Coral's external moderation phase: a decision within MODERATION_CORAL_BUDGET_MS, else 204."""
    started = time.monotonic()
    settings = services().settings
    if not settings.coral_secrets:
        raise ApiError(404, "not_found", "the Coral integration is off: set MODERATION_CORAL_SECRETS")
    raw = request.get_data(cache=True)
    if not signed_by(raw, request.headers.get(SIGNATURE_HEADER, ""), settings.coral_secrets):
        raise ApiError(401, "unauthorized", f"missing or invalid {SIGNATURE_HEADER}", SIGNATURE_HEADER)
    # Coral sends JSON; anything else cannot hold comment.body, so say what is wrong with it instead.
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type",
                       f"Content-Type must be application/json, not {request.mimetype or 'missing'!r}")
    try:
        data = loads(raw)
    except DuplicateKey as error:
        raise ApiError(400, "duplicate_key", f"request body names {error.key[:100]!r} twice", error.key[:100]) from None
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid_json", "request body is not valid JSON") from None
    text = _comment_body(data)
    if len(text) > settings.max_text_length:
        return Response(status=204)  # longer than we ever score: no opinion rather than a guess
    budget = settings.coral_budget_ms / 1000 - (time.monotonic() - started)
    future = current_app.extensions[EXECUTOR].submit(_assess, services().model, settings, text)
    try:
        assessment = future.result(timeout=max(budget, 0.0))
    except FutureTimeout:
        log.warning("coral: no decision within %s ms; answered 204", settings.coral_budget_ms)
        return Response(status=204)
    except NoActiveModel as error:
        log.warning("coral: no model (%s); answered 204", error)
        return Response(status=204)
    held, rejected, scores = assessment.held, assessment.rejected, assessment.scores
    if not held and not rejected:
        return Response(status=204)
    details = ", ".join(f"{name} {scores[name]:.2f}" for name in (rejected or held))
    return jsonify({
        "status": "REJECTED" if rejected else "SYSTEM_WITHHELD",
        "actions": [{"actionType": "FLAG", "reason": "COMMENT_DETECTED_TOXIC",
                     "additionalDetails": f"{details} (model {assessment.version})"}],
        "metadata": {"moderation": {**{head: score_value(value) for head, value in scores.items()},
                                    "model_version": assessment.version}},
    })


def init_app(app: Flask) -> None:
    """Register the phase endpoint and its small scoring pool on ``app``."""
    app.extensions[EXECUTOR] = ThreadPoolExecutor(max_workers=SCORING_THREADS, thread_name_prefix="coral")
    app.register_blueprint(blueprint)
