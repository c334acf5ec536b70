"""The model registry: which versions exist, what they were trained on, and which one scores comments.

Every change of the active version goes through :func:`activate` (one active row, the others retired)
and leaves a row in the registry's audit log (ModelEvent). Functions take a session and never commit.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.infra.models import ModelEvent, ModelVersion, utcnow
from service.lifecycle.errors import Conflict, NotFound

if TYPE_CHECKING:
    from classifier import Bundle

# load_bundle is imported where a bundle is loaded: it brings scikit-learn and skops, and reading the
# registry (`moderation models list|log`) must not wait for them.


def record_event(session: Session, version: str, action: str, actor: str, detail: str = "") -> ModelEvent:
    """Append one row to the registry's audit log."""
    event = ModelEvent(version=version, action=action, actor=actor, detail=detail[:2000], created_at=utcnow())
    session.add(event)
    return event


def add_version(session: Session, path: Path, *, created_by: str, status: str = "candidate",
                training_data: dict | None = None, moderator_labels: int = 0,
                newest_decision_id: int | None = None, bundle: Bundle | None = None) -> ModelVersion:
    """Register a bundle folder (its sha256 read from its metadata) as a new, inactive version."""
    from classifier import load_bundle

    bundle = bundle or load_bundle(path)
    metadata = bundle.metadata
    version = ModelVersion(
        version=bundle.version, path=str(Path(path).resolve()), sha256=metadata["sha256"],
        thresholds=bundle.thresholds, metrics=metadata.get("metrics", {}), active=False, status=status,
        status_reason="", created_by=created_by,
        training_data=training_data if training_data is not None else {
            "datasets": metadata.get("datasets", {}), "seed_rows": metadata.get("seed_rows", 0)},
        moderator_labels=moderator_labels, newest_decision_id=newest_decision_id, evaluation={},
        created_at=utcnow(),
    )
    session.add(version)
    session.flush()
    return version


def activate(session: Session, version: ModelVersion, actor: str, action: str = "activate",
             detail: str = "") -> ModelVersion:
    """Make ``version`` the one active version; the previous one is retired. Logged as ``action``."""
    for other in session.scalars(select(ModelVersion).where(ModelVersion.active.is_(True))):
        if other.version != version.version:
            other.active = False
            other.status = "retired"
    version.active = True
    version.status = "active"
    version.status_reason = detail[:1000]
    version.activated_at = utcnow()
    record_event(session, version.version, action, actor, detail)
    session.flush()
    return version


def reject(session: Session, version: ModelVersion, reason: str, actor: str) -> ModelVersion:
    """Keep ``version`` in the registry as rejected, with the reason (it never scores a comment)."""
    version.status = "rejected"
    version.status_reason = reason[:1000]
    record_event(session, version.version, "reject", actor, reason)
    session.flush()
    return version


def active_version(session: Session) -> ModelVersion | None:
    """The registry's active version, if any."""
    return session.scalars(select(ModelVersion).where(ModelVersion.active.is_(True))).first()


def previous_version(session: Session) -> ModelVersion | None:
    """The version that was active before the current one: the latest activated among the retired ones."""
    return session.scalars(
        select(ModelVersion)
        .where(ModelVersion.active.is_(False), ModelVersion.status == "retired",
               ModelVersion.activated_at.is_not(None))
        .order_by(ModelVersion.activated_at.desc())
        .limit(1)
    ).first()


def rollback(session: Session, actor: str) -> tuple[ModelVersion, ModelVersion | None]:
    """Re-activate the previously active version; returns (now active, the one it replaced).

    The bundle is loaded and its sha256 checked against the registry before anything changes, so a
    rollback never points the workers at a file they would refuse. The version rolled back from is
    marked rejected ("rolled back"), so a second rollback goes further back instead of flip-flopping.
    """
    current = session.scalars(select(ModelVersion).where(ModelVersion.active.is_(True))).first()
    target = previous_version(session)
    if target is None:
        raise NotFound("no earlier active version to roll back to", "version")
    from classifier import load_bundle

    load_bundle(Path(target.path), expected_sha256=target.sha256)
    activate(session, target, actor, action="rollback",
             detail=f"rolled back from {current.version}" if current else "rolled back")
    if current is not None:
        current.status = "rejected"
        current.status_reason = f"rolled back by {actor}"
    session.flush()
    return target, current


def get_version(session: Session, name: str) -> ModelVersion:
    """A registered version, or NotFound."""
    found = session.get(ModelVersion, name)
    if found is None:
        raise NotFound(f"no model version {name!r}", "version")
    return found


def versions(session: Session) -> list[ModelVersion]:
    """Every registered version, newest first."""
    return list(session.scalars(select(ModelVersion).order_by(ModelVersion.created_at.desc(),
                                                              ModelVersion.version.desc())))


def events(session: Session, limit: int = 50) -> list[ModelEvent]:
    """The registry's audit log, newest first."""
    return list(session.scalars(select(ModelEvent).order_by(ModelEvent.id.desc()).limit(limit)))


def ensure_not_active(version: ModelVersion) -> None:
    """Refuse an operation meant for an inactive version."""
    if version.active:
        raise Conflict(f"model {version.version} is already active", "version")
