"""Perspective's attributes in terms of our two scores, hostility and slur (docs/integrations.md, exactly).

| attribute       | value                         | how close                                                    |
|-----------------|-------------------------------|--------------------------------------------------------------|
| TOXICITY        | max(hostility, slur)          | close: rude or hateful, as our two heads together            |
| SEVERE_TOXICITY | max(slur, hostility²)         | approximation: hate counts fully, hostility only when strong |
| INSULT          | hostility                     | approximation: our hostility also covers threats, harassment |
| THREAT          | hostility                     | rough: any hostile comment scores, not only threats           |
| IDENTITY_ATTACK | slur                          | close: slurs, identity attacks, dehumanising tropes          |
| PROFANITY       | word lists, not the model     | severity of the worst listed word: severe 0.95, strong 0.8,  |
|                 |                               | LDNOOBW 0.7, mild 0.5, none 0                                |

Span scores come from the model's explanation spans (the words that drove a score), not from
Perspective's per-sentence scoring; PROFANITY has none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from classifier.scoring import Score
from classifier.words import words

SUPPORTED_LANGUAGES = ("en",)
"""The model is trained on English comments only."""
PROFANITY_SEVERITY = {"severe": 0.95, "strong": 0.8, "mild": 0.5}
LDNOOBW_SCORE = 0.7
MAX_TERM_WORDS = 3


@dataclass(frozen=True)
class Attribute:
    """How one Perspective attribute is computed: a summary from our scores, and which spans it shows."""

    summary: Callable[[Score, float], float]
    span_labels: tuple[str, ...]


ATTRIBUTES: dict[str, Attribute] = {
    "TOXICITY": Attribute(lambda s, p: max(s.hostility, s.slur), ("hostility", "slur")),
    "SEVERE_TOXICITY": Attribute(lambda s, p: max(s.slur, s.hostility ** 2), ("slur",)),
    "INSULT": Attribute(lambda s, p: s.hostility, ("hostility",)),
    "THREAT": Attribute(lambda s, p: s.hostility, ("hostility",)),
    "IDENTITY_ATTACK": Attribute(lambda s, p: s.slur, ("slur",)),
    "PROFANITY": Attribute(lambda s, p: p, ()),
}


def profanity(text: str, lexicon: Mapping[str, Sequence[str]] | None) -> float:
    """The severity of the worst word-list term in ``text`` (0 when none, or when the model has no lists)."""
    if not lexicon:
        return 0.0
    tokens = words(text)
    worst = 0.0
    for size in range(1, MAX_TERM_WORDS + 1):
        for start in range(len(tokens) - size + 1):
            for tag in lexicon.get(" ".join(tokens[start:start + size]), ()):
                if tag == "ldnoobw":
                    worst = max(worst, LDNOOBW_SCORE)
                elif tag.startswith("surge:"):
                    worst = max(worst, PROFANITY_SEVERITY.get(tag.rsplit(":", 1)[1], 0.5))
    return worst


def probability(value: float) -> dict[str, object]:
    """Perspective's score object."""
    return {"value": round(float(value), 4), "type": "PROBABILITY"}


def attribute_scores(names: Sequence[str], score: Score, profanity_value: float, spans: bool,
                     thresholds: Mapping[str, float | None]) -> dict[str, dict]:
    """``attributeScores`` of the response for the requested ``names`` (all supported).

    An attribute below its requested ``scoreThreshold`` is left out, as Perspective does.
    """
    result: dict[str, dict] = {}
    for name in names:
        attribute = ATTRIBUTES[name]
        value = attribute.summary(score, profanity_value)
        threshold = thresholds.get(name)
        if threshold is not None and value < threshold:
            continue
        entry: dict[str, object] = {}
        if spans:
            entry["spanScores"] = [
                {"begin": span.begin, "end": span.end, "score": probability(span.score)}
                for span in score.spans if span.label in attribute.span_labels
            ]
        entry["summaryScore"] = probability(value)
        result[name] = entry
    return result
