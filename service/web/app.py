"""The app factory. Nothing is built at import time: each call makes its own engine, broker client and model.

Typical use::

    app = create_app({"DATABASE_URL": "sqlite:////tmp/m.sqlite3", "BROKER_URL": "filesystem://"})

``config`` takes the same variable names as the environment (see service/config.py) and wins over it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from flask import Flask

from service.config import load_settings
from service.infra.broker import make_celery, send_delivery
from service.infra.db import make_engine, make_sessions
from service.infra.scoring_queue import scoring_queue
from service.lifecycle.active_model import ActiveModel
from service.lifecycle.policy import check_thresholds
from service.lifecycle.webhooks.outbox import dispatch_on_commit
from service.web import body, coral, cors, limits, perspective, site_keys
from service.web.api import register_blueprints
from service.web.api.models import init_app as init_models_api
from service.web.context import EXTENSION, Services, close_db_session
from service.web.errors import register_error_handlers
from service.web.logs import configure_logging, init_request_log
from service.web.moderate import init_app as init_workbench


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """A configured Flask app: services in ``app.extensions["moderation"]``, the API, JSON errors and logs.

    The database schema is not created here; run ``service.infra.db.upgrade(url)`` (``moderation db upgrade``).
    """
    settings = load_settings(config)
    check_thresholds(settings)  # a MODERATION_HOLD_<HEAD> naming no head fails here, not at the first comment
    configure_logging()
    # No app-wide static folder: every route outside /moderate is part of the documented API (a test holds it
    # to that); the workbench serves its own CSS and JS from its blueprint.
    app = Flask(__name__, static_folder=None)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
    )

    engine = make_engine(settings.database_url)
    celery = make_celery(settings)
    # Every commit of a request's session sends the webhook events its transitions wrote (after the commit).
    sessions = dispatch_on_commit(make_sessions(engine), partial(send_delivery, celery))
    app.extensions[EXTENSION] = Services(
        settings=settings, engine=engine, autocommit=make_engine(settings.database_url, autocommit=True),
        sessions=sessions, celery=celery, model=ActiveModel(sessions, settings.encoder_cache_dir),
        scoring=scoring_queue(settings, celery, sessions),
    )
    app.teardown_appcontext(close_db_session)
    register_error_handlers(app)
    init_request_log(app)
    body.init_app(app)  # strict JSON for get_json; the body limit on chunked bodies, before any hook reads one
    register_blueprints(app)
    init_models_api(app)
    init_workbench(app)
    perspective.init_app(app)
    coral.init_app(app)
    # What the views declare (site keys, rate limits), read once every blueprint is registered.
    cors.init_app(app, settings.cors_origins)  # before the key check: a browser's preflight carries no key
    site_keys.init_app(app)
    limits.init_app(app, settings)  # last: it wraps the views of the routes registered above
    return app
