"""Retraining from moderators' decisions: their labels, the evaluation gate, the pipeline and its jobs.

- ``labels``: decisions as training labels (and the CSV export), with a stable held-back share.
- ``gate``: the fixed evaluation sets and the rule that decides whether a candidate goes live.
- ``pipeline``: load, train, save, register, judge, activate or reject.
- ``jobs``: a retraining request as a database row the worker's task advances (progress for the API).
"""
