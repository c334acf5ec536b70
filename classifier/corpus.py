"""Gather the training corpus: which datasets are present, their rows, and how much each row counts."""

from __future__ import annotations

import contextlib
import hashlib
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from classifier.datasets.catalogue import sha256_file
from classifier.datasets.evaluation_sets import EVALUATION_LOADERS
from classifier.datasets.examples import Example
from classifier.datasets.loaders import LOADERS, load_seed
from classifier.datasets.readers import squash
from classifier.head_arrays import floor_labels
from classifier.heads import HEADS

MODERATOR_SOURCE = "moderators"
"""Source name of the site's own moderators' labels (retraining, or exported labels given to `train`)."""
SOURCE_MULTIPLIER = {"seed": 3.0, MODERATOR_SOURCE: 3.0}
"""The seed set is small but written for exactly the cases the public sets miss (counter-speech,
identity terms in friendly sentences, coded tropes); without a boost its few hundred rows vanish
next to 25k tweets. Moderators' labels are the most trustworthy rows (this site's comments, judged by
this site's rules); their factor is measured in docs/retraining.md (MODERATION_MODERATOR_WEIGHT there)."""


@dataclass
class Corpus:
    """Rows from every dataset found, plus what was found and what was missing."""

    examples: list[Example] = field(default_factory=list)
    found: dict[str, dict[str, str]] = field(default_factory=dict)
    """dataset name -> {file name: sha256} of the files read."""
    missing: list[str] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)
    """Rows left out: ``duplicate`` (the text was already read from another row or folder) and
    ``evaluation`` (the text is in an evaluation-only set)."""

    @property
    def is_demo(self) -> bool:
        """True when no public dataset was found: a model from the seed set alone is only a demo."""
        return not self.found


def labels_of(examples: list[Example]) -> np.ndarray:
    """``(n, heads)`` labels in HEADS order, NaN where unknown.

    A slur is always also hostile (Perspective's taxonomy too: IDENTITY_ATTACK is a kind of TOXICITY),
    so slur = 1 sets hostility = 1 whatever the source said about hostility; otherwise a comment
    dehumanising a group would teach the hostility head that group hatred is friendly.
    """
    labels = np.array(
        [[np.nan if e.label(h) is None else float(e.label(h)) for h in HEADS] for e in examples],
        dtype=np.float64,
    ).reshape(len(examples), len(HEADS))
    return floor_labels(labels)


def text_key(text: str) -> str:
    """What makes two texts "the same" across datasets: case and whitespace ignored."""
    return squash(text).casefold()


def evaluation_keys(datasets_dir: Path | None) -> set[str]:
    """Text keys of every evaluation-only set present (``evaluation_sets``): they must never train."""
    keys: set[str] = set()
    for folder_name, loader in EVALUATION_LOADERS.values():
        folder = datasets_dir / folder_name if datasets_dir is not None else None
        if folder is not None and folder.is_dir():
            with contextlib.suppress(FileNotFoundError):
                keys.update(text_key(example.text) for example in loader(folder))
    return keys


def load_corpus(datasets_dir: Path | None, seed_path: Path | None, only: list[str] | None = None) -> Corpus:
    """Read every known dataset present under ``datasets_dir`` (or just ``only``) plus the seed set.

    Several folders share texts (Gab posts in the implicit-hate set, Wikipedia comments in two sets,
    Civil Comments in three), so a text is kept once, from the first folder that has it, before any
    split: otherwise a test row could be a training row from another folder. A text that is also in
    an evaluation-only set is dropped.
    """
    corpus = Corpus()
    rows: list[Example] = []
    for name, loader in LOADERS.items():
        if only is not None and name not in only:
            continue
        folder = datasets_dir / name if datasets_dir is not None else None
        if folder is None or not folder.is_dir():
            corpus.missing.append(name)
            continue
        try:
            rows.extend(loader(folder))
        except FileNotFoundError:
            corpus.missing.append(name)
            continue
        corpus.found[name] = {
            path.name: sha256_file(path)
            for path in sorted(folder.iterdir()) if path.suffix in (".csv", ".json", ".tsv")
        }
    if seed_path is not None and seed_path.exists():
        rows.extend(load_seed(seed_path))
    held_out = evaluation_keys(datasets_dir)
    seen: set[str] = set()
    corpus.dropped = {"duplicate": 0, "evaluation": 0}
    for example in rows:
        key = text_key(example.text)
        if key in held_out:
            corpus.dropped["evaluation"] += 1
        elif key in seen:
            corpus.dropped["duplicate"] += 1
        else:
            seen.add(key)
            corpus.examples.append(example)
    return corpus


def sample_per_source(examples: list[Example], limit: int, seed: int = 3) -> list[Example]:
    """At most ``limit`` rows of each source, whole groups in a seeded hash order: a smaller, quicker
    corpus with every source still in it (for trying things out, and for tests that need a real model
    but not the best one)."""
    by_source: dict[str, dict[str, list[Example]]] = defaultdict(lambda: defaultdict(list))
    for example in examples:
        by_source[example.source][example.group].append(example)
    kept: list[Example] = []
    for groups in by_source.values():
        taken = 0
        for group in sorted(groups, key=lambda g: hashlib.blake2b(f"{seed}:{g}".encode(), digest_size=8).digest()):
            if taken >= limit:
                break
            kept.extend(groups[group])
            taken += len(groups[group])
    return kept


def balanced_weights(examples: list[Example], multipliers: Mapping[str, float] | None = None) -> np.ndarray:
    """Per-row, per-head weights so that no single source, and no source's class skew, dominates.

    Each source gets a total weight that grows with the square root of its size (big sets still
    count more, but 25k tweets do not drown 1k news comments), split evenly between its positives
    and negatives for each head, so a source's register alone ("reads like a tweet") predicts nothing.
    ``multipliers`` (source -> factor on its total) adds to and overrides SOURCE_MULTIPLIER, e.g. for
    the site's own moderators' labels when retraining (see docs/retraining.md).
    """
    factors = {**SOURCE_MULTIPLIER, **(multipliers or {})}
    weights = np.zeros((len(examples), len(HEADS)))
    by_source: dict[str, list[int]] = defaultdict(list)
    for index, example in enumerate(examples):
        by_source[example.source].append(index)
    for source, indices in by_source.items():
        total = math.sqrt(len(indices)) * factors.get(source, 1.0)
        for column, head in enumerate(HEADS):
            classes: dict[int, list[int]] = defaultdict(list)
            for index in indices:
                label = examples[index].label(head)
                if label is not None:
                    classes[label].append(index)
            for members in classes.values():
                weights[members, column] = total / 2 / len(members)
    for column in range(len(HEADS)):
        known = weights[:, column] > 0
        if known.any():
            weights[known, column] /= weights[known, column].mean()
    return weights


def split(examples: list[Example], test_share: float = 0.2, seed: int = 13) -> tuple[np.ndarray, np.ndarray]:
    """A grouped split stratified by source and labels: ``(train indices, test indices)``.

    Rows of one thread, post or comment stay together, so a test score never rewards remembering a
    sibling sentence. Within each stratum (source plus the labels its group carries) groups are put
    in a seeded hash order and every ``1/test_share``-th goes to test: deterministic for the same data,
    and a group keeps its side when other data is added.
    """
    members: dict[str, list[int]] = defaultdict(list)
    for index, example in enumerate(examples):
        members[example.group].append(index)
    strata: dict[str, list[str]] = defaultdict(list)
    for group, indices in members.items():
        labels = sorted({tuple(examples[i].label(h) for h in HEADS) for i in indices}, key=str)
        strata[f"{examples[indices[0]].source}|{labels}"].append(group)
    test: list[int] = []
    for groups in strata.values():
        groups.sort(key=lambda group: hashlib.blake2b(f"{seed}:{group}".encode(), digest_size=8).digest())
        for position, group in enumerate(groups):
            if math.floor((position + 1) * test_share) > math.floor(position * test_share):
                test.extend(members[group])
    test_rows = np.array(sorted(test), dtype=np.int64)
    train_rows = np.setdiff1d(np.arange(len(examples)), test_rows)
    return train_rows, test_rows
