"""`moderation models list|activate|ensure|rollback|log`: the model registry from the command line.

Activating and rolling back load the bundle (and check its sha256) before the registry changes; running
workers and web processes switch to the new active version within seconds.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from service.cli.common import UsageError, operator, positive, refusals_as_usage_errors, sessions
from service.config import Settings

BUNDLE_METADATA = "metadata.json"
"""The file that makes a folder a complete bundle (classifier.bundle.METADATA_FILE; a test keeps them equal).
Named here because importing classifier.bundle loads scikit-learn and skops, which `models list` never needs."""


def register(commands: argparse._SubParsersAction, settings: Settings) -> None:
    """Add `moderation models …` to the parser."""
    models = commands.add_parser("models", help="model versions known to the service")
    model_commands = models.add_subparsers(dest="models_command", required=True)
    model_commands.add_parser("list", help="registered versions and bundles on disk").set_defaults(
        handler=lambda args: run_list(settings))
    activate = model_commands.add_parser("activate", help="make a version the one that scores comments")
    activate.add_argument("version")
    activate.set_defaults(handler=lambda args: run_activate(args, settings))
    model_commands.add_parser(
        "ensure", help="if no version is active: activate the newest bundle, or train one (as `run` does)",
    ).set_defaults(handler=lambda args: run_ensure(settings))
    model_commands.add_parser(
        "rollback", help="re-activate the version that was active before the current one",
    ).set_defaults(handler=lambda args: run_rollback(settings))
    log = model_commands.add_parser("log", help="the registry's audit log: activations, rejections, rollbacks")
    log.add_argument("--limit", type=positive, default=20)
    log.set_defaults(handler=lambda args: run_log(args, settings))


def run_list(settings: Settings) -> int:
    """`moderation models list`: registered versions (newest first) with status and provenance."""
    from service.lifecycle.registry import versions

    with sessions(settings)() as session:
        rows = versions(session)
    print(f"{'version':20} {'active':6} {'status':9} {'created':16} {'labels':>6}  {'hostility AUC':>13} "
          f"{'slur AUC':>8}  created by / reason")
    for row in rows:
        metrics = row.metrics or {}
        aucs = [metrics.get(head, {}).get("roc_auc", "-") for head in ("hostility", "slur")]
        note = row.created_by + (f" — {row.status_reason}" if row.status_reason else "")
        print(f"{row.version:20} {'yes' if row.active else '':6} {row.status:9} {row.created_at:%Y-%m-%d %H:%M} "
              f"{row.moderator_labels:>6}  "
              f"{aucs[0]!s:>13} {aucs[1]!s:>8}  {note}")
    known = {row.version for row in rows}
    folder = settings.models_dir
    on_disk = sorted(c.name for c in folder.iterdir() if (c / BUNDLE_METADATA).exists()) if folder.is_dir() else []
    for version in on_disk:
        if version not in known:
            print(f"{version:20} (not registered: `moderation models activate {version}`)")
    if not rows and not on_disk:
        print(f"no models yet: `moderation train` writes one to {folder}", file=sys.stderr)
    return 0


def run_activate(args: argparse.Namespace, settings: Settings) -> int:
    """`moderation models activate VERSION`: registered, or a bundle folder under the models directory."""
    from classifier import BundleError
    from service.infra.db import session_scope
    from service.infra.models import ModelVersion
    from service.lifecycle.active_model import register_bundle

    with session_scope(sessions(settings)) as session:
        registered = session.get(ModelVersion, args.version)
        path = Path(registered.path) if registered else settings.models_dir / args.version
        if not path.is_dir():
            raise UsageError(f"no model {args.version!r}: not registered and not in {settings.models_dir}")
        try:
            register_bundle(session, path, activate=True)
        except BundleError as error:
            raise UsageError(f"refused {args.version}: {error}") from error
    print(f"model {args.version} is active", file=sys.stderr)
    return 0


def ensure_model(settings: Settings) -> str:
    """The active model's version; registers the newest bundle, or trains one, when none is active."""
    from classifier import TrainingSources, latest_bundle, train_with_progress
    from service.infra.db import make_engine, make_sessions, session_scope
    from service.lifecycle.active_model import register_bundle
    from service.lifecycle.registry import active_version

    engine = make_engine(settings.database_url)
    try:
        factory = make_sessions(engine)
        with factory() as session:
            version = active_version(session)
            if version is not None:
                return version.version
        path = latest_bundle(settings.models_dir)
        if path is None:
            print(f"no model yet: training the default model into {settings.models_dir} "
                  f"from {settings.datasets_dir}", file=sys.stderr)
            sources = TrainingSources(settings.datasets_dir, settings.seed_path, settings.hate_symbols_path)
            path = train_with_progress(sources, settings.models_dir, settings.encoder_cache_dir).path
        with session_scope(factory) as session:
            return register_bundle(session, path, activate=True).version
    finally:
        engine.dispose()


def run_ensure(settings: Settings) -> int:
    """`moderation models ensure`: make sure some model is active (a one-shot step in docker-compose.yml)."""
    print(f"model {ensure_model(settings)} is active", file=sys.stderr)
    return 0


def run_rollback(settings: Settings) -> int:
    """`moderation models rollback`: the previously active version scores again (workers switch in seconds)."""
    from classifier import BundleError
    from service.infra.db import session_scope
    from service.lifecycle.registry import rollback

    try:
        with refusals_as_usage_errors(), session_scope(sessions(settings)) as session:
            target, replaced = rollback(session, operator())
            names = target.version, replaced.version if replaced else None
    except BundleError as error:
        raise UsageError(f"cannot roll back: {error}") from error
    print(f"model {names[0]} is active again (rolled back from {names[1]})", file=sys.stderr)
    return 0


def run_log(args: argparse.Namespace, settings: Settings) -> int:
    """`moderation models log`: the registry's audit log, newest first."""
    from service.lifecycle.registry import events

    with sessions(settings)() as session:
        for event in events(session, args.limit):
            print(f"{event.created_at:%Y-%m-%d %H:%M:%S}  {event.action:8} {event.version:20} {event.actor}: "
                  f"{event.detail}")
    return 0
