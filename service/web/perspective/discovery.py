"""A Google API discovery document for our Perspective-compatible surface (commentanalyzer v1alpha1).

Google's own client builds its methods from this document, so pointing ``discoveryServiceUrl`` at
``/$discovery/rest?version=v1alpha1`` makes ``discovery.build("commentanalyzer", "v1alpha1", …)`` call
us. Written from the shape of Google's published document, limited to what we implement; ``rootUrl``
is the URL the client reached us at.
"""

from __future__ import annotations

from service.web.perspective.attributes import ATTRIBUTES


def _string(description: str) -> dict:
    return {"type": "string", "description": description}


def _ref(name: str) -> dict:
    return {"$ref": name}


def _schemas() -> dict:
    score = {"id": "Score", "type": "object", "properties": {
        "value": {"type": "number", "format": "float", "description": "Score value, in [0, 1]."},
        "type": _string("The type of the score (PROBABILITY)."),
    }}
    text_entry = {"id": "TextEntry", "type": "object", "properties": {
        "text": _string("UTF-8 encoded text."), "type": _string("Type of the text field (PLAIN_TEXT)."),
    }}
    span_score = {"id": "SpanScore", "type": "object", "properties": {
        "begin": {"type": "integer", "format": "int32"}, "end": {"type": "integer", "format": "int32"},
        "score": _ref("Score"),
    }}
    attribute_scores = {"id": "AttributeScores", "type": "object", "properties": {
        "summaryScore": _ref("Score"), "spanScores": {"type": "array", "items": _ref("SpanScore")},
    }}
    attribute_parameters = {"id": "AttributeParameters", "type": "object", "properties": {
        "scoreType": _string("Only PROBABILITY."),
        "scoreThreshold": {"type": "number", "format": "float",
                           "description": "Leave the attribute out of the response below this score."},
    }}
    context = {"id": "Context", "type": "object", "properties": {
        "entries": {"type": "array", "items": _ref("TextEntry")},
        "articleAndParentComment": {"type": "object", "additionalProperties": {"type": "any"}},
    }}
    common = {
        "comment": _ref("TextEntry"), "context": _ref("Context"),
        "languages": {"type": "array", "items": {"type": "string"}, "description": "Only en is supported."},
        "clientToken": _string("Echoed in the response."), "communityId": _string("Kept with suggestions."),
        "sessionId": _string("Accepted and ignored."),
    }
    analyze_request = {"id": "AnalyzeCommentRequest", "type": "object", "properties": {
        **common,
        "requestedAttributes": {"type": "object", "additionalProperties": _ref("AttributeParameters"),
                                "description": "Any of " + ", ".join(ATTRIBUTES) + "."},
        "doNotStore": {"type": "boolean", "description": "Nothing is stored either way; see docs/integrations.md."},
        "spanAnnotations": {"type": "boolean"}, "dropUnsupportedAttributes": {"type": "boolean"},
    }}
    analyze_response = {"id": "AnalyzeCommentResponse", "type": "object", "properties": {
        "attributeScores": {"type": "object", "additionalProperties": _ref("AttributeScores")},
        "languages": {"type": "array", "items": {"type": "string"}}, "clientToken": {"type": "string"},
    }}
    suggest_request = {"id": "SuggestCommentScoreRequest", "type": "object", "properties": {
        **common, "attributeScores": {"type": "object", "additionalProperties": _ref("AttributeScores")},
    }}
    suggest_response = {"id": "SuggestCommentScoreResponse", "type": "object", "properties": {
        "clientToken": {"type": "string"}, "requestedLanguages": {"type": "array", "items": {"type": "string"}},
        "detectedLanguages": {"type": "array", "items": {"type": "string"}},
    }}
    schemas = (score, text_entry, span_score, attribute_scores, attribute_parameters, context, analyze_request,
               analyze_response, suggest_request, suggest_response)
    return {schema["id"]: schema for schema in schemas}


def _method(name: str, request: str, response: str, description: str) -> dict:
    path = f"v1alpha1/comments:{name}"
    return {"id": f"commentanalyzer.comments.{name}", "path": path, "flatPath": path, "httpMethod": "POST",
            "parameters": {}, "parameterOrder": [], "request": _ref(request), "response": _ref(response),
            "description": description}


def discovery_document(root_url: str) -> dict:
    """The discovery document, with every URL under ``root_url`` (ending in a slash)."""
    query = {"type": "string", "location": "query"}
    return {
        "kind": "discovery#restDescription",
        "discoveryVersion": "v1",
        "id": "commentanalyzer:v1alpha1",
        "name": "commentanalyzer",
        "version": "v1alpha1",
        "revision": "1",
        "title": "Perspective-compatible Comment Analyzer (self-hosted moderation service)",
        "description": "Scores from this service's own classifier in Perspective's request and response format.",
        "protocol": "rest",
        "rootUrl": root_url,
        "servicePath": "",
        "basePath": "",
        "baseUrl": root_url,
        "batchPath": "batch",
        "documentationLink": f"{root_url}api/docs",
        "parameters": {
            "key": {**query, "description": "Site API key (MODERATION_SITE_KEYS)."},
            "fields": {**query, "description": "Accepted and ignored."},
            "alt": {**query, "default": "json", "enum": ["json"], "description": "Data format for response."},
            "prettyPrint": {"type": "boolean", "location": "query", "default": "true",
                            "description": "Accepted and ignored."},
            "quotaUser": {**query, "description": "Accepted and ignored."},
        },
        "schemas": _schemas(),
        "resources": {"comments": {"methods": {
            "analyze": _method("analyze", "AnalyzeCommentRequest", "AnalyzeCommentResponse",
                               "Scores the text for the requested attributes."),
            "suggestscore": _method("suggestscore", "SuggestCommentScoreRequest", "SuggestCommentScoreResponse",
                                    "Stores the suggested scores as a label candidate for review."),
        }}},
    }
