"""The comment lifecycle with only a session: transitions, idempotence, reports, conflicts, auto-reject."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from service.infra import outbox
from service.infra.db import make_engine, make_sessions, upgrade
from service.infra.models import Comment, Decision, Status
from service.lifecycle import queries, store, transitions
from service.lifecycle.assess import ScoreResult
from service.lifecycle.errors import Conflict, DomainError, NotFound
from service.lifecycle.moderators import create_moderator
from service.lifecycle.policy import Policy

POLICY = Policy(hold={"hostility": 0.5, "slur": 0.4})


def _submit(session: Session, article: str = "a1", text: str = "hello", parent_id: int | None = None) -> Comment:
    comment = store.submit_comment(session, article_id=article, author_id="u1", author_name="Reader", text=text,
                                    parent_id=parent_id)
    session.commit()
    return comment


def _result(hostility: float = 0.1, slur: float = 0.0, name_hostility: float = 0.0) -> ScoreResult:
    return ScoreResult(scores={"hostility": hostility, "slur": slur},
                       spans=[{"label": "hostility", "begin": 0, "end": 3, "score": 0.2}],
                       name_scores={"hostility": name_hostility, "slur": 0.0}, model_version="v1")


def _held(session: Session, hostility: float = 0.9, slur: float = 0.0) -> Comment:
    comment = _submit(session)
    transitions.record_score(session, comment.id, _result(hostility, slur), POLICY)
    session.commit()
    assert comment.status == Status.HELD
    return comment


def test_submit_stores_a_pending_comment_with_no_task_sent(session: Session) -> None:
    comment = _submit(session)
    assert comment.id is not None
    assert comment.status == Status.PENDING
    assert comment.task_sent_at is None
    outbox.mark_task_sent(session, comment.id)
    session.commit()
    session.refresh(comment)
    assert comment.task_sent_at is not None


def test_mark_task_sent_after_the_worker_already_scored(sessions: sessionmaker[Session]) -> None:
    """The worker can score between the web app's send and its outbox mark; the mark must not fail."""
    with sessions() as web, sessions() as worker:
        comment = _submit(web)
        transitions.record_score(worker, comment.id, _result(), POLICY)
        worker.commit()
        outbox.mark_task_sent(web, comment.id)  # web still holds the object at its old revision
        web.commit()
        assert worker.get(Comment, comment.id) is not None
        worker.expire_all()
        refreshed = worker.get(Comment, comment.id)
        assert refreshed.status == Status.PUBLISHED and refreshed.task_sent_at is not None


def test_reply_must_exist_and_be_on_the_same_article(session: Session) -> None:
    parent = _submit(session, article="a1")
    with pytest.raises(NotFound) as missing:
        store.submit_comment(session, article_id="a1", author_id="u", author_name="n", text="t", parent_id=999)
    assert missing.value.field == "parent_id" and missing.value.status == 404
    with pytest.raises(DomainError) as elsewhere:
        store.submit_comment(session, article_id="a2", author_id="u", author_name="n", text="t",
                              parent_id=parent.id)
    assert elsewhere.value.field == "parent_id" and elsewhere.value.status == 400


def test_low_scores_publish_high_scores_hold(session: Session) -> None:
    calm, harsh, slur = _submit(session), _submit(session), _submit(session)
    transitions.record_score(session, calm.id, _result(0.1), POLICY)
    transitions.record_score(session, harsh.id, _result(0.8), POLICY)
    transitions.record_score(session, slur.id, _result(0.1, slur=0.45), POLICY)
    session.commit()
    assert calm.status == Status.PUBLISHED and calm.hold_reasons == []
    assert harsh.status == Status.HELD and harsh.hold_reasons == ["model:hostility"]
    assert slur.status == Status.HELD and slur.hold_reasons == ["model:slur"]
    assert calm.scored_at is not None and calm.model_version == "v1" and calm.spans[0]["label"] == "hostility"


def test_a_hateful_username_alone_holds_the_comment(session: Session) -> None:
    comment = _submit(session)
    transitions.record_score(session, comment.id, _result(0.1, name_hostility=0.9), POLICY)
    session.commit()
    assert comment.status == Status.HELD
    assert comment.hold_reasons == ["name"]


def test_record_score_is_idempotent(session: Session) -> None:
    comment = _submit(session)
    assert transitions.record_score(session, comment.id, _result(0.9), POLICY) is comment
    session.commit()
    revision = comment.revision
    # A redelivered task (acks_late) must not re-judge a comment that has moved on.
    assert transitions.record_score(session, comment.id, _result(0.0), POLICY) is None
    assert transitions.record_score(session, 12345, _result(0.0), POLICY) is None
    session.commit()
    assert comment.status == Status.HELD and comment.hostility == 0.9 and comment.revision == revision


def test_auto_reject_over_the_reject_threshold_writes_an_audit_row(session: Session) -> None:
    policy = Policy(hold={"hostility": 0.5, "slur": 0.4}, reject={"hostility": 0.95, "slur": None})
    comment = _submit(session)
    transitions.record_score(session, comment.id, _result(0.97), policy)
    session.commit()
    assert comment.status == Status.REJECTED and comment.decided_at is not None
    decision = session.scalars(select(Decision).where(Decision.comment_id == comment.id)).one()
    assert decision.actor == "model" and decision.moderator_id is None
    assert decision.action == "reject" and decision.labels == ["hostility"]


def test_a_report_on_a_decided_comment_counts_but_does_not_reopen_it(session: Session) -> None:
    moderator, _ = create_moderator(session, "alice")
    comment = _held(session)
    transitions.decide(session, comment, moderator, "approve")
    session.commit()
    transitions.report_comment(session, comment)
    session.commit()
    assert comment.status == Status.APPROVED and comment.report_count == 1
    with pytest.raises(NotFound):
        transitions.report_comment(session, store.get_comment(session, 999))


def test_decide_approves_or_rejects_with_labels(session: Session) -> None:
    moderator, _ = create_moderator(session, "alice")
    approved, rejected, defaulted = _held(session), _held(session), _held(session, 0.3, slur=0.7)
    first = transitions.decide(session, approved, moderator, "approve", labels=["hostility"], reason="fine")
    second = transitions.decide(session, rejected, moderator, "reject", labels=["slur", "hostility"])
    third = transitions.decide(session, defaulted, moderator, "reject", policy=POLICY)
    session.commit()
    assert approved.status == Status.APPROVED and first.labels == [] and first.reason == "fine"
    assert rejected.status == Status.REJECTED and second.labels == ["hostility", "slur"]
    assert third.labels == ["slur"]  # no labels given: the categories over the hold threshold
    assert first.actor == "alice" and first.moderator_id == moderator.id and first.hostility == 0.9
    assert rejected.decided_at is not None


def test_decide_refuses_unknown_actions_and_labels(session: Session) -> None:
    moderator, _ = create_moderator(session, "alice")
    comment = _held(session)
    with pytest.raises(DomainError) as action:
        transitions.decide(session, comment, moderator, "delete")
    assert action.value.field == "action"
    with pytest.raises(DomainError) as labels:
        transitions.decide(session, comment, moderator, "reject", labels=["spam"])
    assert labels.value.field == "labels"
    with pytest.raises(NotFound):
        transitions.decide(session, store.get_comment(session, 999), moderator, "approve")


def test_deciding_twice_is_a_conflict_naming_who_decided(session: Session) -> None:
    alice, _ = create_moderator(session, "alice")
    bob, _ = create_moderator(session, "bob")
    comment = _held(session)
    transitions.decide(session, comment, alice, "approve")
    session.commit()
    with pytest.raises(Conflict) as conflict:
        transitions.decide(session, comment, bob, "reject")
    assert conflict.value.status == 409 and "alice" in conflict.value.message
    pending = _submit(session)
    with pytest.raises(Conflict):
        transitions.decide(session, pending, bob, "approve")


def test_concurrent_decisions_one_wins_the_other_conflicts(sessions: sessionmaker[Session]) -> None:
    """Both moderators load the held comment; the second write finds its revision gone."""
    with sessions() as setup:
        alice, _ = create_moderator(setup, "alice")
        bob, _ = create_moderator(setup, "bob")
        comment_id = _held(setup).id
        setup.commit()
        alice_id, bob_id = alice.id, bob.id
    with sessions() as first, sessions() as second:
        seen_by_first = first.get(Comment, comment_id)
        seen_by_second = second.get(Comment, comment_id)
        assert seen_by_first.status == seen_by_second.status == Status.HELD
        transitions.decide(first, first.get(Comment, comment_id), first.get(type(alice), alice_id), "approve")
        first.commit()
        with pytest.raises(Conflict) as conflict:
            transitions.decide(second, second.get(Comment, comment_id), second.get(type(bob), bob_id), "reject")
        assert conflict.value.status == 409
    with sessions() as check:
        assert check.get(Comment, comment_id).status == Status.APPROVED
        assert [d.actor for d in check.scalars(select(Decision))] == ["alice"]


def test_visible_comments_are_published_or_approved_oldest_first(session: Session) -> None:
    moderator, _ = create_moderator(session, "alice")
    published = _submit(session)
    transitions.record_score(session, published.id, _result(0.1), POLICY)
    held = _held(session)
    approved = _held(session)
    transitions.decide(session, approved, moderator, "approve")
    _submit(session)  # pending: not visible
    _submit(session, article="other")
    session.commit()
    page = queries.visible_comments(session, "a1", 1, 10)
    assert [c.id for c in page.items] == [published.id, approved.id] and page.total == 2
    assert held.id not in [c.id for c in page.items]
    second = queries.visible_comments(session, "a1", 2, 1)
    assert [c.id for c in second.items] == [approved.id] and second.total == 2


def test_queue_filters_and_sorts(session: Session) -> None:
    mild = _held(session, 0.6)
    severe = _held(session, 0.3, slur=0.95)
    reported = _submit(session, article="a2")
    transitions.record_score(session, reported.id, _result(0.1), POLICY)
    transitions.report_comment(session, reported, policy=Policy(hold={}, reports_to_hold=1))
    session.commit()
    by_severity = queries.moderation_queue(session)
    assert [c.id for c in by_severity.items] == [severe.id, mild.id, reported.id]
    oldest = queries.moderation_queue(session, sort="oldest")
    assert [c.id for c in oldest.items] == [mild.id, severe.id, reported.id]
    assert [c.id for c in queries.moderation_queue(session, category="slur").items] == [severe.id]
    assert [c.id for c in queries.moderation_queue(session, reason="report").items] == [reported.id]
    assert queries.moderation_queue(session, reason="model").total == 2
    assert [c.id for c in queries.moderation_queue(session, article_id="a2").items] == [reported.id]
    assert queries.moderation_queue(session, per_page=1, page=2).items[0].id == mild.id


def test_audit_log_newest_first_and_filtered(session: Session) -> None:
    alice, _ = create_moderator(session, "alice")
    bob, _ = create_moderator(session, "bob")
    first, second = _held(session), _held(session)
    transitions.decide(session, first, alice, "approve")
    transitions.decide(session, second, bob, "reject")
    session.commit()
    assert [d.actor for d in queries.audit_log(session).items] == ["bob", "alice"]
    assert [d.actor for d in queries.audit_log(session, moderator="alice").items] == ["alice"]
    assert [d.action for d in queries.audit_log(session, action="reject").items] == ["reject"]


@pytest.fixture(params=["sqlite", "postgresql"])
def any_database_url(request: pytest.FixtureRequest, database_url: str) -> Iterator[str]:
    """The test's SQLite file, or a PostgreSQL database made for the test (the INSERT differs by driver)."""
    if request.param == "sqlite":
        yield database_url
        return
    from tests.integration.conftest import postgres_database

    with postgres_database() as url:
        upgrade(url)
        yield url


def _utc_naive(moment: datetime) -> datetime:
    """SQLite hands back naive UTC, PostgreSQL aware datetimes in the session's zone."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def test_insert_comment_writes_the_row_the_orm_reads_back_on_either_database(any_database_url: str) -> None:
    # On PostgreSQL the INSERT goes to psycopg's cursor directly; on SQLite through SQLAlchemy. Both must
    # store what the ORM (and so every other part of the service) reads.
    autocommit = make_engine(any_database_url, autocommit=True)
    engine = make_engine(any_database_url)
    try:
        with autocommit.connect() as connection:
            first = store.insert_comment(connection, article_id="world/1", author_id="u1", author_name="Zoë 💕",
                                          text="Quotes “like these” — and a NUL-free \\ backslash", task_sent=True)
            reply = store.insert_comment(connection, article_id="world/1", author_id="u2", author_name="R",
                                          text="a reply", parent_id=first.id)
            with pytest.raises(NotFound):
                store.insert_comment(connection, article_id="world/1", author_id="u3", author_name="R",
                                      text="orphan", parent_id=reply.id + 1000)
            with pytest.raises(DomainError):
                store.insert_comment(connection, article_id="world/2", author_id="u3", author_name="R",
                                      text="elsewhere", parent_id=first.id)
        with make_sessions(engine)() as session:  # a different connection: the rows were committed
            rows = {row.id: row for row in session.scalars(select(Comment).order_by(Comment.id))}
            assert set(rows) == {first.id, reply.id}
            stored = rows[first.id]
            assert (stored.article_id, stored.author_name, stored.text, stored.status, stored.revision) == (
                "world/1", "Zoë 💕", first.text, Status.PENDING, 1)
            assert stored.task_sent_at is not None and rows[reply.id].task_sent_at is None
            assert rows[reply.id].parent_id == first.id and stored.hostility is None and stored.spans is None
            assert abs((_utc_naive(stored.created_at) - _utc_naive(first.created_at)).total_seconds()) < 1e-3
            # The ORM's version check works on a row written this way (the worker's next transition).
            transitions.record_score(session, first.id, _result(), POLICY)
            session.commit()
            assert stored.status == Status.PUBLISHED and stored.revision == 2
    finally:
        autocommit.dispose()
        engine.dispose()


def test_a_revert_holds_the_comment_again_and_is_audited(session: Session) -> None:
    alice, _ = create_moderator(session, "alice")
    bob, _ = create_moderator(session, "bob")
    comment = _held(session)
    decision = transitions.decide(session, comment, alice, "reject", labels=["hostility"])
    session.commit()
    revert = transitions.revert_decision(session, comment.id, bob, reason="too hasty", decision_id=decision.id)
    session.commit()
    assert comment.status == Status.HELD and comment.decided_at is None
    assert comment.hold_reasons == ["model:hostility"]  # held for what it was held for before
    assert (revert.action, revert.actor, revert.moderator_id) == ("revert", "bob", bob.id)
    assert revert.reason == f"reverts decision {decision.id} (reject by alice): too hasty"
    # Held again, it can be decided again (and that decision reverted in turn).
    again = transitions.decide(session, comment, alice, "approve")
    session.commit()
    assert comment.status == Status.APPROVED
    transitions.revert_decision(session, comment.id, alice, decision_id=again.id)
    session.commit()
    assert [d.action for d in comment.decisions] == ["reject", "revert", "approve", "revert"]


def test_a_models_auto_reject_can_be_reverted(session: Session) -> None:
    alice, _ = create_moderator(session, "alice")
    comment = _submit(session)
    transitions.record_score(session, comment.id, _result(0.99),
                             Policy(hold={"hostility": 0.5, "slur": 0.4}, reject={"hostility": 0.95}))
    session.commit()
    assert comment.status == Status.REJECTED
    transitions.revert_decision(session, comment.id, alice)
    session.commit()
    assert comment.status == Status.HELD


def test_nothing_to_revert_is_a_conflict_and_changes_nothing(session: Session) -> None:
    alice, _ = create_moderator(session, "alice")
    held, pending = _held(session), _submit(session)
    published = _submit(session)
    transitions.record_score(session, published.id, _result(0.1), POLICY)
    session.commit()
    for comment in (held, pending, published):
        with pytest.raises(Conflict) as conflict:
            transitions.revert_decision(session, comment.id, alice)
        assert conflict.value.status == 409 and "no decision to revert" in conflict.value.message
    with pytest.raises(NotFound):
        transitions.revert_decision(session, 999, alice)
    # An undo of a decision someone has since replaced is refused: it would take back theirs.
    first = transitions.decide(session, held, alice, "reject")
    session.commit()
    transitions.revert_decision(session, held.id, alice)
    transitions.decide(session, held, alice, "approve")
    session.commit()
    with pytest.raises(Conflict) as stale:
        transitions.revert_decision(session, held.id, alice, decision_id=first.id)
    assert stale.value.field == "decision_id"
    session.rollback()
    assert held.status == Status.APPROVED
    assert session.scalars(select(Decision).where(Decision.action == "revert")).all() != []
