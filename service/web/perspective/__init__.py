"""A Perspective-compatible API: sites wired to Google's Perspective switch by changing one URL.

``POST /v1alpha1/comments:analyze`` and ``:suggestscore`` in Perspective's formats, and the discovery
document Google's client needs. See docs/integrations.md for the attribute mapping.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the Perspective-compatible endpoints on ``app``."""
    from service.web.perspective.views import blueprint

    app.register_blueprint(blueprint)
