"""The active model, loaded once per process and swapped when the registry's active version changes.

The registry (table model_versions) says which bundle is active and its sha256; a bundle whose file
does not match is refused and the previous model stays in use. A swap builds the new scorer
completely before replacing the reference, so no comment is ever scored with a half-loaded model.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from classifier import BundleError, Scorer, load_bundle
from service.infra.models import ModelVersion
from service.lifecycle import registry

log = logging.getLogger("moderation.model")

CHECK_INTERVAL_SECONDS = 2.0
"""How often the registry is asked which version is active (hot swap within a few seconds)."""


class NoActiveModel(Exception):
    """No version is active, or the active one cannot be loaded (the reason says which)."""


def register_bundle(session: Session, path: Path, activate: bool = False, actor: str = "operator") -> ModelVersion:
    """Add a bundle folder to the registry (idempotent by version); optionally make it the active one."""
    bundle = load_bundle(path)
    version = session.get(ModelVersion, bundle.version)
    if version is None:
        version = registry.add_version(session, path, created_by=actor, bundle=bundle)
    if activate and not version.active:
        registry.activate(session, version, actor)
    session.flush()
    return version


class ActiveModel:
    """Thread-safe holder of the scorer for the registry's active version."""

    def __init__(self, sessions: sessionmaker[Session], encoder_cache: Path | None = None) -> None:
        self._sessions = sessions
        self._encoder_cache = encoder_cache
        self._lock = threading.Lock()
        self._scorer: Scorer | None = None
        self._checked = 0.0
        self.last_error: str | None = None

    def scorer(self) -> Scorer:
        """The scorer to use now; reloads if the active version changed since the last check."""
        now = time.monotonic()
        if self._scorer is None or now - self._checked >= CHECK_INTERVAL_SECONDS:
            with self._lock:
                if self._scorer is None or now - self._checked >= CHECK_INTERVAL_SECONDS:
                    self._refresh()
                    self._checked = now
        if self._scorer is None:
            raise NoActiveModel(self.last_error or "no active model")
        return self._scorer

    def _refresh(self) -> None:
        with self._sessions() as session:
            version = registry.active_version(session)
            if version is None:
                self.last_error = "no model version is active; run `moderation train` or `moderation run`"
                return
            if self._scorer is not None and self._scorer.version == version.version:
                return
            try:
                bundle = load_bundle(Path(version.path), expected_sha256=version.sha256,
                                     cache_dir=self._encoder_cache)
            except BundleError as error:
                # Keep scoring with the last good model (or none); never with a file that fails its check.
                message = f"refused model {version.version}: {error}"
                if message != self.last_error:  # once per problem, not every CHECK_INTERVAL_SECONDS
                    kept = f"still scoring with {self._scorer.version}" if self._scorer else "no model to score with"
                    log.warning("%s; %s", message, kept)
                self.last_error = message
                return
            scorer = Scorer(bundle, thresholds=version.thresholds)
            self._scorer = scorer  # one reference swap: readers see the old or the new, never half of one
            self.last_error = None
