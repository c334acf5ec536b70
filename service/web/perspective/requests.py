"""Reading Perspective's request bodies; anything malformed is a PerspectiveError (400 INVALID_ARGUMENT)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from flask import request

from service.web.body import DuplicateKey, loads
from service.web.perspective.attributes import ATTRIBUTES, PERSPECTIVE_ATTRIBUTES, SUPPORTED_LANGUAGES
from service.web.perspective.errors import PerspectiveError

ANALYZE_FIELDS = {"comment", "context", "requestedAttributes", "languages", "doNotStore", "clientToken",
                  "sessionId", "spanAnnotations", "communityId", "dropUnsupportedAttributes"}
SUGGEST_FIELDS = {"comment", "context", "attributeScores", "languages", "clientToken", "sessionId", "communityId"}
ATTRIBUTE_NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")
SHORT_STRING = 500


def _invalid(message: str, error_type: str | None = None, **detail: object) -> PerspectiveError:
    return PerspectiveError(400, message, error_type, **detail)


def body(fields: set[str]) -> dict:
    """The JSON object of the request, refusing fields Perspective does not define (as Google does)."""
    try:
        data = loads(request.get_data(cache=True))
    except DuplicateKey as error:
        # Google's own wording for a repeated field (proto3 JSON parsing refuses it the same way).
        raise _invalid(f'Invalid JSON payload received. Duplicate field "{error.key[:100]}".') from None
    except (ValueError, RecursionError):
        raise _invalid("Invalid JSON payload received: the request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise _invalid("the request body must be a JSON object")
    unknown = sorted(set(data) - fields)
    if unknown:
        raise _invalid(f'Invalid JSON payload received. Unknown name "{unknown[0]}": Cannot find field.')
    return data


def comment_text(data: Mapping, max_length: int) -> str:
    """``comment.text``: present, not empty, not longer than the service accepts."""
    comment = data.get("comment")
    if not isinstance(comment, dict) or not isinstance(comment.get("text"), str):
        raise _invalid("comment.text is required and must be a string")
    text = comment["text"]
    if not text.strip():
        raise _invalid("Comment must be non-empty.", "COMMENT_EMPTY")
    if len(text) > max_length:
        raise _invalid(f"Comment text too long: at most {max_length} characters.", "COMMENT_TOO_LONG")
    if "\x00" in text:
        raise _invalid("comment.text must not contain NUL characters")
    return text


def languages(data: Mapping) -> list[str]:
    """The requested languages (default ``["en"]``: we do not detect languages)."""
    value = data.get("languages")
    if value is None or value == []:
        return list(SUPPORTED_LANGUAGES)
    if not isinstance(value, list) or not all(isinstance(item, str) and 0 < len(item) <= 35 for item in value):
        raise _invalid("languages must be a list of language codes")
    return value


def _primary(language: str) -> str:
    return language.replace("_", "-").split("-", 1)[0].lower()


def unsupported_languages(requested: list[str]) -> list[str]:
    """The requested languages none of our attributes supports (all of them, except English)."""
    return [language for language in requested if _primary(language) not in SUPPORTED_LANGUAGES]


def optional_string(data: Mapping, name: str) -> str | None:
    """A short optional string field (clientToken, communityId, sessionId)."""
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > SHORT_STRING:
        raise _invalid(f"{name} must be a string of at most {SHORT_STRING} characters")
    return value


def flag(data: Mapping, name: str) -> bool:
    """An optional boolean field."""
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise _invalid(f"{name} must be true or false")
    return value


def _fraction(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value) or not 0 <= value <= 1:
        raise _invalid(f"{name} must be a number between 0 and 1")
    return float(value)


@dataclass(frozen=True)
class Requested:
    """The attributes to score and their optional thresholds."""

    names: list[str]
    thresholds: dict[str, float | None]


def unsupported_attribute(name: str, requested_languages: list[str]) -> PerspectiveError:
    """The refusal of an attribute we have no model of, in the words and shape Perspective uses for one.

    Perspective answers an attribute without a model for the request's language with
    ``LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE``; that is what THREAT, INSULT and the rest are here, in every
    language. A name Perspective does not define at all is ``ATTRIBUTE_NOT_SUPPORTED``.
    """
    if name in PERSPECTIVE_ATTRIBUTES:
        return _invalid(f"Attribute {name} does not support request languages: {', '.join(requested_languages)}",
                        "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
                        languageNotSupportedByAttributeError={"requestedLanguage": requested_languages,
                                                              "attribute": name})
    return _invalid(f"Unknown attribute {name}: this service serves {', '.join(ATTRIBUTES)}.",
                    "ATTRIBUTE_NOT_SUPPORTED", attribute=name)


def requested_attributes(data: Mapping, requested_languages: list[str]) -> Requested:
    """``requestedAttributes``: names we serve, with optional scoreType (PROBABILITY) and scoreThreshold.

    An attribute we have no model of is an error (`unsupported_attribute`), unless
    ``dropUnsupportedAttributes`` asks to leave it out.
    """
    value = data.get("requestedAttributes")
    if not isinstance(value, dict) or not value:
        raise _invalid("requestedAttributes must name at least one attribute")
    drop = flag(data, "dropUnsupportedAttributes")
    names, thresholds = [], {}
    for name, options in value.items():
        # The options are checked before an unsupported attribute is dropped: a malformed request is a 400
        # whichever attributes it names, as the document says.
        if not isinstance(options, dict):
            raise _invalid(f"requestedAttributes.{name} must be an object")
        if options.get("scoreType", "PROBABILITY") not in ("PROBABILITY", "SCORE_TYPE_UNSPECIFIED"):
            raise _invalid(f"requestedAttributes.{name}.scoreType: only PROBABILITY is supported")
        threshold = options.get("scoreThreshold")
        threshold = None if threshold is None else _fraction(threshold, f"{name}.scoreThreshold")
        if name not in ATTRIBUTES:
            if drop:
                continue
            raise unsupported_attribute(name, requested_languages)
        thresholds[name] = threshold
        names.append(name)
    return Requested(names, thresholds)


def suggested_scores(data: Mapping) -> dict[str, float]:
    """``attributeScores`` of a suggestion: attribute name → summaryScore.value.

    Any well-formed attribute name is accepted (Coral suggests APPROVED and DELETED); the raw scores are
    kept, and those we understand become a label candidate.
    """
    value = data.get("attributeScores")
    if not isinstance(value, dict) or not value:
        raise _invalid("attributeScores must name at least one attribute")
    scores = {}
    for name, entry in value.items():
        if not isinstance(name, str) or not ATTRIBUTE_NAME.match(name):
            raise _invalid(f"attributeScores: {str(name)[:70]!r} is not an attribute name")
        summary = entry.get("summaryScore") if isinstance(entry, dict) else None
        if not isinstance(summary, dict) or "value" not in summary:
            raise _invalid(f"attributeScores.{name}.summaryScore.value is required")
        scores[name] = _fraction(summary["value"], f"attributeScores.{name}.summaryScore.value")
    return scores
