"""Retraining's parts on SQLite with the seed set only: labels, the gate's rule, the pipeline with a
forced activation, jobs, the registry (rollback, log), export and the commands."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from classifier.corpus import SOURCE_MULTIPLIER
from classifier.datasets.examples import Example
from classifier.datasets.loaders import load_labelled_csv
from service.cli import main
from service.config import VARIABLES, load_settings
from service.infra.models import Comment, Decision, ModelEvent, ModelVersion, Moderator, RetrainJob
from service.lifecycle import registry
from service.lifecycle.active_model import register_bundle
from service.lifecycle.assess import ScoreResult
from service.lifecycle.errors import Conflict, NotFound
from service.lifecycle.moderators import create_moderator
from service.lifecycle.policy import Policy
from service.lifecycle.retrain import gate
from service.lifecycle.retrain.jobs import create_job, run_job
from service.lifecycle.retrain.labels import SOURCE, held_back, label_values, moderator_labels, split_labels, write_csv
from service.lifecycle.retrain.pipeline import retrain
from service.lifecycle.store import submit_comment
from service.lifecycle.transitions import decide, record_score

POLICY = Policy(hold={"hostility": 0.5, "slur": 0.5})


def _decided(session: Session, text: str, action: str, labels: list[str] | None = None, who: str = "alice") -> int:
    moderator = session.scalars(select(Moderator).where(Moderator.name == who)).first()
    if moderator is None:
        moderator, _ = create_moderator(session, who)
    comment = submit_comment(session, article_id="a1", author_id="u1", author_name="Reader", text=text)
    record_score(session, comment.id, ScoreResult({"hostility": 0.7, "slur": 0.1}, [],
                                                  {"hostility": 0.0, "slur": 0.0}, "test"), POLICY)
    decide(session, comment, moderator, action, labels=labels)
    session.flush()
    return comment.id


def test_decisions_become_labels() -> None:
    assert label_values("approve", []) == (0, 0)
    assert label_values("reject", ["slur"]) == (1, 1)
    assert label_values("reject", ["hostility"]) == (1, 0)
    assert label_values("reject", []) == (1, None), "a bare reject says nothing about slurs"


def test_only_moderators_count_and_the_newest_decision_wins(session: Session) -> None:
    kept = _decided(session, "you are a blorvak", "reject", ["hostility"])
    approved = _decided(session, "nice piece", "approve")
    # The model's own actions are not labels.
    session.add(Decision(comment_id=approved, actor="model", action="reject", labels=["slur"], reason=""))
    session.commit()
    labels = {label.comment_id: label for label in moderator_labels(session)}
    assert set(labels) == {kept, approved}
    assert (labels[kept].hostility, labels[kept].slur, labels[approved].hostility) == (1, 0, 0)
    assert labels[kept].example().source == SOURCE == "moderators"
    newest = max(label.decision_id for label in labels.values())
    assert [label.comment_id for label in moderator_labels(session, up_to=newest - 1)] == [kept]


def test_the_evaluation_share_is_stable_and_about_right() -> None:
    assert [held_back(i, 0.2) for i in range(50)] == [held_back(i, 0.2) for i in range(50)]
    share = sum(held_back(i, 0.2) for i in range(10_000)) / 10_000
    assert 0.18 < share < 0.22
    assert not any(held_back(i, 0.0) for i in range(1000))


def test_export_writes_a_csv_that_training_reads(session: Session, tmp_path: Path) -> None:
    _decided(session, 'a "quoted", comma\nand newline', "reject", ["slur"])
    _decided(session, "lovely", "approve")
    session.commit()
    path = tmp_path / "labels.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        assert write_csv(moderator_labels(session), stream) == 2
    rows = load_labelled_csv(path, "moderators")
    assert [(row.text, row.label("hostility"), row.label("slur")) for row in rows] == [
        ('a "quoted", comma\nand newline', 1, 1), ("lovely", 0, 0)]


def _figures(agreement: float, brier: float, auc: float = 0.9) -> dict:
    return {"davidson2017": {"n": 10, "roc_auc": auc}, SOURCE: {"n": 5, "agreement": agreement, "brier": brier}}


def test_the_gate_rule() -> None:
    assert gate.judge(_figures(0.9, 0.1), None, 0.01).passed
    assert gate.judge(_figures(0.9, 0.1, auc=0.895), _figures(0.8, 0.2, auc=0.9), 0.01).passed
    worse = gate.judge(_figures(0.9, 0.1, auc=0.85), _figures(0.8, 0.2, auc=0.9), 0.01)
    assert not worse.passed and "davidson2017 roc_auc 0.8500 < 0.9000" in worse.reason
    assert gate.judge(_figures(0.8, 0.1), _figures(0.8, 0.2), 0.01).passed, "equal agreement, lower Brier"
    same = gate.judge(_figures(0.8, 0.2), _figures(0.8, 0.2), 0.01)
    assert not same.passed and "not better" in same.reason
    nothing = gate.judge({"davidson2017": {"n": 10, "roc_auc": 0.9}, SOURCE: {"n": 0}},
                         {"davidson2017": {"n": 10, "roc_auc": 0.9}, SOURCE: {"n": 0}}, 0.01)
    assert not nothing.passed and "no held-back moderator decisions" in nothing.reason


def _held(n: int, agreement: float, brier: float, auc: float = 0.9) -> dict:
    return {"davidson2017": {"n": 10, "roc_auc": auc}, SOURCE: {"n": n, "agreement": agreement, "brier": brier}}


@pytest.mark.parametrize("held", [29, 30])
def test_the_gate_judges_on_moderators_only_from_the_minimum(held: int) -> None:
    # A candidate no better on moderators' decisions and as good on the datasets: refused at the minimum,
    # where the coin-flip comparison counts; judged on the datasets alone (and passed) one below it.
    verdict = gate.judge(_held(held, 0.5, 0.25), _held(held, 0.5, 0.25), 0.01, min_decisions=30)
    if held < 30:
        assert verdict.passed
        assert verdict.reason.startswith("only 29 held-back moderator decisions, below the minimum 30: judged on "
                                         "the evaluation sets (davidson2017) only")
    else:
        assert not verdict.passed and "not better on moderators' decisions" in verdict.reason
        assert "below the minimum" not in verdict.reason
    # Moderators' figure much worse: counted (refused) at the minimum, not counted below it.
    worse = gate.judge(_held(held, 0.2, 0.4), _held(held, 0.9, 0.1), 0.01, min_decisions=30)
    assert worse.passed is (held < 30)
    # Below the minimum the datasets still refuse a worse candidate, and say why.
    dataset_worse = gate.judge(_held(held, 0.9, 0.1, auc=0.8), _held(held, 0.5, 0.2), 0.01, min_decisions=30)
    assert not dataset_worse.passed and "davidson2017 roc_auc 0.8000 < 0.9000" in dataset_worse.reason


def test_below_the_minimum_with_no_dataset_to_compare_is_refused() -> None:
    lone = {SOURCE: {"n": 2, "agreement": 0.5, "brier": 0.25}, "ethos": {"n": 0}}
    verdict = gate.judge(lone, lone, 0.01, min_decisions=30)
    assert not verdict.passed
    assert verdict.reason.startswith("only 2 held-back moderator decisions, below the minimum 30: judged on "
                                     "nothing else either")


def test_threshold_changes_in_words() -> None:
    assert gate.threshold_changes({"hostility": 0.6031, "slur": 0.42}, {"hostility": 0.5724, "slur": 0.4201}) == [
        "hostility hold threshold 0.603 → 0.572", "slur hold threshold 0.420 (unchanged)"]
    assert gate.threshold_changes(None, {"hostility": 0.5, "slur": None}) == [
        "hostility hold threshold 0.500 (no model was active)", "slur hold threshold off (no model was active)"]


def test_moderator_figures() -> None:
    import numpy as np

    labels = np.array([[1, 0], [1, 0], [0, 0], [0, 0]], dtype=float)
    scores = np.array([[0.9, 0.1], [0.2, 0.1], [0.1, 0.1], [0.8, 0.1]])
    figures = gate.moderator_figures(labels, scores, {"hostility": 0.5, "slur": 0.5})
    assert figures["agreement"] == 0.5 and figures["rejected"] == 2 and 0 < figures["brier"] < 1


def test_the_moderator_weight_default_matches_the_classifier() -> None:
    assert load_settings({}).moderator_weight == SOURCE_MULTIPLIER[SOURCE]
    assert "MODERATION_MODERATOR_WEIGHT" in VARIABLES


@pytest.fixture
def settings(tmp_path: Path, database_url: str):
    """Seed set only (an empty datasets folder), models under tmp."""
    (tmp_path / "no-datasets").mkdir()
    return load_settings({"DATABASE_URL": database_url, "MODERATION_VAR_DIR": str(tmp_path / "var"),
                          "MODERATION_DATASETS_DIR": str(tmp_path / "no-datasets")})


def _flipped(examples: list[Example]) -> list[Example]:
    return [Example(e.text, {head: None if label is None else 1 - label for head, label in e.labels.items()},
                    e.source, e.group) for e in examples]


def test_force_activates_a_refused_candidate_and_says_so(sessions: sessionmaker[Session], settings,
                                                          trained_bundle: Path) -> None:
    with sessions() as session:
        base = register_bundle(session, trained_bundle, activate=True).version
        for i in range(30):
            _decided(session, f"the mayor is a total blorvak, number {i}", "reject", ["hostility"])
            _decided(session, f"the mayor is a total professional, number {i}", "approve")
        session.commit()
    forced = retrain(sessions, settings, actor="test", force=True, transform=_flipped)
    assert forced.outcome == "forced" and "worse" in forced.reason and forced.moderator_labels > 0
    with sessions() as session:
        active = session.get(ModelVersion, forced.version)
        assert active.active and active.status_reason.startswith("FORCED")
        event = session.scalars(select(ModelEvent).where(ModelEvent.version == forced.version)).one()
        assert event.action == "force" and "refused" in event.detail
        # Rollback: the forced version gives way to the one active before it.
        target, replaced = registry.rollback(session, "operator")
        session.commit()
        assert (target.version, replaced.version) == (base, forced.version)
        assert session.get(ModelVersion, forced.version).status == "rejected"
        assert [e.action for e in registry.events(session, 2)] == ["rollback", "force"]


def test_rollback_without_history_is_not_found(session: Session, trained_bundle: Path) -> None:
    register_bundle(session, trained_bundle, activate=True)
    with pytest.raises(NotFound):
        registry.rollback(session, "operator")


def test_jobs_are_one_at_a_time_and_idempotent(sessions: sessionmaker[Session], settings) -> None:
    with sessions() as session:
        job = create_job(session, "root")
        session.commit()
        with pytest.raises(Conflict):
            create_job(session, "root")
        job.status = "running"
        session.commit()
    assert run_job(sessions, settings, job.id) == "interrupted", "a redelivered running job is not trained twice"
    assert run_job(sessions, settings, job.id) == "already done"
    assert run_job(sessions, settings, 999) == "missing"
    with sessions() as session:
        assert session.get(RetrainJob, job.id).status == "failed"
        create_job(session, "root")  # the failed one no longer blocks


def test_a_job_without_anything_to_compare_is_rejected(sessions: sessionmaker[Session], settings,
                                                       trained_bundle: Path) -> None:
    with sessions() as session:
        register_bundle(session, trained_bundle, activate=True)
        job = create_job(session, "root")
        session.commit()
    # With no minimum, moderators' decisions always count, and there are none to show the candidate better.
    settings = dataclasses.replace(settings, gate_min_decisions=0)
    assert run_job(sessions, settings, job.id) == "rejected"
    with sessions() as session:
        done = session.get(RetrainJob, job.id)
        assert (done.status, done.progress, done.outcome) == ("succeeded", 1.0, "rejected")
        assert "no held-back moderator decisions" in done.message


def test_split_labels_never_trains_on_the_evaluation_share(session: Session) -> None:
    for i in range(40):
        _decided(session, f"text {i}", "approve")
    training, evaluation = split_labels(moderator_labels(session), 0.2)
    assert evaluation and training
    assert not {label.comment_id for label in training} & {label.comment_id for label in evaluation}


def test_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trained_bundle: Path, capsys) -> None:
    monkeypatch.setenv("MODERATION_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MODERATION_MODELS_DIR", str(tmp_path / "models"))
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("MODERATION_DATASETS_DIR", str(tmp_path / "empty"))
    for name in ("DATABASE_URL", "BROKER_URL", "MODERATION_PRODUCTION"):
        monkeypatch.delenv(name, raising=False)
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["models", "rollback"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    settings = load_settings()
    from service.infra.db import make_engine, make_sessions

    engine = make_engine(settings.database_url)
    with make_sessions(engine)() as session:
        register_bundle(session, trained_bundle, activate=True)
        _decided(session, "you utter blorvak", "reject", ["hostility"])
        _decided(session, "thanks, a fair article", "approve")
        session.commit()
    engine.dispose()
    capsys.readouterr()
    assert main(["labels", "export"]) == 0
    out = capsys.readouterr().out
    assert list(csv.reader(io.StringIO(out)))[1][:3] == ["you utter blorvak", "1", "0"]
    exported = tmp_path / "labels.csv"
    assert main(["labels", "export", "--out", str(exported)]) == 0
    assert main(["train", "--data", str(exported), "--out", str(tmp_path / "trained")]) == 0
    trained = Path(capsys.readouterr().out.strip().splitlines()[-1])
    assert '"moderator_labels": 2' in (trained / "metadata.json").read_text()
    assert main(["train", "--data", str(tmp_path / "missing.csv")]) == 2
    assert main(["models", "list"]) == 0 and trained_bundle.name in capsys.readouterr().out
    # Two decisions (none or one of them held back) are below the gate's minimum: it judges on the seed set's
    # test rows alone, where a model trained on the same rows plus two labels is not worse, and says so.
    assert main(["retrain", "--inline"]) == 0
    err = capsys.readouterr().err
    assert " activated: only " in err and "below the minimum 30: judged on the evaluation sets (seed) only" in err
    assert "\nhostility hold threshold " in err and "\nslur hold threshold " in err, "threshold changes printed"
    assert main(["models", "log"]) == 0
    assert "hostility hold threshold" in capsys.readouterr().out, "and kept in the registry's log"
    assert main(["rescore", "--held"]) == 0
    assert "released 0, still held 0" in capsys.readouterr().err
    assert main(["retrain", "--no-wait"]) == 0
    job_id = int(capsys.readouterr().out.strip())
    queued = [path.read_text() for path in (tmp_path / "broker" / "queue").glob("*.msg")]
    assert len(queued) == 1 and "moderation.retrain" in queued[0], "queued for a worker"
    assert main(["retrain"]) == 2 and f"job {job_id} is already queued" in capsys.readouterr().err


def test_a_reverted_decision_is_no_label_until_decided_again(session: Session) -> None:
    from service.lifecycle.transitions import revert_decision

    alice = session.scalars(select(Moderator)).first() or create_moderator(session, "alice")[0]
    reverted = _decided(session, "you are a blorvak", "reject", ["slur"])
    redecided = _decided(session, "what a take", "reject", ["hostility"])
    kept = _decided(session, "nice piece", "approve")
    revert_decision(session, reverted, alice)
    revert_decision(session, redecided, alice)
    decide(session, session.get(Comment, redecided), alice, "approve")
    session.commit()
    labels = {label.comment_id: label for label in moderator_labels(session)}
    assert set(labels) == {redecided, kept}
    assert (labels[redecided].action, labels[redecided].hostility) == ("approve", 0)
