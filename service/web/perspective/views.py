"""The Perspective-compatible endpoints: comments:analyze, comments:suggestscore and the discovery document.

Scoring is synchronous with the app's active model, as /api/v1/analyze does. ``analyze`` stores nothing,
whatever ``doNotStore`` says; ``suggestscore`` stores a label candidate (table score_suggestions).
"""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from service.infra.integration_models import ScoreSuggestion
from service.lifecycle.active_model import NoActiveModel
from service.lifecycle.assess import assess
from service.web.context import db_session, services
from service.web.errors import ApiError
from service.web.limits import rate_limited
from service.web.perspective import requests as parse
from service.web.perspective.attributes import attribute_scores
from service.web.perspective.discovery import discovery_document
from service.web.perspective.errors import PerspectiveError, from_exception, perspective_error
from service.web.site_keys import site_key_required

blueprint = Blueprint("perspective", __name__)

HOSTILE_ATTRIBUTES = ("TOXICITY", "SEVERE_TOXICITY", "INSULT", "THREAT")
"""Suggested attributes that speak about our hostility (IDENTITY_ATTACK speaks about slurs)."""


@blueprint.post("/v1alpha1/comments:analyze")
@site_key_required
@rate_limited("analyze")
def analyze() -> Response:
    """Scores of ``comment.text`` for the requested attributes, in Perspective's response format."""
    data = parse.body(parse.ANALYZE_FIELDS)
    text = parse.comment_text(data, services().settings.max_text_length)
    languages = parse.languages(data)
    requested = parse.requested_attributes(data, languages)
    unsupported = parse.unsupported_languages(languages)
    if unsupported and requested.names:
        attribute = requested.names[0]
        raise PerspectiveError(
            400, f"Attribute {attribute} does not support request languages: {', '.join(unsupported)}",
            "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
            languageNotSupportedByAttributeError={"requestedLanguage": unsupported, "attribute": attribute})
    parse.flag(data, "doNotStore")  # validated; we store nothing in either case
    spans = parse.flag(data, "spanAnnotations")
    token = parse.optional_string(data, "clientToken")
    parse.optional_string(data, "communityId")
    parse.optional_string(data, "sessionId")
    try:
        scorer = services().model.scorer()
    except NoActiveModel as error:
        raise PerspectiveError(503, f"no model is available: {error}") from None
    score = assess(scorer, services().settings, text).score
    body: dict[str, object] = {
        "attributeScores": attribute_scores(requested.names, score, spans, requested.thresholds),
        "languages": languages,
    }
    if token is not None:
        body["clientToken"] = token
    return jsonify(body)


def label_candidate(scores: dict[str, float]) -> tuple[float | None, float | None]:
    """(hostility, slur) a suggestion implies; None where it says nothing about that category.

    Coral suggests ``APPROVED`` (a moderator let it stand: neither) or ``DELETED`` (removed for an
    unknown reason: says nothing we can use).
    """
    hostile = [scores[name] for name in HOSTILE_ATTRIBUTES if name in scores]
    hostility = max(hostile) if hostile else None
    slur = scores.get("IDENTITY_ATTACK")
    if scores.get("APPROVED") == 1.0:
        hostility = 0.0 if hostility is None else hostility
        slur = 0.0 if slur is None else slur
    return hostility, slur


@blueprint.post("/v1alpha1/comments:suggestscore")
@site_key_required
@rate_limited("analyze")
def suggestscore() -> Response:
    """Store a site's suggested scores for a text as a label candidate for moderators to review."""
    data = parse.body(parse.SUGGEST_FIELDS)
    text = parse.comment_text(data, services().settings.max_text_length)
    scores = parse.suggested_scores(data)
    languages = parse.languages(data)
    token = parse.optional_string(data, "clientToken")
    community = parse.optional_string(data, "communityId")
    parse.optional_string(data, "sessionId")
    hostility, slur = label_candidate(scores)
    session = db_session()
    session.add(ScoreSuggestion(text=text, attribute_scores=scores, hostility=hostility, slur=slur,
                                languages=languages, community_id=community, client_token=token,
                                site_key_hint=g.get("site_key_hint")))
    session.commit()
    body: dict[str, object] = {"requestedLanguages": languages}
    if token is not None:
        body["clientToken"] = token
    return jsonify(body)


@blueprint.get("/$discovery/rest")
def discovery() -> Response:
    """The discovery document that Google's client builds its methods from (version=v1alpha1 only)."""
    version = request.args.get("version", "v1alpha1")
    if version != "v1alpha1":
        return perspective_error(404, f"Discovery document not found for API service: commentanalyzer {version}")
    return jsonify(discovery_document(request.host_url))


@blueprint.errorhandler(PerspectiveError)
def _perspective(error: PerspectiveError) -> Response:
    return from_exception(error)


@blueprint.errorhandler(ApiError)
def _refused(error: ApiError) -> Response:
    # A missing or wrong site key (401/403), a rate limit (429, with Retry-After): in Google's shape, which
    # Perspective's clients read (429 is RESOURCE_EXHAUSTED there).
    response = perspective_error(error.status, error.message)
    response.headers.update(error.headers)
    return response


@blueprint.errorhandler(HTTPException)
def _http(error: HTTPException) -> Response:
    # e.g. 413 when the body is larger than MODERATION_MAX_BODY: still in the shape Perspective's clients read.
    return perspective_error(error.code or 500, error.description or error.name)
