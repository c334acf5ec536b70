"""Synchronous scoring for previews (e.g. warning a reader before they post). Stores nothing."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from service.lifecycle.active_model import NoActiveModel
from service.lifecycle.assess import assess
from service.lifecycle.precision import score_value
from service.web.context import services
from service.web.errors import ApiError
from service.web.limits import rate_limited
from service.web.validation import json_object, parse_text

blueprint = Blueprint("analyze", __name__, url_prefix="/api/v1")


@blueprint.post("/analyze")
@rate_limited("analyze")
def analyze() -> Response:
    """Scores and spans of a text with the active model; ``flagged`` means the comment would be held."""
    settings = services().settings
    text = parse_text(json_object(), settings.max_text_length)
    try:
        scorer = services().model.scorer()
    except NoActiveModel as error:
        raise ApiError(503, "no_model", str(error)) from None
    # Flagged by the thresholds the worker will apply (configuration first), not only the model's own.
    assessment = assess(scorer, settings, text)
    flagged = bool(assessment.held)
    score = assessment.score
    return jsonify({**score.as_dict(), **{head: score_value(value) for head, value in score.scores.items()},
                    "flagged": flagged, "model_version": assessment.version})
