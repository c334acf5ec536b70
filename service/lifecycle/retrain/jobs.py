"""A retraining request as a row (RetrainJob) that the worker's task advances; the API and CLI read it.

Celery keeps no task results here (the database is the record), so progress, outcome and errors are
written to the job row in short transactions of their own. One job at a time: a request while another
is queued or running is a Conflict naming it (unless that one is older than STALE_AFTER, i.e. lost).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from service.config import Settings
from service.infra.models import RetrainJob, utcnow
from service.lifecycle.errors import Conflict, NotFound
from service.lifecycle.retrain.pipeline import STEPS, retrain

STALE_AFTER = timedelta(hours=2)
"""A job queued or running longer than this is taken for lost (a worker died) and no longer blocks."""
UNFINISHED = ("queued", "running")

log = logging.getLogger("moderation.retrain")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def create_job(session: Session, requested_by: str, force: bool = False) -> RetrainJob:
    """A queued job; Conflict while another is queued or running. The caller commits, then enqueues."""
    for other in session.scalars(select(RetrainJob).where(RetrainJob.status.in_(UNFINISHED))):
        if utcnow() - _aware(other.created_at) < STALE_AFTER:
            raise Conflict(f"retraining job {other.id} is already {other.status} (requested by "
                           f"{other.requested_by})", "job")
    job = RetrainJob(status="queued", force=force, requested_by=requested_by, stage="waiting for a worker",
                     progress=0.0, message="", created_at=utcnow())
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, job_id: int) -> RetrainJob:
    """A job, or NotFound."""
    job = session.get(RetrainJob, job_id)
    if job is None:
        raise NotFound(f"no retraining job {job_id}", "job_id")
    return job


def latest_job(session: Session) -> RetrainJob | None:
    """The newest job (for the overview page)."""
    return session.scalars(select(RetrainJob).order_by(RetrainJob.id.desc()).limit(1)).first()


def _update(sessions: sessionmaker[Session], job_id: int, **values: object) -> None:
    with sessions() as session:
        job = session.get(RetrainJob, job_id)
        if job is not None:
            for key, value in values.items():
                setattr(job, key, value)
            session.commit()


def run_job(sessions: sessionmaker[Session], settings: Settings, job_id: int) -> str:
    """Run a queued job to its end (idempotent: a job past queued is left alone); returns what happened.

    A redelivered message for a job that was running means the worker running it died: the job is
    marked failed rather than trained twice, and the operator can ask again.
    """
    with sessions() as session:
        job = session.get(RetrainJob, job_id)
        if job is None:
            return "missing"
        if job.status == "running":
            job.status, job.finished_at = "failed", utcnow()
            job.message = "interrupted: the worker running it stopped; request a new retraining"
            session.commit()
            return "interrupted"
        if job.status != "queued":
            return "already done"
        job.status, job.started_at, job.stage = "running", utcnow(), "starting"
        session.commit()
        actor, force = f"retrain by {job.requested_by}", job.force
    done = [0]

    def progress(stage: str) -> None:
        done[0] += 1
        _update(sessions, job_id, stage=stage[:200], progress=round(min(done[0], STEPS) / STEPS, 3))

    try:
        outcome = retrain(sessions, settings, actor=actor, force=force, progress=progress)
    except Exception as error:  # any failure ends the job visibly instead of leaving it "running"
        log.exception("retraining job %s failed", job_id)
        message = f"{type(error).__name__}: {error}"[:2000]
        _update(sessions, job_id, status="failed", finished_at=utcnow(), message=message)
        return "failed"
    # The log says what the job row says: the verdict and, when it went live, every hold threshold it moved.
    log.info("retraining job %s: %s", job_id, outcome.summary().replace("\n", "; "))
    _update(sessions, job_id, status="succeeded", finished_at=utcnow(), progress=1.0, stage="done",
            version=outcome.version, outcome=outcome.outcome, message=outcome.summary()[:2000])
    return outcome.outcome
