"""The baseline for bench/pipeline.py: a bare Flask app under the same gunicorn settings as `moderation web`.

It parses the same JSON body and answers 202 with a small JSON object, but touches no database and no
broker, so the difference to POST /api/v1/comments is what validation, the INSERT and the enqueue cost.
"""

from __future__ import annotations

from flask import Flask, jsonify, request


def create_app() -> Flask:
    """A one-route Flask app (gunicorn: ``_hello_app:create_app()``)."""
    app = Flask(__name__)

    @app.post("/hello")
    def hello():
        body = request.get_json(force=True)
        return jsonify({"id": 1, "status": "pending", "text": body.get("text", "")}), 202

    return app
