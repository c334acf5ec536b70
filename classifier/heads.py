"""The classifier's heads, declared once: what each one scores and what it implies for the others.

Everything that lists heads derives from ``HEAD_SPECS``: the labels an ``Example`` may carry, the
model's columns (in this order), the policy's categories and hold thresholds, the explanations and the
workbench's legend, the API's and webhooks' score objects, the OpenAPI schemas and the
Perspective-compatible attribute map. Adding a head is: declare it here, map the datasets' labels to
it, train.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Head:
    """One score the classifier gives every comment."""

    name: str
    """The score's key everywhere (JSON, the database, settings: ``MODERATION_HOLD_<NAME>``)."""
    meaning: str
    """What a high score means, in words for the people who read it (docs, the workbench's legend)."""
    perspective: str | None = None
    """The Perspective API attribute answered from this head, if any."""
    at_least: tuple[str, ...] = ()
    """Heads this one is never scored below, nor labelled below in training: a slur is always hostile."""
    hold_budget: float = 0.02
    """Share of ordinary clean comments the default hold threshold may hold (`evaluation.hold_thresholds`)."""


HEAD_SPECS: tuple[Head, ...] = (
    Head("hostility", "insults, threats, harassment, abusive profanity aimed at someone", "TOXICITY",
         at_least=("slur",)),
    Head("slur", "hate speech, identity attacks, slurs, dehumanising tropes", "IDENTITY_ATTACK", hold_budget=0.01),
)
"""Every head, in the model's column order."""

HEADS: tuple[str, ...] = tuple(head.name for head in HEAD_SPECS)
"""The heads' names, in the model's column order."""


def head(name: str) -> Head:
    """The declaration of head ``name``; ``KeyError`` for a name that is not a head."""
    for spec in HEAD_SPECS:
        if spec.name == name:
            return spec
    raise KeyError(name)
