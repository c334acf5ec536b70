"""Webhooks: sites register URLs to be told, with a signed POST, when a comment is held, published,
approved or rejected.

- ``outbox``: the transitions write one delivery row per subscribed webhook in the transition's transaction;
  the session's commit sends them to the worker (``dispatch_on_commit``, hooked where sessions are made).
- ``registry``: add, list and remove webhooks (the `moderation webhooks` command).
- ``delivery``: signing and one delivery attempt, with retries and backoff recorded on the row.
"""
