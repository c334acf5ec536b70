"""Loaders for the sets about groups: hate that needs no slur, and benign talk from the same places.

Each of them pairs hateful posts with non-hateful posts from the same communities and topics, so
"mentions a group" or "reads like a tweet" cannot tell the two apart; only what is said can. Their
hate rows are slur positives (and so hostile, `corpus.labels_of`); their other rows are clean. The
mapping is documented in data/README.md.
"""

from __future__ import annotations

import re
from pathlib import Path

from classifier.datasets.examples import Example
from classifier.datasets.readers import read_rows, squash

GAB = "gab_hate_corpus_kennedy2022"
IMPLICIT_HATE = "implicit_hate_elsherief2021"
REDDIT_BIAS = "reddit_bias_barikeri2021"

# The implicit-hate tweets come tokenised: runs of doubled quotes, a leading ": " or "rt :" where a
# handle was cut, and spaces before punctuation ("good . so"). Left in, they would mark the source.
_QUOTE_RUNS = re.compile(r'"{2,}')
_LEADING_FURNITURE = re.compile(r'^(?:[\s":.]|rt\b)+', re.IGNORECASE)
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,!?;:](?:\s|$))")

REDDIT_BIAS_FILES = {
    "reddit_comments_gender_female_processed_phrase_annotated.csv": "women",
    "reddit_comments_orientation_lgbtq_processed_phrase_annotated.csv": "lgbtq",
    "reddit_comments_race_black_processed_phrase_annotated.csv": "black",
    "reddit_comments_religion1_jews_processed_phrase_annotated.csv": "jewish",
    "reddit_comments_religion2_muslims_processed_phrase_annotated.csv": "muslim",
}
"""RedditBias file -> the group its comments were retrieved for."""


def _gab_example(row: dict[str, str], group: str) -> Example | None:
    text = squash(row["text"])
    if not text:
        return None
    dignity, violence, vulgar = (row[key] == "1" for key in ("hd", "cv", "vo"))
    if violence:
        return Example.labelled(text, GAB, group, hostility=1, slur=1)  # calls for violence: mostly at groups (README)
    if dignity:
        return Example.labelled(text, GAB, group, hostility=None, slur=1)
    # Vulgarity alone is often aimed at nobody: no hostility label either way. Posts with no label at
    # all were judged by trained annotators to hold none of the three; insults without vulgarity were
    # not a category, so their hostility 0 is weaker than their slur 0.
    return Example.labelled(text, GAB, group, hostility=None if vulgar else 0, slur=0)


def load_gab(folder: Path) -> list[Example]:
    """Gab Hate Corpus training split: assault on dignity or call for violence → slur; else clean.

    The authors' test split is never trained on: it is an evaluation set (`evaluation_sets`).
    """
    rows = read_rows(folder / "ghc_train_dedup.csv")
    return [e for index, row in enumerate(rows) if (e := _gab_example(row, f"gab:train:{index}"))]


def clean_post(text: str) -> str:
    """An implicit-hate tweet with its tokenisation artefacts undone."""
    text = _QUOTE_RUNS.sub('"', text)
    text = _LEADING_FURNITURE.sub("", squash(text))
    text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)
    return squash(text.strip('" '))


def load_implicit_hate(folder: Path) -> list[Example]:
    """Latent Hatred tweets: explicit or implicit hate → slur (threatening ones also hostile), not_hate → clean.

    Stage 1's post file and ID file are in the same row order (its README); stage 2's subtypes are
    joined on the ID, never on text.
    """
    posts = read_rows(folder / "implicit_hate_v1_stg1_posts.tsv", delimiter="\t")
    ids = read_rows(folder / "implicit_hate_v1_stg1.tsv", delimiter="\t")
    threatening = {
        row["ID"] for row in read_rows(folder / "implicit_hate_v1_stg2.tsv", delimiter="\t")
        if "threatening" in (row["implicit_class"], row.get("extra_implicit_class", ""))
    }
    examples = []
    for post, identity in zip(posts, ids, strict=True):
        text = clean_post(post["post"])
        if not text:
            continue
        group = f"implicit:{identity['ID']}"
        if post["class"] == "not_hate":
            examples.append(Example.labelled(text, IMPLICIT_HATE, group, hostility=0, slur=0))
        else:
            hostility = 1 if identity["ID"] in threatening else None
            examples.append(Example.labelled(text, IMPLICIT_HATE, group, hostility=hostility, slur=1))
    return examples


def load_reddit_bias(folder: Path) -> list[Example]:
    """RedditBias: comments naming a group next to a stereotype word; biased → slur, not biased → clean.

    Every row holds a group term and a stereotype word, so the unbiased ones (questions, quotes,
    rebuttals) are exactly the hard negatives a group-mention model needs. Rows without a 0/1
    judgement (empty, "2", free-text notes) are dropped.
    """
    examples = []
    for name, target in REDDIT_BIAS_FILES.items():
        for index, row in enumerate(read_rows(folder / name)):
            judgement = row["bias_sent"].strip()
            text = squash(row["comment"])
            if judgement not in ("0", "1") or not text:
                continue
            group = f"reddit_bias:{row.get('id') or f'{target}:{index}'}"
            biased = judgement == "1"
            examples.append(Example.labelled(text, REDDIT_BIAS, group, (target,), hostility=None if biased else 0,
                                             slur=int(biased)))
    return examples
