"""The integrations' part of the OpenAPI document (service/web/openapi.py merges it): Perspective's endpoints,
its discovery document, and Coral's moderation phase. Perspective's endpoints fail in Perspective's shape."""

from __future__ import annotations

from service.web.perspective.attributes import ATTRIBUTES


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _perspective_errors() -> dict:
    described = {400: "Invalid request, unsupported attribute or language", 401: "No site key (MODERATION_SITE_KEYS)",
                 403: "Wrong site key", 413: "Request body too large",
                 429: "Too many analyses from this address without a site key (RESOURCE_EXHAUSTED); retry after "
                      "Retry-After", 503: "No active model"}
    responses = {str(status): _json(_ref("PerspectiveError"), text) for status, text in described.items()}
    responses["429"]["headers"] = {"Retry-After": {"description": "seconds until the limit's window ends",
                                                   "schema": {"type": "integer", "minimum": 1}}}
    return responses


def _operation(operation_id: str, summary: str, responses: dict, body: str | None = None,
               security: list | None = None, parameters: list | None = None) -> dict:
    operation: dict = {"operationId": operation_id, "summary": summary, "tags": ["integrations"],
                       "responses": responses}
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(body)}}}
    if security:
        operation["security"] = security
    if parameters:
        operation["parameters"] = parameters
    return operation


def integration_paths() -> dict:
    """Paths of the Perspective-compatible API and Coral's external moderation phase."""
    site_key = [{}, {"siteKey": []}]  # {}: open while MODERATION_SITE_KEYS is empty (service/web/site_keys.py)
    signature = {"name": "X-Coral-Signature", "in": "header", "required": True, "schema": {"type": "string"},
                 "description": "sha256=<hex HMAC-SHA256 of the body>[,sha256=…] (MODERATION_CORAL_SECRETS)"}
    return {
        "/v1alpha1/comments:analyze": {"post": _operation(
            "perspectiveAnalyze", "Perspective-compatible scoring (TOXICITY, IDENTITY_ATTACK) from our model",
            {"200": _json(_ref("PerspectiveAnalyzeResponse"), "Attribute scores"), **_perspective_errors()},
            body="PerspectiveAnalyzeRequest", security=site_key)},
        "/v1alpha1/comments:suggestscore": {"post": _operation(
            "perspectiveSuggestScore", "Store suggested scores as a label candidate for review",
            {"200": _json(_ref("PerspectiveSuggestResponse"), "Stored"), **_perspective_errors()},
            body="PerspectiveSuggestRequest", security=site_key)},
        "/$discovery/rest": {"get": _operation(
            "perspectiveDiscovery", "Google API discovery document of the Perspective-compatible surface",
            {"200": _json({"type": "object"}, "discovery#restDescription"),
             "404": _json(_ref("PerspectiveError"), "Not version v1alpha1")},
            parameters=[{"name": "version", "in": "query", "required": False,
                         "schema": {"type": "string", "enum": ["v1alpha1"]}}])},
        "/api/v1/coral/moderation-phase": {"post": _operation(
            "coralModerationPhase", "Coral Talk's external moderation phase (signed callout)",
            {"200": _json(_ref("CoralPhaseResult"), "A decision: withheld for review or rejected"),
             "204": {"description": "No opinion (clean, no model, or no answer within MODERATION_CORAL_BUDGET_MS)"},
             "400": _json(_ref("Error"), "comment.body missing"),
             "401": _json(_ref("Error"), "Missing or invalid X-Coral-Signature"),
             "404": _json(_ref("Error"), "The integration is off (no MODERATION_CORAL_SECRETS)")},
            body="CoralPhaseRequest", parameters=[signature])},
    }


def integration_schemas() -> dict:
    """Schemas referenced by :func:`integration_paths`."""
    score = {"type": "object", "properties": {"value": {"type": "number", "minimum": 0, "maximum": 1},
                                              "type": {"type": "string", "const": "PROBABILITY"}}}
    text = {"type": "object", "properties": {"text": {"type": "string"}, "type": {"type": "string"}},
            "required": ["text"]}
    attribute = {"type": "object", "properties": {
        "summaryScore": score,
        "spanScores": {"type": "array", "items": {"type": "object", "properties": {
            "begin": {"type": "integer"}, "end": {"type": "integer"}, "score": score}}}}}
    common = {"comment": text, "languages": {"type": "array", "items": {"type": "string"}},
              "clientToken": {"type": "string"}, "communityId": {"type": "string"}, "sessionId": {"type": "string"},
              "context": {"type": "object"}}
    names = list(ATTRIBUTES)
    return {
        "PerspectiveError": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["code", "message", "status"], "properties": {
                "code": {"type": "integer"}, "message": {"type": "string"}, "status": {"type": "string"},
                "details": {"type": "array", "items": {"type": "object"}}}}}},
        "PerspectiveAnalyzeRequest": {"type": "object", "required": ["comment", "requestedAttributes"],
                                      "additionalProperties": False, "properties": {
            **common,
            "requestedAttributes": {"type": "object", "description": (
                f"Scored: {', '.join(names)}. Any other attribute is 400 INVALID_ARGUMENT (Perspective's "
                "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE) unless dropUnsupportedAttributes leaves it out."),
                                    "additionalProperties": {"type": "object", "properties": {
                                        "scoreType": {"type": "string"},
                                        "scoreThreshold": {"type": "number", "minimum": 0, "maximum": 1}}}},
            "doNotStore": {"type": "boolean"}, "spanAnnotations": {"type": "boolean"},
            "dropUnsupportedAttributes": {"type": "boolean"}}},
        "PerspectiveAnalyzeResponse": {"type": "object", "required": ["attributeScores", "languages"], "properties": {
            "attributeScores": {"type": "object", "additionalProperties": attribute},
            "languages": {"type": "array", "items": {"type": "string"}}, "clientToken": {"type": "string"}}},
        "PerspectiveSuggestRequest": {"type": "object", "required": ["comment", "attributeScores"],
                                      "additionalProperties": False, "properties": {
            **common, "attributeScores": {"type": "object", "additionalProperties": attribute}}},
        "PerspectiveSuggestResponse": {"type": "object", "required": ["requestedLanguages"], "properties": {
            "requestedLanguages": {"type": "array", "items": {"type": "string"}}, "clientToken": {"type": "string"}}},
        "CoralPhaseRequest": {"type": "object", "required": ["comment"], "properties": {
            "action": {"type": "string", "enum": ["NEW", "EDIT"]},
            "comment": {"type": "object", "required": ["body"], "properties": {
                "body": {"type": "string"}, "parentID": {"type": ["string", "null"]}}},
            "author": {"type": "object"}, "story": {"type": "object"}, "site": {"type": "object"},
            "tenant": {"type": "object"}}},
        "CoralPhaseResult": {"type": "object", "required": ["status", "actions"], "properties": {
            "status": {"type": "string", "enum": ["SYSTEM_WITHHELD", "REJECTED"]},
            "actions": {"type": "array", "items": {"type": "object", "properties": {
                "actionType": {"type": "string", "const": "FLAG"}, "reason": {"type": "string"},
                "additionalDetails": {"type": "string"}}}},
            "metadata": {"type": "object"}}},
    }


def guard_with_site_key(operation: dict) -> None:
    """Mark one of our own operations (POST /api/v1/comments) as taking the optional site key."""
    operation["security"] = [{}, {"siteKey": []}]  # {}: open while MODERATION_SITE_KEYS is empty
    operation["responses"]["401"] = _json(_ref("Error"), "No site key, when MODERATION_SITE_KEYS is set")
    operation["responses"]["403"] = _json(_ref("Error"), "Wrong site key")
