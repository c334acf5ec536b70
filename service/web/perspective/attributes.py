"""Perspective's attributes we answer, each from a model of that attribute (docs/integrations.md).

Each head of the classifier that names a Perspective attribute (``Head.perspective`` in classifier/heads.py)
answers that attribute; with the two heads declared today, two attributes are answered:

| attribute       | value     | why this head is a model of it                                            |
|-----------------|-----------|---------------------------------------------------------------------------|
| TOXICITY        | hostility | trained on rude, disrespectful or abusive comments, slurs included (a     |
|                 |           | slur is always also hostile): what Perspective calls toxic                |
| IDENTITY_ATTACK | slur      | trained on hate speech, slurs, identity attacks and dehumanising tropes   |
|                 |           | against groups: Perspective's "negative or hateful comments targeting     |
|                 |           | someone because of their identity"                                        |

Every other attribute Perspective knows (SEVERE_TOXICITY, INSULT, THREAT, PROFANITY, …) is refused as
Perspective refuses an attribute it has no model of for the request's language, never answered with a
copy of one of these numbers. Span scores are the model's explanation spans for the attribute's
head (the words that drove the score), each stretch of text once, not Perspective's per-sentence scores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from classifier import HEAD_SPECS, Score, Span
from service.lifecycle.precision import score_value

SUPPORTED_LANGUAGES = ("en",)
"""The model is trained on English comments only."""

ATTRIBUTES: dict[str, str] = {head.perspective: head.name for head in HEAD_SPECS if head.perspective}
"""Attribute → the head that is a model of it: {"TOXICITY": "hostility", "IDENTITY_ATTACK": "slur"} today."""
SPAN_HEADS: dict[str, tuple[str, ...]] = {
    head.perspective: (head.name, *head.at_least) for head in HEAD_SPECS if head.perspective}
"""Whose explanation spans an attribute shows: its head's, and those of the heads it is never below. TOXICITY's
too come from the slur head: the hostility score is at least the slur score (a slur is hostile), so the words
that drove a slur drove it as well."""

PERSPECTIVE_ATTRIBUTES = frozenset((
    "TOXICITY", "SEVERE_TOXICITY", "IDENTITY_ATTACK", "INSULT", "PROFANITY", "THREAT", "SEXUALLY_EXPLICIT",
    "FLIRTATION", "TOXICITY_EXPERIMENTAL", "SEVERE_TOXICITY_EXPERIMENTAL", "IDENTITY_ATTACK_EXPERIMENTAL",
    "INSULT_EXPERIMENTAL", "PROFANITY_EXPERIMENTAL", "THREAT_EXPERIMENTAL", "ATTACK_ON_AUTHOR",
    "ATTACK_ON_COMMENTER", "INCOHERENT", "INFLAMMATORY", "LIKELY_TO_REJECT", "OBSCENE", "SPAM", "UNSUBSTANTIAL",
    "AFFINITY_EXPERIMENTAL", "COMPASSION_EXPERIMENTAL", "CURIOSITY_EXPERIMENTAL", "NUANCE_EXPERIMENTAL",
    "PERSONAL_STORY_EXPERIMENTAL", "REASONING_EXPERIMENTAL", "RESPECT_EXPERIMENTAL",
))
"""Attributes Google's Perspective defines (production, experimental and New York Times ones): asked for one
we have no model of, we answer as Perspective does for an attribute without a model in the language."""


def probability(value: float) -> dict[str, object]:
    """Perspective's score object, at the service's one score precision (service.lifecycle.precision)."""
    return {"value": score_value(value), "type": "PROBABILITY"}


def head_spans(score: Score, heads: Sequence[str]) -> list[Span]:
    """The explanation spans of ``heads``, one per stretch of text (its highest score), in text order.

    Two heads often name the same word ("idiot" drives hostility and slur); a stretch is shown once.
    """
    best: dict[tuple[int, int], Span] = {}
    for span in score.spans:
        if span.label in heads:
            key = (span.begin, span.end)
            if key not in best or span.score > best[key].score:
                best[key] = span
    return [best[key] for key in sorted(best)]


def attribute_scores(names: Sequence[str], score: Score, spans: bool,
                     thresholds: Mapping[str, float | None]) -> dict[str, dict]:
    """``attributeScores`` of the response for the requested ``names`` (all in ATTRIBUTES).

    An attribute below its requested ``scoreThreshold`` is left out, as Perspective does.
    """
    result: dict[str, dict] = {}
    for name in names:
        head = ATTRIBUTES[name]
        value = score.scores[head]
        threshold = thresholds.get(name)
        if threshold is not None and value < threshold:
            continue
        entry: dict[str, object] = {}
        if spans:
            entry["spanScores"] = [{"begin": span.begin, "end": span.end, "score": probability(span.score)}
                                   for span in head_spans(score, SPAN_HEADS[name])]
        entry["summaryScore"] = probability(value)
        result[name] = entry
    return result
