"""The site's side of the API: submit a comment, read it back, list an article's comments, report one."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, url_for
from werkzeug.routing import PathConverter

from service.infra.models import VISIBLE
from service.lifecycle import queries, store, transitions
from service.lifecycle.reporters import Reporter
from service.lifecycle.serialize import comment_detail, comment_public, comment_status, page_json
from service.web.api.credentials import Viewer, viewer
from service.web.context import db_session, services
from service.web.limits import rate_limited
from service.web.site_keys import site_key_required
from service.web.validation import (
    COMMENT_ID_RULE,
    external_id,
    json_object,
    pagination,
    parse_new_comment,
    parse_report,
)

blueprint = Blueprint("comments", __name__, url_prefix="/api/v1")


class ArticleIdConverter(PathConverter):
    """Werkzeug's ``path``, except that the id may start with "/": sites often use their URL path as the id."""

    regex = ".+?"
    part_isolating = False  # the id spans several path segments (Werkzeug guesses from a "/" in the regex)


# Recorded before the routes below, so the converter exists when their rules are added to the app's map.
blueprint.record_once(lambda state: state.app.url_map.converters.setdefault("article_id", ArticleIdConverter))


@blueprint.post("/comments")
@site_key_required
@rate_limited("comments")
def submit_comment() -> tuple[Response, int, dict[str, str]]:
    """Store a comment as pending and queue its scoring; 202 whether or not the broker took the task."""
    found = services()
    new = parse_new_comment(json_object(), found.settings.max_text_length)
    # The comment is one INSERT (after a read of the parent, for a reply), atomic on its own: run in
    # autocommit mode it needs no BEGIN and COMMIT round trips, and on a bare connection it skips the
    # Session's bookkeeping; this is the busiest request. The outbox mark is written in that same statement,
    # and the row is committed before the task is sent: the worker must find it when the task arrives.
    with found.autocommit.connect() as connection:
        comment = store.insert_comment(
            connection, article_id=new.article_id, author_id=new.author_id, author_name=new.author_name,
            text=new.text, parent_id=new.parent_id, task_sent=True,
        )
    found.scoring.submit(comment.id)  # inline or by a background thread; a refusal leaves it to the sweeper
    location = url_for("comments.get_comment", comment_id=comment.id)
    return jsonify(comment_public(comment)), 202, {"Location": location}


@blueprint.get(f"/comments/{COMMENT_ID_RULE}")
def get_comment(comment_id: int) -> Response:
    """A comment's status; its text, author, scores and moderation state too when it is visible (published or
    approved) or the request carries a site key or a moderator's token."""
    who, _ = viewer()
    comment = store.get_comment(db_session(), comment_id)
    shown = comment.status in VISIBLE or who is not Viewer.PUBLIC
    return jsonify(comment_detail(comment) if shown else comment_status(comment))


# merge_slashes off: an article id may begin with or hold "//" (a site's URL path, say); Werkzeug would
# otherwise redirect to the id without them, which is another article.
@blueprint.get("/articles/<article_id:article_id>/comments", merge_slashes=False)
def article_comments(article_id: str) -> Response:
    """Published and approved comments of an article, oldest first, one page at a time."""
    article_id = external_id(article_id, "article_id")
    page, per_page = pagination(services().settings.page_size)
    return jsonify(page_json(queries.visible_comments(db_session(), article_id, page, per_page), comment_public))


@blueprint.post(f"/comments/{COMMENT_ID_RULE}/reports")
@rate_limited("reports")
def report_comment(comment_id: int) -> tuple[Response, int]:
    """A reader (or a moderator) reports a comment; the lifecycle's report rule decides whether it is held."""
    report = parse_report(json_object(allow_empty=True))
    found = services()
    who, moderator = viewer()
    # Who counts as one reporter: a moderator by their account; a reader by the id the site gives, where that
    # id can be believed (no site keys, so the deployment trusts its callers, or a valid one); anyone else by
    # a keyed hash of the address, since a body can claim any reader id it likes.
    if moderator is not None:
        reporter = Reporter.moderator(moderator, report.reporter_id)
    elif report.reporter_id is not None and (who is Viewer.SITE or not found.settings.site_keys):
        reporter = Reporter.reader(report.reporter_id)
    else:
        reporter = Reporter.address(request.remote_addr or "unknown", found.settings.secret_key, report.reporter_id)
    session = db_session()
    comment = transitions.report_by_reader(session, found.settings, store.get_comment(session, comment_id),
                                           reason=report.reason, reporter=reporter)
    session.commit()
    return jsonify({"comment_id": comment.id, "status": comment.status, "report_count": comment.report_count}), 201
