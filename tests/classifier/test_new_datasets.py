"""The loaders of the comment, group-mention and evaluation-only sets, on the shared copies (skipped without)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from classifier.corpus import labels_of, load_corpus, text_key
from classifier.datasets.comment_sets import (
    CIVIL,
    JIGSAW,
    WIKI_CONTEXT,
    load_civil_comments,
    load_jigsaw,
    load_wiki_context,
)
from classifier.datasets.evaluation_sets import (
    NON_COMMERCIAL,
    SFU,
    TOXIGEN,
    UNHEALTHY,
    load_gab_test,
    load_sfu,
    load_toxigen,
    load_unhealthy,
)
from classifier.datasets.group_sets import (
    GAB,
    IMPLICIT_HATE,
    REDDIT_BIAS,
    clean_post,
    load_gab,
    load_implicit_hate,
    load_reddit_bias,
)
from classifier.datasets.loaders import LOADERS
from tests.conftest import SEED


def _labels(examples) -> Counter:
    return Counter((e.label("hostility"), e.label("slur")) for e in examples)


def test_jigsaw_toxic_is_hostile_and_says_nothing_of_slurs(datasets_dir: Path) -> None:
    examples = load_jigsaw(datasets_dir / JIGSAW)
    assert _labels(examples) == {(0, 0): 18053, (1, None): 1947}  # the README's counts: 1,947 toxic of 20,000
    assert all("\n" not in e.text for e in examples)


def test_civil_comments_reads_toxic_rows_once(datasets_dir: Path) -> None:
    examples = load_civil_comments(datasets_dir / CIVIL)
    counts = _labels(examples)
    assert counts[(1, None)] == 7578 and counts[(0, 0)] == 9740 - 776  # sample's toxic rows come from the toxic file
    assert not any(e.label("hostility") == 1 and e.group.startswith("civil:sample") for e in examples)


def test_wiki_context_uses_the_in_context_label(datasets_dir: Path) -> None:
    examples = load_wiki_context(datasets_dir / WIKI_CONTEXT)
    small = [e for e in examples if e.group.startswith("wiki_ctx:small")]
    assert len(small) == 978 and sum(e.label("hostility") for e in small) == 211  # label_ic, not label_oc (125)
    assert sum(e.label("hostility") == 1 for e in examples) == 151 + 59 + 211


def test_gab_maps_violence_dignity_and_vulgarity(datasets_dir: Path) -> None:
    counts = _labels(load_gab(datasets_dir / GAB))
    assert counts[(1, 1)] == 131  # every call for violence (README: cv = 131 in train)
    assert counts[(None, 1)] + counts[(1, 1)] == 1940  # hd or cv
    assert counts[(None, 0)] > 0 and counts[(0, 0)] > 15000


def test_implicit_hate_joins_threats_on_ids_and_cleans_tokenisation(datasets_dir: Path) -> None:
    examples = load_implicit_hate(datasets_dir / IMPLICIT_HATE)
    counts = _labels(examples)
    assert counts[(0, 0)] == 13291 and counts[(None, 1)] + counts[(1, 1)] == 7100 + 1089
    assert 600 <= counts[(1, 1)] <= 700  # the stage-2 `threatening` rows (666, plus a few extra-class ones)
    assert not any(e.text.startswith((":", '"', "rt :")) or '""' in e.text for e in examples)


def test_clean_post_undoes_the_tweet_artefacts() -> None:
    tweet = '"  "" : jewish professor wants to abolish it "" "" """'
    assert clean_post(tweet) == "jewish professor wants to abolish it"
    assert clean_post("rt : don't wait . check it out !") == "don't wait. check it out!"


def test_reddit_bias_keeps_judged_rows_with_their_group(datasets_dir: Path) -> None:
    examples = load_reddit_bias(datasets_dir / REDDIT_BIAS)
    counts = _labels(examples)
    assert counts == {(None, 1): 6592, (0, 0): 4900}  # README: 6,592 biased, 4,900 not; the rest dropped
    assert Counter(e.targets[0] for e in examples if e.label("slur") == 1)["women"] == 2033


def test_evaluation_sets_read_their_documented_labels(datasets_dir: Path) -> None:
    unhealthy = load_unhealthy(datasets_dir / UNHEALTHY)
    assert len(unhealthy) == 4424 and sum(e.label("hostility") for e in unhealthy) == 108
    assert sum(e.label("hostility") for e in load_unhealthy(datasets_dir / UNHEALTHY, "val")) == 99
    sfu = load_sfu(datasets_dir / SFU)
    assert Counter(e.label("hostility") for e in sfu) == {0: 902, 1: 42}
    toxigen = load_toxigen(datasets_dir / TOXIGEN)
    assert Counter(e.label("slur") for e in toxigen) == {1: 424, 0: 345}
    assert all(e.targets for e in toxigen)
    gab_test = load_gab_test(datasets_dir / GAB)
    assert len(gab_test) == 5507 and sum(e.label("slur") == 1 for e in gab_test) == 509


def test_non_commercial_and_evaluation_sets_never_train() -> None:
    assert not NON_COMMERCIAL & set(LOADERS)
    assert TOXIGEN not in LOADERS


def test_corpus_dedupes_across_folders_and_drops_evaluation_texts(datasets_dir: Path) -> None:
    corpus = load_corpus(datasets_dir, SEED)
    keys = [text_key(e.text) for e in corpus.examples]
    assert len(keys) == len(set(keys))
    assert corpus.dropped["duplicate"] > 100 and corpus.dropped["evaluation"] > 0
    held_out = load_toxigen(datasets_dir / TOXIGEN) + load_unhealthy(datasets_dir / UNHEALTHY)
    evaluation = {text_key(e.text) for e in held_out}
    assert not evaluation & set(keys)
    labels = labels_of(corpus.examples)
    assert (labels[labels[:, 1] == 1, 0] == 1).all()  # a slur is always hostile
