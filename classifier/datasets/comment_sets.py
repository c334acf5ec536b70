"""Loaders for the general comment sets: ordinary discussion with insults and personal attacks in it.

These carry what the hate-speech sets lack: thousands of ordinary comments (news sites, Wikipedia
talk pages) as negatives, and plain insults aimed at another commenter as positives. None of them
says which toxic comments are identity attacks, so their toxic rows have no slur label (masked, not
guessed); their clean rows are clean on both heads. The mapping is documented in data/README.md.
"""

from __future__ import annotations

from pathlib import Path

from classifier.datasets.examples import Example
from classifier.datasets.readers import read_rows, squash

JIGSAW = "jigsaw_toxic_comment_2018_excerpt20k"
CIVIL = "civil_comments_test_split_samples"
WIKI_CONTEXT = "wiki_talk_in_context_pavlopoulos2020"


def _toxic_or_clean(text: str, toxic: bool, source: str, group: str) -> Example:
    if toxic:
        return Example.labelled(text, source, group, hostility=1, slur=None)
    return Example.labelled(text, source, group, hostility=0, slur=0)


def load_jigsaw(folder: Path) -> list[Example]:
    """Jigsaw 2018 Wikipedia talk excerpt: ``labels`` (Kaggle's `toxic`) 1 → hostility, 0 → clean."""
    examples = []
    for part in ("text_comment_1.csv", "text_comment_2.csv"):
        for index, row in enumerate(read_rows(folder / part)):
            text = squash(row["comment_text"])
            if text:
                examples.append(_toxic_or_clean(text, row["labels"] == "1", JIGSAW, f"jigsaw:{part}:{index}"))
    return examples


def load_civil_comments(folder: Path) -> list[Example]:
    """Civil Comments news comments: the stratified sample's clean rows plus every toxic comment.

    The sample's toxic rows are all in the toxic file too (its README), so they are read from there
    only; otherwise ~780 comments would count twice.
    """
    examples = []
    for index, row in enumerate(read_rows(folder / "cc_test_stratified_sample10k_dedup.csv")):
        text = squash(row["text"])
        if text and row["label"] == "0":
            examples.append(Example.labelled(text, CIVIL, f"civil:sample:{index}", hostility=0, slur=0))
    for index, row in enumerate(read_rows(folder / "cc_test_toxic_all_dedup.csv")):
        text = squash(row["comment_text"])
        if text:
            examples.append(Example.labelled(text, CIVIL, f"civil:toxic:{index}", hostility=1, slur=None))
    return examples


def load_wiki_context(folder: Path) -> list[Example]:
    """Wikipedia talk comments rated with and without their parent: ``label`` 1 → hostility, 0 → clean.

    The doubly rated small set uses the in-context label (what a moderator sees). The ``api`` column
    is a Perspective score and is never read: a model trained on it would learn to copy Perspective.
    Grouped by revision (the id's first number), so replies in one edit stay on one side of a split.
    """
    examples = []
    for part in ("gc_dedup.csv", "gn.csv"):
        for row in read_rows(folder / part):
            text = squash(row["text"])
            if text:
                revision = row["id"].split(".")[0]
                examples.append(_toxic_or_clean(text, row["label"] == "1", WIKI_CONTEXT, f"wiki_ctx:{revision}"))
    for index, row in enumerate(read_rows(folder / "cat_small.csv")):
        text = squash(row["text"])
        if text:
            examples.append(_toxic_or_clean(text, row["label_ic"] == "1", WIKI_CONTEXT, f"wiki_ctx:small:{index}"))
    return examples
