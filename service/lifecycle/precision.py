"""The one precision every score leaves the service with: API answers, webhooks, Coral, Perspective.

Scores are stored as computed (the policy compares the exact values with its thresholds); only what a
reader, a site or a webhook receiver is shown is rounded, always here, always to SCORE_DIGITS decimals,
so the same comment shows the same number wherever it is read. The classifier's own JSON
(``Score.as_dict``, ``Span.as_dict``) rounds to the same number of decimals.
"""

from __future__ import annotations

SCORE_DIGITS = 4
"""Decimals of every score the service answers with (docs/api.md, "Scores")."""


def score_value(value: float | None) -> float | None:
    """``value`` rounded to SCORE_DIGITS decimals (round half to even, Python's ``round``); None stays None."""
    return None if value is None else round(float(value), SCORE_DIGITS)
