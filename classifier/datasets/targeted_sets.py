"""Loaders for three sets of hate aimed at groups: HatemojiBuild, EDOS and MLMA.

- HatemojiBuild (Kirk et al. 2022): adversarial, emoji-heavy statements, each with a minimally edited
  contrast entry, usually of the other label. Its test split judges the model; a training row whose
  contrast partner is in the test split is left out, so no pair is on both sides.
- EDOS (Kirk et al. 2023): sexism on Reddit and Gab, official train/dev/test split; "not sexist" says
  nothing about hostility (those posts were judged for sexism only).
- MLMA English (Ousidhoum et al. 2019): short tweets full of slurs, no split of its own; labels are a
  union over annotators, so rows mixing "normal" with hostile labels are dropped.

The mapping is documented in data/README.md; keep the two in step.
"""

from __future__ import annotations

import re
from pathlib import Path

from classifier.datasets.examples import Example
from classifier.datasets.readers import read_rows, squash

HATEMOJI = "hatemoji_build_kirk2022"
HATEMOJI_TEST = "hatemoji_build_kirk2022:test"
EDOS = "edos_sexism_kirk2023"
EDOS_TEST = "edos_sexism_kirk2023:test"
MLMA = "mlma_en_ousidhoum2019"

_HATEMOJI_FILES = ("train.csv", "validation.csv", "test.csv")
_EDOS_FILE = "edos_labelled_aggregated.csv"
_MLMA_FILE = "en_dataset_with_stop_words.csv"

# EDOS vectors whose posts attack as well as demean (threats, incitement, aggressive attacks): hostile
# too. The other sexist vectors are identity attacks whose hostility the labels leave open.
_EDOS_HOSTILE_PREFIXES = ("1.1", "1.2", "2.2")

# MLMA's "special_needs" rows are mostly one ableist slur: at most this many slur rows carrying it, so one
# token does not become the set's whole lesson (its README's caveat).
_MLMA_SLUR_CAP = 300
_MLMA_CAPPED = re.compile(r"retard", re.IGNORECASE)
_MLMA_FURNITURE = re.compile(r"@(?:user|url)", re.IGNORECASE)


def _hatemoji_example(row: dict[str, str], source: str) -> Example | None:
    text = squash(row["text"])
    if not text:
        return None
    pair = min(int(row["entry_id"]), int(row["matched_id"]))
    group = f"hatemoji:{pair}"
    if row["label_gold"] != "1":
        # Not hateful is not harmless: some perturbations move the aggression to a non-protected target.
        return Example.labelled(text, source, group, hostility=None, slur=0)
    threat = row["type"] == "threateninglanguage"
    return Example.labelled(text, source, group, hostility=1 if threat else None, slur=1)


def _hatemoji_rows(folder: Path) -> dict[str, list[dict[str, str]]]:
    return {name: read_rows(folder / name) for name in _HATEMOJI_FILES}


def load_hatemoji(folder: Path) -> list[Example]:
    """HatemojiBuild train and validation rows whose contrast partner is not in the test split.

    Hateful → slur (threatening language also hostile); not hateful → not a slur, hostility unknown.
    A pair shares its group, so a grouped split keeps both members on one side.
    """
    rows = _hatemoji_rows(folder)
    tested = {row["entry_id"] for row in rows["test.csv"]}
    examples = []
    for name in ("train.csv", "validation.csv"):
        for row in rows[name]:
            if row["matched_id"] in tested:
                continue
            if (example := _hatemoji_example(row, HATEMOJI)) is not None:
                examples.append(example)
    return examples


def load_hatemoji_test(folder: Path) -> list[Example]:
    """HatemojiBuild's own test split, mapped like its training rows: evaluation only."""
    return [e for row in read_rows(folder / "test.csv") if (e := _hatemoji_example(row, HATEMOJI_TEST))]


def _edos_example(row: dict[str, str], source: str) -> Example | None:
    text = squash(row["text"].replace("[USER]", " ").replace("[URL]", " "))
    if not text:
        return None
    group = f"edos:{row['rewire_id']}"
    if row["label_sexist"] != "sexist":
        return Example.labelled(text, source, group, ("women",), hostility=None, slur=0)
    hostile = row["label_vector"].startswith(_EDOS_HOSTILE_PREFIXES)
    return Example.labelled(text, source, group, ("women",), hostility=1 if hostile else None, slur=1)


def _edos_rows(folder: Path, splits: tuple[str, ...], source: str) -> list[Example]:
    return [
        e for row in read_rows(folder / _EDOS_FILE)
        if row["split"] in splits and (e := _edos_example(row, source)) is not None
    ]


def load_edos(folder: Path) -> list[Example]:
    """EDOS train and dev posts: sexist → slur (threats, incitement, aggressive attacks also hostile).

    Not sexist → not a slur, hostility unknown: those posts were judged for sexism only, and many are
    still hostile to someone else.
    """
    return _edos_rows(folder, ("train", "dev"), EDOS)


def load_edos_test(folder: Path) -> list[Example]:
    """EDOS's official test split, mapped like its training rows: evaluation only."""
    return _edos_rows(folder, ("test",), EDOS_TEST)


def _mlma_labels(row: dict[str, str]) -> tuple[int | None, int | None] | None:
    """(hostility, slur) of one MLMA tweet, or None when its annotators disagreed or it says too little."""
    atoms = set(row["sentiment"].split("_"))
    if atoms == {"normal"}:
        return 0, 0
    if "normal" in atoms:
        return None  # "offensive_normal" and the like: the union of annotators who disagreed
    at_group = row["target"] != "other"
    direct = row["directness"] == "direct"
    hostility = 1 if direct and atoms & {"abusive", "offensive"} else None
    if at_group and atoms & {"hateful", "abusive", "offensive", "disrespectful"}:
        return hostility, 1
    if hostility is None:
        return None  # fear, or disrespect at nobody in particular: no label for either head
    return hostility, None


def load_mlma(folder: Path) -> list[Example]:
    """MLMA English tweets: hate or offence at a group → slur; direct abuse → hostility; "normal" → clean."""
    examples, capped = [], 0
    for row in read_rows(folder / _MLMA_FILE):
        text = squash(_MLMA_FURNITURE.sub(" ", row["tweet"]))
        labels = _mlma_labels(row)
        if not text or labels is None:
            continue
        if labels[1] == 1 and _MLMA_CAPPED.search(text):
            capped += 1
            if capped > _MLMA_SLUR_CAP:
                continue
        examples.append(Example.labelled(text, MLMA, f"mlma:{row['HITId']}", hostility=labels[0], slur=labels[1]))
    return examples
