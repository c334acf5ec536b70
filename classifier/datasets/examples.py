"""The one record every dataset loader produces: a text with (possibly unknown) labels for both heads."""

from __future__ import annotations

from dataclasses import dataclass

from classifier.heads import HEADS  # noqa: F401  (re-exported: the loaders' and the model's head order)


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled text.

    A label of ``None`` means the source says nothing about that head; the row is then left out of that
    head's training and evaluation instead of being guessed (guessing "0" would teach the model that,
    say, every Stormfront hate sentence is not hostile).
    """

    text: str
    hostility: int | None
    slur: int | None
    source: str
    group: str
    """Rows sharing a group (thread, post, author, comment) always land on the same side of a split."""
    targets: tuple[str, ...] = ()
    """Identity groups the source says the text is about (ToxiGen, RedditBias), for per-group metrics."""

    def label(self, head: str) -> int | None:
        """The label for ``head`` ("hostility" or "slur"), or None where unknown."""
        return self.hostility if head == "hostility" else self.slur
