"""What scoring learned about a comment, in the form the transitions store it.

No Flask or Celery here: the worker, rescoring and the web app's synchronous endpoints all score here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ScoreResult:
    """What the worker learned about a comment."""

    hostility: float
    slur: float
    spans: Sequence[Mapping[str, object]]
    name_hostility: float
    name_slur: float
    model_version: str
