"""Readers for the labelled datasets, each mapping its own labels onto our two heads.

The mapping per dataset is documented in data/README.md; keep the two in step. Every loader takes the
dataset's folder and returns a list of :class:`Example`; none of them writes anything.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path

from classifier.datasets.comment_sets import (
    CIVIL,
    JIGSAW,
    WIKI_CONTEXT,
    load_civil_comments,
    load_jigsaw,
    load_wiki_context,
)
from classifier.datasets.examples import HEADS, Example
from classifier.datasets.group_sets import (
    GAB,
    IMPLICIT_HATE,
    REDDIT_BIAS,
    load_gab,
    load_implicit_hate,
    load_reddit_bias,
)
from classifier.datasets.readers import read_rows
from classifier.datasets.targeted_sets import EDOS, HATEMOJI, MLMA, load_edos, load_hatemoji, load_mlma

# Twitter furniture that says nothing about hostility but a lot about the source ("RT @x: ..."), so the
# model would otherwise learn "looks like a tweet".
_MENTION = re.compile(r"@\w{1,30}:?")
_URL = re.compile(r"https?://\S+|www\.\S+")
_RETWEET = re.compile(r"(?<!\w)RT(?!\w)")
_SPACES = re.compile(r"\s+")

# Context kept either side of a Toxic Spans span, in words: enough to read as a phrase ("you pathetic
# idiot"), too little to carry the news-comment register that would teach "long comment -> toxic".
_SPAN_CONTEXT_WORDS = 2
_MIN_REMAINDER_WORDS = 6


def _clean_tweet(text: str) -> str:
    text = html.unescape(text)
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    text = _RETWEET.sub(" ", text)
    return _SPACES.sub(" ", text).strip(" :")


def load_davidson(folder: Path) -> list[Example]:
    """Davidson 2017 tweets: hate → both heads, offensive → not a slur (hostility unknown), neither → clean.

    "Offensive language" there is mostly profanity, aimed at nobody in particular ("this shit slaps");
    our hostility means abuse aimed at someone, so the label says nothing about it either way.
    """
    examples = []
    for row in read_rows(folder / "labeled_data.csv"):
        text = _clean_tweet(row["tweet"])
        if not text:
            continue
        label = row["class"]
        hostility = {"0": 1, "1": None, "2": 0}[label]
        slur = 1 if label == "0" else 0
        examples.append(Example.labelled(text, "davidson2017", f"davidson:{row['']}", hostility=hostility, slur=slur))
    return examples


def load_stormfront(folder: Path) -> list[Example]:
    """Stormfront sentences: hate → slur (hostility unknown), noHate → clean; grouped by forum post."""
    examples = []
    for row in read_rows(folder / "stormfront_sentences.csv"):
        label = row["label"]
        if label not in ("hate", "noHate"):
            continue  # "relation" needs the rest of the post; "idk/skip" the annotators could not decide
        post = row["file_id"].split("_")[0]
        if label == "hate":
            examples.append(Example.labelled(row["text"], "stormfront_degibert2018", f"stormfront:{post}",
                                             hostility=None, slur=1))
        else:
            examples.append(Example.labelled(row["text"], "stormfront_degibert2018", f"stormfront:{post}",
                                             hostility=0, slur=0))
    return examples


def load_ethos(folder: Path) -> list[Example]:
    """ETHOS comments: isHate ≥ 0.5 → slur; hostility known only where annotators saw incitement."""
    violent = {
        row["comment"].strip()
        for row in read_rows(folder / "Ethos_Dataset_Multi_Label.csv", delimiter=";")
        if float(row["violence"]) >= 0.5
    }
    examples = []
    for index, row in enumerate(read_rows(folder / "Ethos_Dataset_Binary.csv", delimiter=";")):
        text = row["comment"].strip()
        slur = 1 if float(row["isHate"]) >= 0.5 else 0
        hostility = 1 if text in violent else None
        examples.append(Example.labelled(text, "ethos", f"ethos:{index}", hostility=hostility, slur=slur))
    return examples


def load_fox_news(folder: Path) -> list[Example]:
    """Fox News comments: hateful → hostility (slur unknown), not hateful → clean; grouped by article."""
    examples = []
    with (folder / "fox-news-comments.json").open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            row = json.loads(line)  # the `user` field is personal data and is never kept
            group = f"fox:{row['title']}"
            if row["label"] == 1:
                examples.append(Example.labelled(row["text"], "fox_news_comments_gao2017", group, hostility=1,
                                                 slur=None))
            else:
                examples.append(Example.labelled(row["text"], "fox_news_comments_gao2017", group, hostility=0, slur=0))
    return examples


def load_wiki_identity(folder: Path) -> list[Example]:
    """Wikipedia talk identity-term set: toxic → hostility (slur unknown), not toxic → clean."""
    examples = []
    for row in read_rows(folder / "toxicity_nonfuzzed_testset.csv"):
        text = _SPACES.sub(" ", row["comment"].replace("NEWLINE_TOKEN", " ")).strip()
        group = f"wiki:{row['rev_id']}"
        if row["toxic"] == "True":
            examples.append(Example.labelled(text, "wiki_toxicity_identity_dixon2018", group, hostility=1, slur=None))
        else:
            examples.append(Example.labelled(text, "wiki_toxicity_identity_dixon2018", group, hostility=0, slur=0))
    return examples


def _widen(text: str, begin: int, end: int, words: int) -> tuple[int, int]:
    """Extend [begin, end) by up to ``words`` whole words on each side."""
    for _ in range(words):
        left = text.rfind(" ", 0, max(begin - 1, 0))
        begin = 0 if left < 0 else left + 1
    for _ in range(words):
        right = text.find(" ", end + 1)
        end = len(text) if right < 0 else right
    return begin, end


def load_toxic_spans(folder: Path) -> list[Example]:
    """Toxic Spans news comments, used for what they really carry.

    Whole comments are never used: all of them are toxic, so they would teach "reads like a news
    comment → toxic". Instead each majority span (with a little context) is a positive, and what is
    left of the comment once its toxic spans are cut out is a negative in the same register.
    """
    examples = []
    source = "toxic_spans_civil_comments_pavlopoulos2022"
    for row in read_rows(folder / "toxic_spans_comments.csv"):
        spans = json.loads(row["majority_spans"] or "[]")
        if not spans:
            continue  # raters found it toxic without agreeing on where: no usable signal here
        text = row["text"]
        group = f"toxic_spans:{row['comment_id']}"
        slur = 1 if row["identity_attack_majority"] == "1" else 0
        for begin, end in spans:
            wide_begin, wide_end = _widen(text, begin, end, _SPAN_CONTEXT_WORDS)
            snippet = text[wide_begin:wide_end].strip()
            if snippet:
                examples.append(Example.labelled(snippet, source, group, hostility=1, slur=slur))
        remainder, cursor = [], 0
        for begin, end in sorted(spans):
            remainder.append(text[cursor:begin])
            cursor = max(cursor, end)
        remainder.append(text[cursor:])
        rest = _SPACES.sub(" ", " ".join(remainder)).strip()
        if len(rest.split()) >= _MIN_REMAINDER_WORDS:
            examples.append(Example.labelled(rest, source, group, hostility=0, slur=0))
    return examples


def _label(value: str) -> int | None:
    return None if value.strip() == "" else int(value)


def load_labelled_csv(path: Path, source: str) -> list[Example]:
    """A CSV with a text column and one per head (0, 1 or empty for unknown), e.g. exported decisions.

    A head without a column is unknown for every row, so a CSV written before a head was declared still
    reads."""
    return [
        Example(row["text"], {head: _label(row.get(head) or "") for head in HEADS}, source,
                f"{source}:{path.stem}:{index}")
        for index, row in enumerate(read_rows(path))
    ]


def load_seed(path: Path) -> list[Example]:
    """The project's own hand-written examples: one CSV, or every CSV in a folder (data/seed/)."""
    files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
    return [example for file in files for example in load_labelled_csv(file, "seed")]


LOADERS: dict[str, Callable[[Path], list[Example]]] = {
    "davidson2017": load_davidson,
    "stormfront_degibert2018": load_stormfront,
    "ethos": load_ethos,
    "fox_news_comments_gao2017": load_fox_news,
    "wiki_toxicity_identity_dixon2018": load_wiki_identity,
    "toxic_spans_civil_comments_pavlopoulos2022": load_toxic_spans,
    JIGSAW: load_jigsaw,
    CIVIL: load_civil_comments,
    WIKI_CONTEXT: load_wiki_context,
    GAB: load_gab,
    IMPLICIT_HATE: load_implicit_hate,
    REDDIT_BIAS: load_reddit_bias,
    HATEMOJI: load_hatemoji,
    EDOS: load_edos,
    MLMA: load_mlma,
}
"""Training datasets by folder name; the word lists are read by classifier.lexicon instead."""
