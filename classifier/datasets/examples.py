"""The one record every dataset loader produces: a text with a (possibly unknown) label for every head."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from classifier.heads import HEADS  # re-exported: the loaders' and the model's head order


@dataclass(frozen=True, slots=True, eq=True)
class Example:
    """One labelled text.

    ``labels`` maps every head (``HEADS``) to 1, 0 or None. None means the source says nothing about that
    head; the row is then left out of that head's training and evaluation instead of being guessed
    (guessing "0" would teach the model that, say, every Stormfront hate sentence is not hostile).
    """

    text: str
    labels: Mapping[str, int | None]
    source: str
    group: str
    """Rows sharing a group (thread, post, author, comment) always land on the same side of a split."""
    targets: tuple[str, ...] = ()
    """Identity groups the source says the text is about (ToxiGen, RedditBias), for per-group metrics."""

    def __post_init__(self) -> None:
        unknown = set(self.labels) - set(HEADS)
        if unknown:
            raise ValueError(f"labels for heads that are not declared: {sorted(unknown)} (heads: {HEADS})")
        # Every head present, in HEADS order: a head a source does not mention is unknown, not missing.
        object.__setattr__(self, "labels", {head: self.labels.get(head) for head in HEADS})

    __hash__ = None  # type: ignore[assignment]  # the labels are a dict: compare examples, never hash them

    @classmethod
    def labelled(cls, text: str, source: str, group: str, targets: tuple[str, ...] = (),
                 **labels: int | None) -> Example:
        """An example from keyword labels, one per head the source speaks to (``hostility=1, slur=None``)."""
        return cls(text, labels, source, group, targets)

    def label(self, head: str) -> int | None:
        """The label for ``head`` (one of ``HEADS``), or None where unknown."""
        return self.labels[head]

