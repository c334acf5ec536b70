"""Turning request bodies and query strings into typed values, or a 400 that names the offending field.

Nothing here touches the database: a request that fails validation stores nothing. Strings are
checked for NUL characters and lone surrogates (JSON's ``"\\ud800"`` escapes decode to them, and
neither PostgreSQL nor a UTF-8 encoder will take them), so they are refused here rather than
surfacing later as a 500.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from flask import request

from service.lifecycle.policy import ACTIONS, CATEGORIES
from service.web.body import DuplicateKey, loads
from service.web.errors import ApiError

ID_MAX_LENGTH = 200
"""External ids (articles, authors, reporters) and author names: the columns are String(200)."""
REPORT_REASON_MAX_LENGTH = 500
DECISION_REASON_MAX_LENGTH = 1000
PER_PAGE_MAX = 200
COMMENT_ID_MAX = 2**31 - 1
"""Comment ids are 32-bit integers (PostgreSQL INTEGER): larger ones cannot exist, and SQLite overflows on them."""
COMMENT_ID_RULE = f"<int(min=1, max={COMMENT_ID_MAX}):comment_id>"
"""URL rule part for a comment id; anything else in that place is a 404, never a 500."""


def invalid(code: str, message: str, field: str | None = None) -> ApiError:
    """A 400 in the API's error shape."""
    return ApiError(400, code, message, field)


JSON_WHITESPACE = b" \t\r\n"
"""The only whitespace JSON allows (RFC 8259); a body of form feeds or vertical tabs is not empty JSON but invalid."""


def json_object(allow_empty: bool = False) -> dict:
    """The request body as a JSON object, whatever the Content-Type claims, as long as it parses strictly
    (service.web.body.loads: a key named twice is a 400 ``duplicate_key`` naming it).

    No body at all is ``{}`` when every field of the endpoint is optional (``allow_empty``); a body of
    whitespace alone is not a JSON document, so it is refused like any other invalid JSON.
    """
    raw = request.get_data(cache=True)  # over MAX_CONTENT_LENGTH this raises 413 before we read it all
    if not raw and allow_empty:
        return {}
    if not raw.strip(JSON_WHITESPACE):
        raise invalid("invalid_json", "request body is empty; expected a JSON object")
    try:
        value = loads(raw)
    except DuplicateKey as error:
        field = _printable(error.key)
        raise invalid("duplicate_key", f"request body names {field!r} twice; send each field once", field) from None
    except RecursionError:
        raise invalid("invalid_json", "request body is nested too deeply") from None
    except ValueError as error:  # JSONDecodeError, and UnicodeDecodeError for bytes that are not UTF-8
        raise invalid("invalid_json", f"request body is not valid JSON: {str(error)[:200]}") from None
    if not isinstance(value, dict):
        raise invalid("invalid_body", f"request body must be a JSON object, not {_kind(value)}")
    return value


def _kind(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    if type(value) in names:
        return names[type(value)]
    return "a number" if isinstance(value, int | float) else type(value).__name__


def _printable(name: str) -> str:
    # A field name can itself hold surrogates or control characters; make it safe to echo back.
    return name.encode("utf-8", "backslashreplace").decode("utf-8")[:100].replace("\x00", "\\x00")


def check_fields(body: Mapping[str, object], allowed: Collection[str], required: Collection[str] = (),
                 prefix: str = "") -> None:
    """Refuse unknown fields (a typo must not be silently ignored), then missing required ones."""
    for name in body:
        if name not in allowed:
            field = _printable(prefix + name)
            raise invalid("unknown_field", f"unknown field {field!r}", field)
    for name in required:
        if name not in body or body[name] is None:
            raise invalid("missing_field", f"{prefix + name} is required", prefix + name)


def clean_string(value: object, field: str, max_length: int, allow_blank: bool = False) -> str:
    """A string of at most ``max_length`` characters without NUL or lone surrogates."""
    if not isinstance(value, str):
        raise invalid("invalid_type", f"{field} must be a string, not {_kind(value)}", field)
    if "\x00" in value:
        raise invalid("invalid_characters", f"{field} contains a NUL character", field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid("invalid_characters", f"{field} contains a lone surrogate (not valid Unicode)", field) from None
    if not allow_blank and not value.strip():
        raise invalid("empty", f"{field} must not be empty", field)
    if len(value) > max_length:
        raise invalid("too_long", f"{field} is longer than {max_length} characters", field)
    return value


def external_id(value: object, field: str) -> str:
    """An id the site owns (article, author, reporter): a string of 1–200 characters."""
    return clean_string(value, field, ID_MAX_LENGTH)


def comment_id(value: object, field: str) -> int:
    """One of our comment ids: a positive integer (booleans are ints in Python, but not ids)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid("invalid_type", f"{field} must be an integer comment id, not {_kind(value)}", field)
    if not 1 <= value <= COMMENT_ID_MAX:
        raise invalid("invalid_value", f"{field} must be between 1 and {COMMENT_ID_MAX}", field)
    return value


# -- bodies ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewComment:
    """A validated ``POST /api/v1/comments`` body."""

    article_id: str
    author_id: str
    author_name: str
    text: str
    parent_id: int | None


def parse_new_comment(body: Mapping[str, object], max_text_length: int) -> NewComment:
    """Validate a new comment: article, author {id, name}, text, and optionally the parent comment."""
    check_fields(body, ("article_id", "author", "text", "parent_id"), ("article_id", "author", "text"))
    article_id = external_id(body["article_id"], "article_id")
    author = body["author"]
    if not isinstance(author, dict):
        raise invalid("invalid_type", f"author must be an object, not {_kind(author)}", "author")
    check_fields(author, ("id", "name"), ("id", "name"), prefix="author.")
    author_id = external_id(author["id"], "author.id")
    author_name = clean_string(author["name"], "author.name", ID_MAX_LENGTH)
    text = clean_string(body["text"], "text", max_text_length)
    parent = body.get("parent_id")
    parent_id = comment_id(parent, "parent_id") if parent is not None else None
    return NewComment(article_id, author_id, author_name, text, parent_id)


def parse_text(body: Mapping[str, object], max_text_length: int) -> str:
    """Validate ``{"text"}`` (the analyze endpoint)."""
    check_fields(body, ("text",), ("text",))
    return clean_string(body["text"], "text", max_text_length)


@dataclass(frozen=True)
class NewReport:
    """A validated reader report."""

    reason: str
    reporter_id: str | None


def parse_report(body: Mapping[str, object]) -> NewReport:
    """Validate ``{"reason"?, "reporter_id"?}``."""
    check_fields(body, ("reason", "reporter_id"))
    reason = body.get("reason")
    reporter = body.get("reporter_id")
    return NewReport(
        clean_string(reason, "reason", REPORT_REASON_MAX_LENGTH, allow_blank=True) if reason is not None else "",
        external_id(reporter, "reporter_id") if reporter is not None else None,
    )


@dataclass(frozen=True)
class NewDecision:
    """A validated moderator decision."""

    action: str
    labels: list[str] | None
    reason: str


def parse_decision(body: Mapping[str, object]) -> NewDecision:
    """Validate ``{"action": "approve"|"reject", "labels"?: [...], "reason"?}``."""
    check_fields(body, ("action", "labels", "reason"), ("action",))
    action = clean_string(body["action"], "action", 20)
    if action not in ACTIONS:
        raise invalid("invalid_value", f"action must be one of {', '.join(ACTIONS)}", "action")
    raw_labels = body.get("labels")
    labels: list[str] | None = None
    if raw_labels is not None:
        if not isinstance(raw_labels, list):
            raise invalid("invalid_type", f"labels must be an array, not {_kind(raw_labels)}", "labels")
        labels = [clean_string(label, f"labels[{i}]", 20) for i, label in enumerate(raw_labels)]
        unknown = sorted(set(labels) - set(CATEGORIES))
        if unknown:
            raise invalid("invalid_value", f"labels must be among {', '.join(CATEGORIES)}", "labels")
        if action == "approve" and labels:
            raise invalid("invalid_value", "an approval carries no labels (it means neither)", "labels")
    reason = body.get("reason")
    if reason is not None:
        reason = clean_string(reason, "reason", DECISION_REASON_MAX_LENGTH, allow_blank=True)
    return NewDecision(action, labels, reason or "")


@dataclass(frozen=True)
class NewRevert:
    """A validated revert: why (optional), and the decision it must take back (optional)."""

    reason: str
    decision_id: int | None


def parse_revert(body: Mapping[str, object]) -> NewRevert:
    """Validate ``{"reason"?, "decision_id"?}`` (an empty body is ``{}``: revert the latest decision)."""
    check_fields(body, ("reason", "decision_id"))
    reason = body.get("reason")
    if reason is not None:
        reason = clean_string(reason, "reason", DECISION_REASON_MAX_LENGTH, allow_blank=True)
    decision_id = body.get("decision_id")
    if decision_id is not None:
        if isinstance(decision_id, bool) or not isinstance(decision_id, int):
            raise invalid("invalid_type", f"decision_id must be an integer, not {_kind(decision_id)}", "decision_id")
        if not 1 <= decision_id <= COMMENT_ID_MAX:
            raise invalid("invalid_value", f"decision_id must be between 1 and {COMMENT_ID_MAX}", "decision_id")
    return NewRevert(reason or "", decision_id)


# -- query strings and paths -----------------------------------------------------------------------


def query_value(name: str) -> str | None:
    """A query parameter given at most once (None when absent): ``?page=1&page=2`` is refused, not guessed."""
    values = request.args.getlist(name)
    if len(values) > 1:
        raise invalid("invalid_value", f"{name} may be given only once", name)
    return values[0] if values else None


def query_int(name: str, default: int, maximum: int | None = None) -> int:
    """A positive integer query parameter; values over ``maximum`` are capped rather than refused."""
    raw = query_value(name)
    if raw is None or raw == "":
        value = default
    else:
        if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
            raise invalid("invalid_value", f"{name} must be a positive integer", name)
        value = int(raw)
        if value < 1:
            raise invalid("invalid_value", f"{name} must be a positive integer", name)
    return min(value, maximum) if maximum is not None else value


def pagination(default_per_page: int) -> tuple[int, int]:
    """``(page, per_page)`` from the query string; per_page is capped at 200."""
    return query_int("page", 1), query_int("per_page", min(default_per_page, PER_PAGE_MAX), PER_PAGE_MAX)


def query_choice(name: str, choices: Collection[str]) -> str | None:
    """An optional query parameter restricted to ``choices``."""
    raw = query_value(name)
    if raw is None or raw == "":
        return None
    if raw not in choices:
        raise invalid("invalid_value", f"{name} must be one of {', '.join(choices)}", name)
    return raw


def query_id(name: str) -> str | None:
    """An optional external-id query parameter."""
    raw = query_value(name)
    return None if raw is None or raw == "" else external_id(raw, name)
