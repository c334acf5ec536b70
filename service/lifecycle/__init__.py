"""The comment lifecycle and the decisions around it. Imports service.config, service.infra and the classifier;
neither Flask nor Celery (a test holds it to that). Functions take a session and never commit.

- ``transitions``: every state change of a comment (scored, reported, decided, rescored).
- ``store``: writing a new comment, reading one back; ``queries``: lists a page at a time.
- ``policy``: thresholds in force; ``assess``: scoring a text against them; ``errors``: what is refused.
- ``moderators``: accounts and credentials; ``registry`` and ``active_model``: model versions, the loaded one.
- ``rescore``: held comments under a newer model; ``webhooks/``: events, their outbox and delivery;
  ``retrain/``: moderators' labels, the evaluation gate, the retraining pipeline and its jobs.
"""
