"""The HTTP API: one blueprint per area, all JSON, all described by service/web/openapi.py."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint of the API to ``app``."""
    from service.web.api import analyze, comments, docs, health, moderation, moderators

    for module in (comments, analyze, moderation, moderators, health, docs):
        app.register_blueprint(module.blueprint)
