"""The workbench's pages: the queue, the decision log and the overview."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import render_template, request, url_for

from classifier import HEAD_SPECS
from service.infra.models import Comment
from service.lifecycle import queries
from service.lifecycle.head_scores import scores_of
from service.lifecycle.policy import AUDIT_ACTIONS, CATEGORIES
from service.lifecycle.registry import active_version
from service.web.context import db_session, services
from service.web.moderate import blueprint
from service.web.moderate.charts import bar_chart
from service.web.moderate.explain import Explainer
from service.web.moderate.stats import daily_counts

FILTERS = (*CATEGORIES, "name", "report")
"""The queue's category filter: held for a head's score (one per head), for the author's name, or on reports."""
SPAN_WORDS = {"hostility": "hostile words"}
"""The legend's name of a head's highlights where "<head> words" reads badly; any other head is "<head> words"
(a new head needs no entry)."""
PAGE_SIZE = 50
"""Comments (or decisions) per page unless ``?per_page=`` asks for 1 to 200."""
LOG_PAGE_SIZE = 100


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """UTC datetimes for a From/To pair of days, both days included (To is exclusive the next midnight)."""
    start = datetime.combine(since, time.min, UTC) if since else None
    end = datetime.combine(until + timedelta(days=1), time.min, UTC) if until else None
    return start, end


def _paging(default: int) -> tuple[int, int]:
    """``page`` (from 1) and ``per_page`` (1-200) from the query string; nonsense falls back to the defaults."""
    page = request.args.get("page", "1")
    per_page = request.args.get("per_page", "")
    number = int(page) if page.isdigit() and 0 < int(page) < 1_000_000 else 1
    size = min(max(int(per_page), 1), 200) if per_page.isdigit() else default
    return number, size


def _last_page(result: queries.Page) -> int:
    return max(1, -(-result.total // result.per_page))


def page_url(number: int) -> str:
    """This page's URL with every filter kept and ``page`` set to ``number``."""
    args = {key: value for key, value in request.args.items() if key != "page" and value}
    return url_for(request.endpoint or "moderate.queue", **args, page=number)


@blueprint.get("/")
def queue() -> str:
    """Held comments with their highlighted spans, scores, reasons in words, author and thread context, a page at a
    time."""
    category = request.args.get("category") or None
    category = category if category in FILTERS else None
    sort = "oldest" if request.args.get("sort") == "oldest" else "severity"
    article = (request.args.get("article") or "").strip()[:200] or None
    created_from, created_before = _bounds(_day("since"), _day("until"))
    number, size = _paging(PAGE_SIZE)

    def fetch(page: int) -> queries.Page:
        return queries.moderation_queue(
            db_session(), category=category if category in CATEGORIES else None, article_id=article,
            reason=category if category in ("name", "report") else None, sort=sort, page=page, per_page=size,
            created_from=created_from, created_before=created_before,
        )

    result = fetch(number)
    if not result.items and number > _last_page(result):
        # Deciding the last items of the last page must not leave the moderator on an empty page.
        result = fetch(_last_page(result))
    items = result.items
    context = {c.id: queries.others_of_author(db_session(), c) for c in items}
    parents = {c.id: db_session().get(Comment, c.parent_id) for c in items if c.parent_id}
    explainer = Explainer(db_session(), services().settings)
    why = {c.id: explainer.reasons(c) for c in items}
    scores = {c.id: scores_of(c) for c in items}
    return render_template("moderate/queue.html", items=items, result=result, last_page=_last_page(result),
                           page_url=page_url, context=context, parents=parents, why=why, filters=FILTERS,
                           heads=HEAD_SPECS, scores=scores, span_words=SPAN_WORDS,
                           category=category, sort=sort, article=article or "",
                           since=request.args.get("since", ""), until=request.args.get("until", ""))


@blueprint.get("/log")
def log() -> str:
    """Every decision, newest first, filtered by moderator, action and date."""
    who = (request.args.get("moderator") or "").strip()[:100] or None
    action = request.args.get("action") if request.args.get("action") in AUDIT_ACTIONS else None
    start, end = _bounds(_day("since"), _day("until"))
    number, size = _paging(LOG_PAGE_SIZE)
    result = queries.audit_log(db_session(), moderator=who, action=action, created_from=start, created_before=end,
                               page=number, per_page=size)
    return render_template("moderate/log.html", decisions=result.items, result=result, last_page=_last_page(result),
                           page_url=page_url, who=who or "", action=action or "",
                           actions=AUDIT_ACTIONS, since=request.args.get("since", ""),
                           until=request.args.get("until", ""))


@blueprint.get("/overview")
def overview() -> str:
    """Per-day counts drawn as inline SVG, and the active model version with its metrics."""
    days = daily_counts(db_session(), days=14)
    labels = [d.day.strftime("%m-%d") for d in days]
    charts = [
        ("Received", bar_chart(labels, [d.received for d in days], "received")),
        ("Published", bar_chart(labels, [d.published for d in days], "published")),
        ("Held", bar_chart(labels, [d.held for d in days], "held")),
        ("Approved by moderators", bar_chart(labels, [d.approved for d in days], "approved")),
        ("Rejected", bar_chart(labels, [d.rejected for d in days], "rejected")),
        ("Held comments overturned (approved), %", bar_chart(labels, [d.overturned_pct for d in days], "overturned")),
    ]
    model = active_version(db_session())
    return render_template("moderate/overview.html", days=days, charts=charts, model=model)
