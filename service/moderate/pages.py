"""The workbench's pages: the queue, the decision log and the overview."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import render_template, request
from sqlalchemy import select

from service import domain
from service.context import db_session
from service.models import Comment, Decision, ModelVersion
from service.moderate import blueprint
from service.moderate.charts import bar_chart
from service.moderate.stats import daily_counts

FILTERS = ("hostility", "slur", "name", "report")
QUEUE_LIMIT = 200


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _in_range(moment: datetime | None, since: date | None, until: date | None) -> bool:
    if moment is None:
        return False
    day = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).date()
    return (since is None or day >= since) and (until is None or day <= until)


def _author_context(comment: Comment) -> list[Comment]:
    """The author's other recent comments (with their decisions, loaded lazily in the template)."""
    return list(db_session().scalars(
        select(Comment).where(Comment.author_id == comment.author_id, Comment.id != comment.id)
        .order_by(Comment.id.desc()).limit(5)
    ))


@blueprint.get("/")
def queue() -> str:
    """Held comments with their highlighted spans, scores, reasons, author and thread context."""
    category = request.args.get("category") or None
    category = category if category in FILTERS else None
    sort = "oldest" if request.args.get("sort") == "oldest" else "severity"
    article = (request.args.get("article") or "").strip()[:200] or None
    since, until = _day("since"), _day("until")
    page = domain.moderation_queue(
        db_session(), category=category if category in domain.CATEGORIES else None, article_id=article,
        reason=category if category in ("name", "report") else None, sort=sort, per_page=QUEUE_LIMIT,
    )
    items = [c for c in page.items if (since is None and until is None) or _in_range(c.created_at, since, until)]
    context = {c.id: _author_context(c) for c in items}
    parents = {c.id: db_session().get(Comment, c.parent_id) for c in items if c.parent_id}
    return render_template("moderate/queue.html", items=items, total=page.total, context=context, parents=parents,
                           filters=FILTERS, category=category, sort=sort, article=article or "",
                           since=request.args.get("since", ""), until=request.args.get("until", ""))


@blueprint.get("/log")
def log() -> str:
    """Every decision, newest first, filtered by moderator, action and date."""
    who = (request.args.get("moderator") or "").strip()[:100] or None
    action = request.args.get("action") if request.args.get("action") in domain.ACTIONS else None
    since, until = _day("since"), _day("until")
    query = select(Decision).order_by(Decision.id.desc())
    if who:
        query = query.where(Decision.actor == who)
    if action:
        query = query.where(Decision.action == action)
    if since:
        query = query.where(Decision.created_at >= datetime.combine(since, time.min, UTC))
    if until:
        query = query.where(Decision.created_at < datetime.combine(until + timedelta(days=1), time.min, UTC))
    decisions = list(db_session().scalars(query.limit(500)))
    return render_template("moderate/log.html", decisions=decisions, who=who or "", action=action or "",
                           actions=domain.ACTIONS, since=request.args.get("since", ""),
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
    model = db_session().scalars(select(ModelVersion).where(ModelVersion.active.is_(True))).first()
    return render_template("moderate/overview.html", days=days, charts=charts, model=model)
