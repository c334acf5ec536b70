"""The OpenAPI 3.1 description of the HTTP API, written by hand next to the code it describes.

A test compares it with the app's URL map, so a route cannot be added without being documented.
Limits that come from the configuration (text length, page size) are filled in from Settings.
"""

from __future__ import annotations

from classifier import HEAD_SPECS
from service.config import Settings
from service.infra.models import MODERATOR_EVENTS, VISIBLE, Status
from service.lifecycle.moderators import PASSWORD_MAX_LENGTH, ROLES
from service.lifecycle.policy import ACTIONS, AUDIT_ACTIONS, CATEGORIES
from service.web.perspective.openapi import guard_with_site_key, integration_paths, integration_schemas
from service.web.validation import (
    COMMENT_ID_MAX,
    DECISION_REASON_MAX_LENGTH,
    ID_MAX_LENGTH,
    PER_PAGE_MAX,
    REPORT_REASON_MAX_LENGTH,
)


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict:
    described = {400: "Invalid input; `field` names it", 401: "Missing or invalid bearer token",
                 403: "A site key that is not valid, or a moderator without the admin role",
                 404: "No such comment", 409: "The comment is not in a state that allows this",
                 413: "Request body too large", 503: "Not available (e.g. no active model)",
                 429: "Too many requests from this address or by this author (rate limit); retry after Retry-After"}
    responses = {str(status): _json(_ref("Error"), described[status]) for status in statuses}
    if 429 in statuses:
        responses["429"]["headers"] = {"Retry-After": {"description": "seconds until the limit's window ends",
                                                       "schema": {"type": "integer", "minimum": 1}}}
    return responses


def _body(name: str, required: bool = True) -> dict:
    return {"required": required, "content": {"application/json": {"schema": _ref(name)}}}


def _string(max_length: int, description: str = "", min_length: int = 1) -> dict:
    schema: dict = {"type": "string", "minLength": min_length, "maxLength": max_length}
    if description:
        schema["description"] = description
    return schema


def _nullable(schema: dict) -> dict:
    return {"oneOf": [schema, {"type": "null"}]}


def _object(properties: dict, required: list[str], closed: bool = False) -> dict:
    schema = {"type": "object", "properties": properties, "required": required}
    if closed:  # request bodies: an unknown field is a 400, not silently ignored
        schema["additionalProperties"] = False
    return schema


def _query(name: str, schema: dict, description: str) -> dict:
    # An empty value (`?article_id=`, what a form sends for "any") means the same as no parameter at all.
    default = {"default": schema.pop("default")} if "default" in schema else {}
    return {"name": name, "in": "query", "required": False,
            "schema": {"anyOf": [schema, {"type": "string", "maxLength": 0}], **default},
            "description": f"{description}; empty: as if not given"}


def _schemas(settings: Settings) -> dict:
    score = {"type": "number", "minimum": 0, "maximum": 1}
    time = {"type": "string", "format": "date-time"}
    external = _string(ID_MAX_LENGTH)
    comment_id = {"type": "integer", "minimum": 1, "maximum": COMMENT_ID_MAX}
    check = _object({"ok": {"type": "boolean"}, "error": {"type": "string"}, "version": {"type": "string"}}, ["ok"])
    return {
        "Error": _object({"error": _object({
            "code": {"type": "string", "description": "stable, machine-readable (e.g. invalid_json, too_long)"},
            "message": {"type": "string", "description": "for people"},
            "field": {"type": "string", "description": "the offending input, e.g. text or author.name"},
        }, ["code", "message"])}, ["error"]),
        "Author": _object({"id": external, "name": external}, ["id", "name"], closed=True),
        "CommentCreate": _object({
            "article_id": external, "author": _ref("Author"),
            "text": _string(settings.max_text_length, "no NUL characters or lone surrogates"),
            "parent_id": _nullable(comment_id),
        }, ["article_id", "author", "text"], closed=True),
        "Comment": _object({
            "id": comment_id, "article_id": {"type": "string"}, "parent_id": _nullable(comment_id),
            "author": _ref("Author"), "text": {"type": "string"},
            "status": {"type": "string", "enum": [status.value for status in Status]}, "created_at": time,
        }, ["id", "article_id", "parent_id", "author", "text", "status", "created_at"]),
        "CommentStatus": _object({
            "id": comment_id, "article_id": {"type": "string"}, "parent_id": _nullable(comment_id),
            "status": {"type": "string", "enum": [status.value for status in Status if status not in VISIBLE]},
            "created_at": time,
        }, ["id", "article_id", "parent_id", "status", "created_at"], closed=True),
        "Span": _object({"label": {"type": "string", "enum": list(CATEGORIES)}, "begin": {"type": "integer"},
                         "end": {"type": "integer"}, "score": {"type": "number"}}, ["label", "begin", "end", "score"]),
        "CommentDetail": {"allOf": [_ref("Comment"), _object({
            # One score per head, then the author's name's per head (name_<head>).
            "scores": _object({**{head.name: {**_nullable(score), "description": head.meaning} for head in HEAD_SPECS},
                               **{f"name_{head}": _nullable(score) for head in CATEGORIES}}, []),
            "spans": {"type": "array", "items": _ref("Span")},
            "model_version": _nullable({"type": "string"}),
            "hold_reasons": {"type": "array", "items": {"type": "string"},
                             "description": "any of " + ", ".join(
                                 f'"model:{head}"' for head in CATEGORIES) + ', "name", "report"'},
            "report_count": {"type": "integer"},
            "scored_at": _nullable(time), "decided_at": _nullable(time),
        }, ["scores", "spans", "model_version", "hold_reasons", "report_count", "scored_at", "decided_at"])]},
        "CommentPage": _page("Comment"),
        "CommentDetailPage": _page("CommentDetail"),
        # null means "not given" in request bodies, for every optional field
        "ReportCreate": _object({"reason": _nullable(_string(REPORT_REASON_MAX_LENGTH, min_length=0)),
                                 "reporter_id": _nullable({**external, "description": (
                                     "the site's reader id; counts as the reporter where no site keys are set or "
                                     "the request carries a valid one, otherwise the client address does")})},
                                [], closed=True),
        "ReportResult": _object({"comment_id": comment_id, "status": {"type": "string"},
                                 "report_count": {"type": "integer"}}, ["comment_id", "status", "report_count"]),
        "AnalyzeRequest": _object({"text": _string(settings.max_text_length)}, ["text"], closed=True),
        "AnalyzeResult": _object({
            **{head.name: {**score, "description": head.meaning} for head in HEAD_SPECS},
            "flagged": {"type": "boolean", "description": "the comment would be held at the thresholds in force"},
            "spans": {"type": "array", "items": _ref("Span")}, "model_version": {"type": "string"},
        }, [*CATEGORIES, "flagged", "spans", "model_version"]),
        "DecisionCreate": _object({
            "action": {"type": "string", "enum": list(ACTIONS)},
            "labels": _nullable({"type": "array", "items": {"type": "string", "enum": list(CATEGORIES)},
                                 "description": "reject only; default: the categories that reached the hold "
                                                "threshold"}),
            "reason": _nullable(_string(DECISION_REASON_MAX_LENGTH, min_length=0)),
        }, ["action"], closed=True),
        "RevertCreate": _object({
            "reason": _nullable(_string(DECISION_REASON_MAX_LENGTH, min_length=0)),
            "decision_id": _nullable({"type": "integer", "minimum": 1, "maximum": COMMENT_ID_MAX,
                                      "description": "revert only if this is still the comment's latest decision "
                                                     "(409 otherwise); default: the latest, whatever it is"}),
        }, [], closed=True),
        "Decision": _object({
            "id": {"type": "integer"}, "comment_id": comment_id, "actor": {"type": "string"},
            "moderator_id": _nullable({"type": "integer"}),
            "action": {"type": "string", "enum": list(AUDIT_ACTIONS),
                       "description": "revert: a moderator took back the decision before it on this comment"},
            "labels": {"type": "array", "items": {"type": "string"}}, "reason": {"type": "string"},
            **{head: _nullable(score) for head in CATEGORIES}, "model_version": _nullable({"type": "string"}),
            "created_at": time,
        }, ["id", "comment_id", "actor", "action", "labels", "reason", "created_at"]),
        "DecisionResult": {"allOf": [_ref("Decision"), _object({"status": {"type": "string"}}, ["status"])]},
        "DecisionPage": _page("Decision"),
        "Health": _object({"status": {"type": "string", "const": "ok"}}, ["status"]),
        "Check": check,
        "Readiness": _object({"status": {"type": "string", "enum": ["ok", "unavailable"]},
                              "database": _ref("Check"), "broker": _ref("Check"), "model": _ref("Check")},
                             ["status", "database", "broker", "model"]),
    }


def _page(item: str) -> dict:
    return _object({"items": {"type": "array", "items": _ref(item)}, "page": {"type": "integer", "minimum": 1},
                    "per_page": {"type": "integer", "minimum": 1, "maximum": PER_PAGE_MAX},
                    "total": {"type": "integer", "minimum": 0}}, ["items", "page", "per_page", "total"])


def _paging(settings: Settings) -> list[dict]:
    return [
        _query("page", {"type": "integer", "minimum": 1, "default": 1}, "1-based page number"),
        # No maximum: more is not an error, the server caps it (the page's own per_page says what was used).
        _query("per_page", {"type": "integer", "minimum": 1, "default": min(settings.page_size, PER_PAGE_MAX)},
               f"items per page (capped at {PER_PAGE_MAX})"),
    ]


def _operation(operation_id: str, summary: str, responses: dict, *, tag: str, body: str | None = None,
               parameters: list[dict] | None = None, secured: bool = False, body_optional: bool = False,
               optional_auth: bool = False) -> dict:
    operation: dict = {"operationId": operation_id, "summary": summary, "tags": [tag], "responses": responses}
    if body:
        operation["requestBody"] = _body(body, required=not body_optional)  # optional: an empty body is {}
    if parameters:
        operation["parameters"] = parameters
    if secured:
        operation["security"] = [{"bearer": []}]
    elif optional_auth:  # open, but a site key or a moderator's token changes what it does
        operation["security"] = [{}, {"siteKey": []}, {"bearer": []}]
    return operation


def openapi_document(settings: Settings) -> dict:
    """The OpenAPI 3.1 document of every route the app serves."""
    comment = {"name": "comment_id", "in": "path", "required": True,
               "schema": {"type": "integer", "minimum": 1, "maximum": COMMENT_ID_MAX}}
    article = {"name": "article_id", "in": "path", "required": True, "schema": _string(ID_MAX_LENGTH),
               "description": "the site's article id; may contain slashes"}
    located = {"Location": {"description": "URL of the new comment", "schema": {"type": "string"}}}
    paths = {
        "/api/v1/comments": {"post": _operation(
            "submitComment", "Submit a comment; it is stored as pending and queued for scoring",
            {"202": {**_json(_ref("Comment"), "Accepted; scoring follows"), "headers": located},
             **_errors(400, 404, 413, 429)}, tag="comments", body="CommentCreate")},
        "/api/v1/comments/{comment_id}": {"get": _operation(
            "getComment", "A comment's status; its text, scores, spans and moderation state when it is visible "
                          "or the request carries a site key or a moderator's token",
            {"200": _json({"oneOf": [_ref("CommentDetail"), _ref("CommentStatus")]},
                          "The comment: in full (CommentDetail) when it is published or approved, or with a valid "
                          "site key (where MODERATION_SITE_KEYS is set) or a moderator's bearer token; otherwise "
                          "(pending, held, rejected) only its status (CommentStatus)"),
             **_errors(401, 403, 404)}, tag="comments", parameters=[comment], optional_auth=True)},
        "/api/v1/articles/{article_id}/comments": {"get": _operation(
            "listArticleComments", "Published and approved comments of an article, oldest first",
            {"200": _json(_ref("CommentPage"), "One page"), **_errors(400)}, tag="comments",
            parameters=[article, *_paging(settings)])},
        "/api/v1/comments/{comment_id}/reports": {"post": _operation(
            "reportComment", "Report a comment; the report rule decides whether a published one goes back to the "
                             "queue (distinct reporters, a high score, or a moderator's report)",
            {"201": _json(_ref("ReportResult"), "Report stored; `status` says whether it holds the comment now"),
             **_errors(400, 401, 403, 404, 413, 429)}, tag="comments",
            body="ReportCreate", body_optional=True, parameters=[comment], optional_auth=True)},
        "/api/v1/analyze": {"post": _operation(
            "analyze", "Score a text with the active model without storing anything",
            {"200": _json(_ref("AnalyzeResult"), "Scores and spans"), **_errors(400, 413, 429, 503)}, tag="analysis",
            body="AnalyzeRequest")},
        "/api/v1/moderation/queue": {"get": _operation(
            "moderationQueue", "Held comments, most severe or oldest first", {
                "200": _json(_ref("CommentDetailPage"), "One page of the queue"), **_errors(400, 401)},
            tag="moderation", secured=True, parameters=[
                _query("category", {"type": "string", "enum": list(CATEGORIES)}, "held for this category"),
                _query("article_id", _string(ID_MAX_LENGTH), "only this article"),
                _query("reason", {"type": "string", "enum": ["model", "report", "name"]}, "why it was held"),
                _query("sort", {"type": "string", "enum": ["severity", "oldest"], "default": "severity"}, "order"),
                *_paging(settings)])},
        "/api/v1/moderation/comments/{comment_id}/decision": {"post": _operation(
            "decide", "Approve or reject a held comment (also a training label)",
            {"200": _json(_ref("DecisionResult"), "The decision and the comment's new status"),
             **_errors(400, 401, 404, 409, 413)}, tag="moderation", body="DecisionCreate", parameters=[comment],
            secured=True)},
        "/api/v1/moderation/comments/{comment_id}/revert": {"post": _operation(
            "revertDecision", "Take back the decision on an approved or rejected comment: it is held again, the "
            "audit log gets a revert, the decision stops being a training label, and the \"reverted\" webhook "
            "event is sent",
            {"200": _json(_ref("DecisionResult"), "The revert and the comment's new status (held)"),
             **_errors(400, 401, 404, 409, 413)}, tag="moderation", body="RevertCreate", body_optional=True,
            parameters=[comment], secured=True)},
        "/api/v1/moderation/actions": {"get": _operation(
            "auditLog", "Decisions by moderators and the model, newest first", {
                "200": _json(_ref("DecisionPage"), "One page of the audit log"), **_errors(400, 401)},
            tag="moderation", secured=True, parameters=[
                _query("moderator", _string(ID_MAX_LENGTH), 'actor name ("model" for automatic actions)'),
                _query("action", {"type": "string", "enum": list(AUDIT_ACTIONS)}, "approve, reject or revert"),
                *_paging(settings)])},
        "/api/openapi.json": {"get": _operation(
            "openapi", "This document", {"200": _json({"type": "object"}, "OpenAPI 3.1")}, tag="meta")},
        "/api/docs": {"get": _operation(
            "docs", "This document as an HTML page",
            {"200": {"description": "HTML", "content": {"text/html": {"schema": {"type": "string"}}}}}, tag="meta")},
        "/healthz": {"get": _operation("healthz", "Liveness: the process answers",
                                       {"200": _json(_ref("Health"), "Alive")}, tag="meta")},
        "/readyz": {"get": _operation(
            "readyz", "Readiness: database, broker and model are usable",
            {"200": _json(_ref("Readiness"), "Ready"), "503": _json(_ref("Readiness"), "Not ready")}, tag="meta")},
    }
    paths.update(_registry_paths())
    paths.update(_account_paths())
    paths.update(integration_paths())
    guard_with_site_key(paths["/api/v1/comments"]["post"])
    for item in paths.values():
        for operation in item.values():
            # Every operation can also fail in these ways; listed once here rather than in each entry.
            operation["responses"].setdefault("default", _json(_ref("Error"), "Any other error (405, 500)"))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Comment moderation API",
            "version": "1",
            "description": "Submit reader comments, read their moderation state, and work the moderation queue. "
                           'Every error has the shape {"error": {"code", "message", "field"?}}.',
        },
        "paths": paths,
        "components": {
            "schemas": {**_schemas(settings), **_registry_schemas(), **_account_schemas(),
                        **integration_schemas()},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "a moderator token (`moderation moderators add`, "
                                                          "`moderators reset-token`)"},
                                "siteKey": {"type": "apiKey", "in": "query", "name": "key",
                                            "description": "a site key (MODERATION_SITE_KEYS); also X-Site-Key"}},
        },
        "tags": [{"name": "comments"}, {"name": "analysis"}, {"name": "moderation"}, {"name": "models"},
                 {"name": "accounts"},
                 {"name": "integrations"}, {"name": "meta"}],
    }


def _registry_schemas() -> dict:
    time = {"type": "string", "format": "date-time"}
    text = {"type": "string"}
    return {
        "ModelVersion": _object({
            "version": text, "status": {"type": "string", "enum": ["active", "candidate", "rejected", "retired"]},
            "status_reason": text, "active": {"type": "boolean"}, "sha256": text, "created_by": text,
            "created_at": time, "activated_at": _nullable(time), "thresholds": {"type": "object"},
            "metrics": {"type": "object"},
            "training_data": {"type": "object", "description": "datasets with each file's sha256, seed rows, "
                              "moderator labels, newest decision id"},
            "moderator_labels": {"type": "integer"}, "newest_decision_id": _nullable({"type": "integer"}),
            "evaluation": {"type": "object", "description": "the gate's figures: candidate and active, per set"},
        }, ["version", "status", "active", "sha256", "created_at", "training_data", "evaluation"]),
        "ModelEvent": _object({"id": {"type": "integer"}, "version": text,
                               "action": {"type": "string", "enum": ["activate", "force", "reject", "rollback"]},
                               "actor": text, "detail": text, "created_at": time},
                              ["id", "version", "action", "actor", "detail", "created_at"]),
        "ModelRegistry": _object({"items": {"type": "array", "items": _ref("ModelVersion")},
                                  "events": {"type": "array", "items": _ref("ModelEvent")}}, ["items", "events"]),
        "RetrainRequest": _object({"force": {"type": "boolean", "default": False, "description":
                                             "activate even if the evaluation gate refuses (logged as forced)"}},
                                  [], closed=True),
        "RetrainJob": _object({
            "id": {"type": "integer"}, "status": {"type": "string", "enum": ["queued", "running", "succeeded",
                                                                            "failed"]},
            "force": {"type": "boolean"}, "requested_by": text, "stage": text,
            "progress": {"type": "number", "minimum": 0, "maximum": 1}, "version": _nullable(text),
            "outcome": _nullable({"type": "string", "enum": ["activated", "forced", "rejected"]}), "message": text,
            "created_at": time, "started_at": _nullable(time), "finished_at": _nullable(time),
        }, ["id", "status", "progress", "stage", "version", "outcome", "message"]),
    }


def _registry_paths() -> dict:
    job = {"name": "job_id", "in": "path", "required": True,
           "schema": {"type": "integer", "minimum": 1, "maximum": COMMENT_ID_MAX}}
    unauthorized = _json(_ref("Error"), "Missing or invalid bearer token")
    return {
        "/api/v1/moderation/models": {"get": _operation(
            "listModels", "Registered model versions (newest first) and the registry's audit log",
            {"200": _json(_ref("ModelRegistry"), "The registry"), "401": unauthorized}, tag="models", secured=True)},
        "/api/v1/moderation/models/retrain": {"post": _operation(
            "retrain", "Retrain on the datasets plus moderators' decisions (admin role); runs on a worker", {
                "202": _json(_ref("RetrainJob"), "Queued; follow it at /api/v1/moderation/models/retrain/{job_id}"),
                "400": _json(_ref("Error"), "Invalid body"), "401": unauthorized,
                "403": _json(_ref("Error"), "The moderator is not an admin"),
                "409": _json(_ref("Error"), "Another retraining is queued or running"),
                "503": _json(_ref("Error"), "The broker is not reachable")},
            tag="models", secured=True, body="RetrainRequest", body_optional=True)},
        "/api/v1/moderation/models/retrain/{job_id}": {"get": _operation(
            "retrainStatus", "A retraining job's status, stage and progress; the version and its fate when done",
            {"200": _json(_ref("RetrainJob"), "The job"), "401": unauthorized,
             "404": _json(_ref("Error"), "No such job")}, tag="models", secured=True, parameters=[job])},
    }


def _account_schemas() -> dict:
    time = {"type": "string", "format": "date-time"}
    text = {"type": "string"}
    account = {"id": {"type": "integer"}, "name": text, "role": {"type": "string", "enum": list(ROLES)},
               "active": {"type": "boolean"}, "has_password": {"type": "boolean"}, "created_at": time}
    required = ["id", "name", "role", "active", "has_password", "created_at"]
    return {
        "Moderator": _object(account, required),
        "ModeratorWithToken": _object({**account, "token": {"type": "string", "description": "shown only here"}},
                                      [*required, "token"]),
        "ModeratorEvent": _object({"id": {"type": "integer"}, "moderator": text,
                                   "action": {"type": "string", "enum": list(MODERATOR_EVENTS)},
                                   "actor": {"type": "string", "description": 'an admin\'s name, or "cli:<user>"'},
                                   "detail": text, "created_at": time},
                                  ["id", "moderator", "action", "actor", "detail", "created_at"]),
        "ModeratorList": _object({"items": {"type": "array", "items": _ref("Moderator")},
                                  "events": {"type": "array", "items": _ref("ModeratorEvent")}}, ["items", "events"]),
        "PasswordSet": _object({"password": _string(PASSWORD_MAX_LENGTH)}, ["password"], closed=True),
    }


def _account_paths() -> dict:
    name = {"name": "name", "in": "path", "required": True, "schema": _string(100),
            "description": "the moderator's name (as `moderation moderators add` gave it)"}
    refusals = {"401": _json(_ref("Error"), "Missing or invalid bearer token"),
                "403": _json(_ref("Error"), "The moderator is not an admin"),
                "404": _json(_ref("Error"), "No moderator of that name")}
    base = "/api/v1/moderation/moderators"

    def change(operation_id: str, summary: str, result: str, conflict: str | None = None,
               body: str | None = None) -> dict:
        responses = {"200": _json(_ref(result), "The account after the change"), **refusals}
        if conflict:
            responses["409"] = _json(_ref("Error"), conflict)
        if body:
            responses["400"] = _json(_ref("Error"), "Invalid body; `field` names it")
        return {"post": _operation(operation_id, summary, responses, tag="accounts", secured=True, body=body,
                                   parameters=[name])}

    return {
        base: {"get": _operation(
            "listModerators", "Every moderator account and the accounts' audit log (admin role)",
            {"200": _json(_ref("ModeratorList"), "The accounts"), "401": refusals["401"], "403": refusals["403"]},
            tag="accounts", secured=True)},
        f"{base}/{{name}}/deactivate": change(
            "deactivateModerator", "Deactivate an account: its token and password stop working (admin role)",
            "Moderator", "Already deactivated, or the last active admin"),
        f"{base}/{{name}}/reactivate": change(
            "reactivateModerator", "Reactivate an account (admin role)", "Moderator", "Already active"),
        f"{base}/{{name}}/token": change(
            "resetModeratorToken", "Issue a new token, shown once; the old one stops working (admin role)",
            "ModeratorWithToken"),
        f"{base}/{{name}}/password": change(
            "setModeratorPassword", "Set an account's workbench password (admin role)", "Moderator",
            body="PasswordSet"),
    }
