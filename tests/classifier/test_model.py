"""Scores and explanation spans of the classifier: the stacked model, and its lexical part's fast path."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.bundle import Bundle
from classifier.datasets.examples import HEADS
from classifier.ensemble import EnsembleClassifier
from classifier.model import CommentClassifier
from classifier.scoring import EXPLAIN_FROM, Scorer


def test_scores_are_probabilities_for_awkward_text(seed_bundle: Bundle) -> None:
    texts = ["", " ", "…", "💕💕💕", "Well — that’s “interesting”…", "\u202eevil\u202c", "a\x00b", "\ud800"]
    texts.append("x" * 50_000)
    scores = seed_bundle.model.predict_proba(texts)
    assert scores.shape == (len(texts), len(HEADS))
    assert np.all((scores >= 0) & (scores <= 1))


def test_explain_matches_predict_proba(seed_bundle: Bundle) -> None:
    text = "Those vermin should all be deported, every last one of them."
    scores, _ = seed_bundle.model.explain(text)
    assert scores == pytest.approx(seed_bundle.model.predict_proba([text])[0])


def test_token_contributions_add_up_to_the_logit(seed_bundle: Bundle) -> None:
    model: CommentClassifier = seed_bundle.model.lexical_
    text = "You stupid f4ggot, get out of my country"
    contributions = model.contributions(text)
    logits = model.decision_function([text])[0]
    for column in range(len(HEADS)):
        total = sum(row[column] for _, _, row in contributions) + model.intercept_[column]
        assert total == pytest.approx(logits[column])


@pytest.mark.parametrize("text", ["You stupid f4ggot get out of my country",
                                  "Muslims are not terrorists and I am tired of having to say it"])
def test_word_shares_of_both_parts_add_up_to_the_stacked_logit(seed_bundle: Bundle, text: str) -> None:
    """Each word's share comes from the lexical tokens and the encoder's word pieces; with no punctuation
    (which belongs to no word) they add up to the whole logit less what belongs to no word at all."""
    model: EnsembleClassifier = seed_bundle.model
    logits, words = model.words(text)
    np.testing.assert_allclose(logits, model.decision_function([text])[0], rtol=1e-6, atol=1e-6)
    lexical, encoder = model._parts([text], cache=False)[0].T
    lexical_weight, encoder_weight, _ = model.stack_.T
    baseline = model.encoder_intercept_ + model.encoder_coef_ @ model.encoder_mean_
    expected = lexical_weight * (lexical - model.lexical_.intercept_) + encoder_weight * (encoder - baseline)
    np.testing.assert_allclose(sum(w.contributions for w in words), expected, rtol=1e-4, atol=1e-4)


def test_a_comment_scores_the_same_alone_or_in_a_batch(seed_bundle: Bundle) -> None:
    texts = ["You absolute clown.", "Lovely photos of the harbour today 💕", "a much longer comment " * 20]
    together = seed_bundle.model.predict_proba(texts)
    alone = np.vstack([seed_bundle.model.predict_proba([text]) for text in texts])
    np.testing.assert_allclose(together, alone, rtol=1e-12, atol=1e-15)  # float summation order only


def test_spans_index_the_original_text(seed_bundle: Bundle) -> None:
    text = "Honestly… you are a   d i s g u s t i n g   k1ke 🤮 and everyone knows it"
    scores, spans = seed_bundle.model.explain(text)
    assert spans, f"no spans for a comment scored {scores}"
    for span in spans:
        assert 0 <= span.begin < span.end <= len(text)
        assert 0 < span.score <= 1
        assert span.label in HEADS
    named = {text[span.begin : span.end] for span in spans}
    assert "k1ke" in named


def test_spans_only_explain_scores_worth_explaining(seed_bundle: Bundle) -> None:
    scorer = Scorer(seed_bundle)
    for text in ("The council meets on Tuesday to discuss the new bus routes.", "You utter clown, nobody asked."):
        score = scorer.score(text)
        for span in score.spans:
            head_score = score.hostility if span.label == "hostility" else score.slur
            assert head_score >= EXPLAIN_FROM * scorer.thresholds[span.label]
            if score.flagged:  # a held comment shows the head that held it
                assert head_score >= scorer.thresholds[span.label]
    quiet = Scorer(seed_bundle, thresholds={"hostility": 1.0, "slur": 1.0})
    assert all(s.score < 1 for s in quiet.score("You utter clown, nobody asked.").spans)


def test_spans_never_name_a_function_word(seed_bundle: Bundle) -> None:
    from classifier.spans import FUNCTION_WORDS

    scorer = Scorer(seed_bundle, thresholds={"hostility": 0.01, "slur": 0.01})
    for text in ("Go back to where you came from", "I was reading it to the kids and they were back at it",
                 "You are a disgrace to this country"):
        for span in scorer.score(text).spans:
            assert text[span.begin : span.end].lower().replace("'", "") not in FUNCTION_WORDS


def test_hostility_is_never_below_slur(seed_bundle: Bundle) -> None:
    scores = seed_bundle.model.predict_proba(["those vermin are ruining this country", "nice day", "k i k e"])
    assert np.all(scores[:, 0] >= scores[:, 1])


def test_fast_scoring_equals_the_training_feature_matrix(seed_bundle: Bundle) -> None:
    # Scoring sums cached per-token weights; training builds the full matrix. They must agree.
    model: CommentClassifier = seed_bundle.model.lexical_
    texts = ["", "same same same words words", "Sieg heil, you k1ke!!! 😡", "The bus was late… again — typical.",
             "white power now white power", "a " * 300]
    expected = np.asarray(model.transform(texts) @ model.coef_.T) + model.intercept_
    np.testing.assert_allclose(model.decision_function(texts), expected, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(model.decision_function(texts[::-1]), expected[::-1], rtol=1e-9, atol=1e-9)


# Multi-word terms across chunks and inside one ("white-power"), chunks with no tokens between words,
# texts normalised whole (spaced letters, Cyrillic, combining marks), a new chunk twice in one batch.
TABLE_TEXTS = [
    "sieg heil", "Sieg — heil!", "white-power rally", "they said: white power, then sieg heil.", "f u c k you",
    "it's a b c", "x aaaa b", "кот и white power", "cafe\u0301 white power", "zqxv zqxv zqxv", "@white power",
    "— … 😂", "white\u200b power", "white \u2060 power", "", "race war-now", "blood and soil and blood and soil",
]


def test_weight_table_matches_the_feature_matrix_on_tricky_texts(seed_bundle: Bundle) -> None:
    model: CommentClassifier = seed_bundle.model.lexical_
    expected = np.asarray(model.transform(TABLE_TEXTS) @ model.coef_.T) + model.intercept_
    np.testing.assert_allclose(model.decision_function(TABLE_TEXTS), expected, rtol=1e-9, atol=1e-9)
    one_by_one = np.vstack([model.decision_function([text]) for text in TABLE_TEXTS])
    np.testing.assert_allclose(one_by_one, expected, rtol=1e-9, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["white", "power", "sieg", "heil", "-", "—", "a", "b", "c", "!", " ", "  ",
                                          "you", "k1ke", "😂", "\u2060", "x", "it's", "race", "war",
                                          "now", "blood", "and", "soil"]), max_size=12).map("".join),
                min_size=1, max_size=6))
def test_weight_table_matches_the_feature_matrix_on_generated_batches(seed_bundle: Bundle, texts: list[str]) -> None:
    model: CommentClassifier = seed_bundle.model.lexical_
    expected = np.asarray(model.transform(texts) @ model.coef_.T) + model.intercept_
    np.testing.assert_allclose(model.decision_function(texts), expected, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Dave", 0.0), ("Ahmed", 0.0), ("Gay Muslim", 0.0), ("Jewish Mom", 0.0), ("mike88", 0.0), ("Sven14", 0.0),
        ("1488", 0.99), ("KKK", 0.99), ("WPWW", 0.99), ("Aryan_Warrior_1488", 0.99), ("ZogWatcher", 0.99),
        ("RaHoWa", 0.99), ("WhiteBoy14_88", 0.99), ("k k k", 0.99),
    ],
)
def test_display_names_are_judged_by_the_word_lists(seed_bundle: Bundle, name: str, expected: float) -> None:
    from classifier.scoring import Scorer

    score = Scorer(seed_bundle).score_name(name)
    assert score.slur == pytest.approx(expected)
    assert score.hostility >= score.slur
