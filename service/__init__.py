"""The moderation service, in four layers; each imports only from the layers below it (tests/test_layers.py).

- ``config.py``: the one reader of the environment; every layer receives a Settings from it.
- ``infra/``: infrastructure: database engines, sessions and migrations, the tables, the broker (Celery
  configuration, task names, the scoring outbox and queue). No Flask, and nothing from the layers above.
- ``lifecycle/``: the comment lifecycle and everything it decides: transitions, policy, scoring, the comment
  store, queries, moderators, the model registry, webhooks, retraining. Neither Flask nor Celery.
- ``web/``: the Flask app factory and everything that speaks HTTP: the API, the workbench, the
  Perspective-compatible API, Coral, validation, errors, rate limits, site keys, CORS, the OpenAPI document.
- ``cli/``: the `moderation` command, one module per command group.

The worker (``worker/``) stands beside ``web/``: it uses ``infra`` and ``lifecycle``, never ``web`` or ``cli``.
docs/architecture.md walks through the path of a comment and of a decision.
"""
