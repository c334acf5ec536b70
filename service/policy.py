"""Which thresholds are in force: the operator's configuration first, the model's own choice otherwise.

Both the web app (decisions, the analyze endpoint) and the worker (record_score) build their Policy
here, so a comment is judged by the same numbers wherever it is judged.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from service.active_model import active_version
from service.config import Settings
from service.domain import Policy
from service.models import ModelVersion


def policy_for(settings: Settings, thresholds: Mapping[str, float]) -> Policy:
    """The Policy for ``settings`` given a model's ``thresholds`` (e.g. ``Scorer.thresholds``).

    A hold threshold set in the configuration wins over the model's (``is None``, not falsiness: 0.0
    is a legitimate "hold everything"); auto-reject is off unless configured.
    """
    hold = {
        "hostility": settings.hold_hostility if settings.hold_hostility is not None else thresholds.get("hostility"),
        "slur": settings.hold_slur if settings.hold_slur is not None else thresholds.get("slur"),
    }
    reject = {"hostility": settings.reject_hostility, "slur": settings.reject_slur}
    return Policy(hold=hold, reject=reject, hold_name=settings.hold_name)


def registry_thresholds(session: Session, version: str | None = None) -> dict[str, float]:
    """Thresholds recorded in the registry for ``version`` (falling back to the active version), or ``{}``.

    Lets a decision be judged by the thresholds of the model that scored the comment without loading
    that model's bundle.
    """
    found = session.get(ModelVersion, version) if version else None
    found = found or active_version(session)
    return dict(found.thresholds) if found is not None else {}
