"""Readers' reports as a policy, with only a session: distinct reporters, a high score, a moderator's report."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.config import load_settings
from service.infra.models import Comment, Report, Status
from service.lifecycle import store, transitions
from service.lifecycle.assess import ScoreResult
from service.lifecycle.moderators import create_moderator
from service.lifecycle.policy import Policy, policy_for
from service.lifecycle.reporters import Reporter

POLICY = Policy(hold={"hostility": 0.6, "slur": 0.4}, reports_to_hold=3, report_score_fraction=0.5)
""""High" here: hostility at or over 0.3, or slur at or over 0.2."""


def _published(session: Session, hostility: float = 0.08, slur: float = 0.0) -> Comment:
    comment = store.submit_comment(session, article_id="a1", author_id="u1", author_name="Reader", text="hello")
    transitions.record_score(session, comment.id, ScoreResult({"hostility": hostility, "slur": slur}, [],
                                                              {"hostility": 0.0, "slur": 0.0}, "v1"), POLICY)
    session.commit()
    assert comment.status == Status.PUBLISHED
    return comment


def _report(session: Session, comment: Comment, reporter: Reporter, reason: str = "spam") -> Comment:
    transitions.report_comment(session, comment, reason=reason, reporter=reporter, policy=POLICY)
    session.commit()
    return comment


def test_the_rule_names_why_reports_hold() -> None:
    clean = {"hostility": 0.08, "slur": 0.0}
    assert POLICY.reports_hold(clean, 0, trusted=False) is None
    assert POLICY.reports_hold(clean, 2, trusted=False) is None
    assert POLICY.reports_hold(clean, 3, trusted=False) == "reporters"
    assert POLICY.reports_hold(clean, 1, trusted=True) == "moderator"
    assert POLICY.reports_hold({"hostility": 0.3, "slur": 0.0}, 1, trusted=False) == "score"  # at 0.5 × 0.6
    assert POLICY.reports_hold({"hostility": 0.299, "slur": 0.0}, 1, trusted=False) is None
    assert POLICY.reports_hold({"hostility": 0.0, "slur": 0.2}, 1, trusted=False) == "score"  # at 0.5 × 0.4
    # Not scored yet, or no threshold known for the category: never "high".
    assert POLICY.reports_hold({"hostility": None, "slur": None}, 1, trusted=False) is None
    assert Policy(hold={"hostility": None}).reports_hold({"hostility": 0.99, "slur": 0.0}, 1, False) is None
    # 0: every report holds (the behaviour before the rule).
    assert Policy(hold={"hostility": 0.6}, report_score_fraction=0.0).reports_hold(clean, 1, False) == "score"


def test_the_settings_reach_the_policy() -> None:
    settings = load_settings({"MODERATION_REPORTS_TO_HOLD": "5", "MODERATION_REPORT_SCORE_FRACTION": "0.25"})
    policy = policy_for(settings, {"hostility": 0.6, "slur": 0.4})
    assert (policy.reports_to_hold, policy.report_score_fraction) == (5, 0.25)
    defaults = policy_for(load_settings({}), {})
    assert (defaults.reports_to_hold, defaults.report_score_fraction) == (3, 0.5)


def test_one_anonymous_report_leaves_a_clean_comment_published(session: Session) -> None:
    comment = _report(session, _published(session), Reporter.address("203.0.113.9", "secret"))
    assert comment.status == Status.PUBLISHED and comment.hold_reasons == [] and comment.report_count == 1


def test_distinct_reporters_hold_and_the_same_reporter_counts_once(session: Session) -> None:
    comment = _published(session)
    _report(session, comment, Reporter.reader("r1"))
    _report(session, comment, Reporter.reader("r1"), reason="harassment")  # the same reader again
    _report(session, comment, Reporter.address("203.0.113.9", "secret"))
    _report(session, comment, Reporter.address("203.0.113.9", "secret"))  # the same address again
    assert comment.status == Status.PUBLISHED and comment.report_count == 4, "two reporters so far"
    _report(session, comment, Reporter.reader("r2"))
    assert comment.status == Status.HELD and comment.hold_reasons == ["report"] and comment.report_count == 5
    stored = list(session.scalars(select(Report).order_by(Report.id)))
    assert [r.reason for r in stored] == ["spam", "harassment", "spam", "spam", "spam"], "every report is kept"
    assert [r.reporter_id for r in stored] == ["r1", "r1", None, None, "r2"]
    assert stored[2].reporter_key.startswith("address:") and "203.0.113.9" not in stored[2].reporter_key


def test_one_report_holds_a_comment_that_already_scored_high(session: Session) -> None:
    sharp = _report(session, _published(session, hostility=0.35), Reporter.address("203.0.113.9", "s"))
    assert sharp.status == Status.HELD and sharp.hold_reasons == ["report"]
    slurish = _report(session, _published(session, hostility=0.0, slur=0.25), Reporter.address("203.0.113.9", "s"))
    assert slurish.status == Status.HELD


def test_a_moderators_report_holds_at_once(session: Session) -> None:
    moderator, _ = create_moderator(session, "alice")
    comment = _report(session, _published(session), Reporter.moderator(moderator))
    assert comment.status == Status.HELD and comment.hold_reasons == ["report"]
    assert session.scalars(select(Report.reporter_key)).one() == f"moderator:{moderator.id}"


def test_reports_on_a_pending_comment_are_judged_when_its_scores_arrive(session: Session) -> None:
    comment = store.submit_comment(session, article_id="a1", author_id="u1", author_name="Reader", text="hello")
    session.commit()
    for reader in ("r1", "r2"):
        _report(session, comment, Reporter.reader(reader))
    assert comment.status == Status.PENDING
    transitions.record_score(session, comment.id, ScoreResult({"hostility": 0.08, "slur": 0.0}, [],
                                                              {"hostility": 0.0, "slur": 0.0}, "v1"), POLICY)
    assert comment.status == Status.PUBLISHED, "two reporters are not three"
    other = store.submit_comment(session, article_id="a1", author_id="u1", author_name="Reader", text="hello")
    session.commit()
    _report(session, other, Reporter.reader("r1"))
    transitions.record_score(session, other.id, ScoreResult({"hostility": 0.35, "slur": 0.0}, [],
                                                            {"hostility": 0.0, "slur": 0.0}, "v1"), POLICY)
    assert other.status == Status.HELD and other.hold_reasons == ["report"], "one report on a high score"


def test_a_held_comment_gains_the_report_reason_by_the_same_rule(session: Session) -> None:
    comment = store.submit_comment(session, article_id="a1", author_id="u1", author_name="Reader", text="hello")
    transitions.record_score(session, comment.id, ScoreResult({"hostility": 0.0, "slur": 0.0}, [],
                                                              {"hostility": 0.95, "slur": 0.0}, "v1"), POLICY)
    session.commit()
    assert comment.hold_reasons == ["name"]
    _report(session, comment, Reporter.reader("r1"))
    assert comment.hold_reasons == ["name"], "one report on a clean text is not a reason"
    _report(session, comment, Reporter.reader("r2"))
    _report(session, comment, Reporter.reader("r3"))
    assert comment.hold_reasons == ["name", "report"]


def test_reports_from_before_reporters_were_recorded_count_once_each(session: Session) -> None:
    comment = _published(session)
    for count in (1, 2, 3):
        _report(session, comment, Reporter())
        assert comment.status == (Status.HELD if count == 3 else Status.PUBLISHED)
