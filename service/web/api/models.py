"""The model registry over HTTP: versions, the registry's log, and retraining jobs.

Every route needs a moderator's bearer token; starting a retraining needs the admin role. The job runs
on a worker; its progress is read back from its row (GET …/retrain/<id>).
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify

from service.infra.broker import send_retrain
from service.infra.models import RetrainJob
from service.lifecycle import registry
from service.lifecycle.retrain.jobs import create_job, get_job
from service.lifecycle.serialize import job_json, model_event_json, version_json
from service.web.api.credentials import require_moderator
from service.web.api.moderation import current_moderator
from service.web.context import db_session, services
from service.web.errors import ApiError
from service.web.validation import COMMENT_ID_MAX, check_fields, invalid, json_object

blueprint = Blueprint("models", __name__, url_prefix="/api/v1/moderation/models")
blueprint.before_request(require_moderator)


@blueprint.get("")
def list_versions() -> Response:
    """Every registered version, newest first, and the registry's latest log entries."""
    session = db_session()
    return jsonify({"items": [version_json(v) for v in registry.versions(session)],
                    "events": [model_event_json(e) for e in registry.events(session, 50)]})


@blueprint.post("/retrain")
def start_retraining() -> tuple[Response, int]:
    """Queue a retraining job (admins only); 409 while another job is queued or running."""
    moderator = current_moderator()
    if moderator.role != "admin":
        raise ApiError(403, "forbidden", "retraining needs the admin role")
    body = json_object(allow_empty=True)
    check_fields(body, ("force",))
    force = body.get("force", False)
    if not isinstance(force, bool):
        raise invalid("invalid_type", "force must be true or false", "force")
    session = db_session()
    job = create_job(session, moderator.name, force=force)
    session.commit()
    # Committed first, then sent: the task never runs before its row exists.
    try:
        send_retrain(services().celery, job.id)
    except Exception as error:
        job.status, job.message = "failed", f"the broker did not take the task: {error}"[:2000]
        session.commit()
        raise ApiError(503, "unavailable", "the broker is not reachable; try again") from error
    return jsonify(job_json(job)), 202


# 32-bit ids, like comments: a larger number is a 404, never an integer overflow in the database (a 500).
@blueprint.get(f"/retrain/<int(min=1, max={COMMENT_ID_MAX}):job_id>")
def retraining_status(job_id: int) -> Response:
    """A retraining job's status, stage, progress and, once done, the version and its fate."""
    return jsonify(job_json(get_job(db_session(), job_id)))


def latest_retraining() -> RetrainJob | None:
    """The newest retraining job (a template global: the workbench overview shows its status)."""
    from service.lifecycle.retrain.jobs import latest_job

    return latest_job(db_session())


def init_app(app: Flask) -> None:
    """Register the registry's routes and the overview's `latest_retraining()` on ``app``."""
    app.register_blueprint(blueprint)
    app.add_template_global(latest_retraining)
