"""The Perspective-compatible API through Flask's test client: formats, mapping, errors, storage."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from classifier.scoring import Score
from classifier.spans import Span
from service.infra.integration_models import ScoreSuggestion
from service.infra.models import Base
from service.web.perspective.attributes import attribute_scores
from tests.service.conftest import services

ANALYZE = "/v1alpha1/comments:analyze"
SUGGEST = "/v1alpha1/comments:suggestscore"
ALL = ("TOXICITY", "IDENTITY_ATTACK")
UNMODELLED = ("SEVERE_TOXICITY", "INSULT", "THREAT", "PROFANITY", "SEXUALLY_EXPLICIT", "FLIRTATION")
HOSTILE = "You are a pathetic idiot and everyone hates you."


def _analyze(client: FlaskClient, text: str, attributes=ALL, **extra: object):
    return client.post(ANALYZE, json={"comment": {"text": text}, "requestedAttributes": {a: {} for a in attributes},
                                      **extra})


def _is_perspective_error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == status and isinstance(error["message"], str) and isinstance(error["status"], str)
    return error


def _row_counts(app: Flask) -> dict[str, int]:
    with services(app).sessions() as session:
        return {table.name: session.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables}


def test_analyze_answers_each_attribute_from_its_own_head(client: FlaskClient, with_model: str) -> None:
    ours = client.post("/api/v1/analyze", json={"text": HOSTILE}).get_json()
    response = _analyze(client, HOSTILE, clientToken="t-1")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["languages"] == ["en"] and body["clientToken"] == "t-1"
    scores = {name: entry["summaryScore"] for name, entry in body["attributeScores"].items()}
    assert set(scores) == set(ALL)
    assert all(score["type"] == "PROBABILITY" and 0 <= score["value"] <= 1 for score in scores.values())
    assert scores["TOXICITY"]["value"] == ours["hostility"]  # the same number, at the same precision
    assert scores["IDENTITY_ATTACK"]["value"] == ours["slur"]
    assert all("spanScores" not in entry for entry in body["attributeScores"].values())


@pytest.mark.parametrize("attribute", UNMODELLED)
def test_an_attribute_without_a_model_is_refused_not_copied(client: FlaskClient, with_model: str,
                                                            attribute: str) -> None:
    error = _is_perspective_error(_analyze(client, "You are a pathetic idiot.", ("TOXICITY", attribute)), 400)
    assert error["status"] == "INVALID_ARGUMENT"
    assert error["message"] == f"Attribute {attribute} does not support request languages: en"
    detail = error["details"][0]
    assert detail["errorType"] == "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"
    assert detail["languageNotSupportedByAttributeError"] == {"requestedLanguage": ["en"], "attribute": attribute}
    dropped = _analyze(client, "You are a pathetic idiot.", ("TOXICITY", attribute), dropUnsupportedAttributes=True)
    assert dropped.status_code == 200 and set(dropped.get_json()["attributeScores"]) == {"TOXICITY"}


def test_span_annotations_and_score_thresholds(client: FlaskClient, with_model: str) -> None:
    body = _analyze(client, HOSTILE, ("TOXICITY",), spanAnnotations=True).get_json()
    spans = body["attributeScores"]["TOXICITY"]["spanScores"]
    assert spans, "a hostile comment has spans that explain its score"
    for span in spans:
        assert 0 <= span["begin"] < span["end"] <= len(HOSTILE) and span["score"]["type"] == "PROBABILITY"
    stretches = [(span["begin"], span["end"]) for span in spans]
    assert len(stretches) == len(set(stretches)) and stretches == sorted(stretches)
    kind = client.post(ANALYZE, json={"comment": {"text": "Thanks for the thoughtful article."},
                                      "requestedAttributes": {"TOXICITY": {"scoreThreshold": 0.99}}})
    assert kind.status_code == 200 and kind.get_json()["attributeScores"] == {}


def test_a_word_both_heads_name_is_one_toxicity_span() -> None:
    # "idiot" explains both heads: TOXICITY shows it once, with the higher score; IDENTITY_ATTACK only the slur's.
    score = Score({"hostility": 0.9, "slur": 0.7}, True, (Span("hostility", 13, 18, 0.6), Span("slur", 13, 18, 0.5),
                                   Span("slur", 0, 4, 0.2)))
    result = attribute_scores(["TOXICITY", "IDENTITY_ATTACK"], score, True, {})
    assert result["TOXICITY"]["summaryScore"]["value"] == 0.9
    assert [(s["begin"], s["end"], s["score"]["value"]) for s in result["TOXICITY"]["spanScores"]] == [
        (0, 4, 0.2), (13, 18, 0.6)]
    assert result["IDENTITY_ATTACK"]["summaryScore"]["value"] == 0.7
    assert [(s["begin"], s["end"]) for s in result["IDENTITY_ATTACK"]["spanScores"]] == [(0, 4), (13, 18)]


def test_unsupported_attribute_and_language_get_perspectives_errors(client: FlaskClient, with_model: str) -> None:
    error = _is_perspective_error(_analyze(client, "hello", ("TOXICITY", "NOT_AN_ATTRIBUTE")), 400)
    assert error["details"][0]["errorType"] == "ATTRIBUTE_NOT_SUPPORTED" and "NOT_AN_ATTRIBUTE" in error["message"]
    dropped = _analyze(client, "hello", ("TOXICITY", "NOT_AN_ATTRIBUTE"), dropUnsupportedAttributes=True)
    assert dropped.status_code == 200 and set(dropped.get_json()["attributeScores"]) == {"TOXICITY"}
    error = _is_perspective_error(_analyze(client, "hallo", ("TOXICITY",), languages=["de"]), 400)
    assert error["message"] == "Attribute TOXICITY does not support request languages: de"
    assert error["details"][0]["errorType"] == "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"
    assert _analyze(client, "hello", ("TOXICITY",), languages=["en-GB"]).status_code == 200


@pytest.mark.parametrize("payload", [
    None, [], {"requestedAttributes": {"TOXICITY": {}}},
    {"comment": {"text": ""}, "requestedAttributes": {"TOXICITY": {}}},
    {"comment": {"text": "x"}}, {"comment": {"text": "x"}, "requestedAttributes": {}},
    {"comment": {"text": "x"}, "requestedAttributes": {"TOXICITY": {"scoreThreshold": 2}}},
    {"comment": {"text": "x"}, "requestedAttributes": {"TOXICITY": {}}, "doNotStore": "yes"},
    {"comment": {"text": "x"}, "requestedAttributes": {"TOXICITY": {}}, "bogus": 1},
    {"comment": {"text": "x" * 10_001}, "requestedAttributes": {"TOXICITY": {}}},
    # An attribute that would be dropped is still checked (the fuzzer's find: a bad threshold was a 200).
    {"comment": {"text": "x"}, "requestedAttributes": {"TOXICITY": {}, "NOT_AN_ATTRIBUTE": {"scoreThreshold": -1}},
     "dropUnsupportedAttributes": True},
])
def test_malformed_requests_are_400_in_perspectives_shape(client: FlaskClient, payload: object) -> None:
    response = client.post(ANALYZE, json=payload) if payload is not None else client.post(ANALYZE, data="{not json")
    _is_perspective_error(response, 400)


def test_no_model_is_503_in_perspectives_shape(client: FlaskClient) -> None:
    assert _is_perspective_error(_analyze(client, "hello"), 503)["status"] == "UNAVAILABLE"


def test_do_not_store_stores_nothing(app: Flask, client: FlaskClient, with_model: str) -> None:
    before = _row_counts(app)
    for do_not_store in (True, False):
        assert _analyze(client, HOSTILE, doNotStore=do_not_store).status_code == 200
    assert _row_counts(app) == before


def test_coral_shaped_requests(app: Flask, client: FlaskClient, with_model: str) -> None:
    # What Coral's Perspective integration sends (services/perspective in coralproject/talk).
    analyzed = client.post(f"{ANALYZE}?key=any", json={
        "comment": {"text": HOSTILE}, "doNotStore": True, "requestedAttributes": {"TOXICITY": {}},
        "languages": ["en"]})
    assert analyzed.status_code == 200
    assert 0 <= analyzed.get_json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"] <= 1
    suggested = client.post(f"{SUGGEST}?key=any", json={
        "comment": {"text": "A fair point, well made."},
        "context": {"entries": [{"text": '{"url": "https://example.com/a#c1", "Coral_comment_id": "c1"}'}]},
        "attributeScores": {"APPROVED": {"summaryScore": {"value": 1}}}, "languages": ["en"],
        "communityId": "Coral:https://example.com", "clientToken": "comment:c1"})
    assert suggested.status_code == 200, suggested.get_json()
    assert suggested.get_json() == {"requestedLanguages": ["en"], "clientToken": "comment:c1"}
    with services(app).sessions() as session:
        row = session.scalars(select(ScoreSuggestion)).one()
    assert (row.hostility, row.slur) == (0.0, 0.0) and row.attribute_scores == {"APPROVED": 1.0}
    assert row.community_id == "Coral:https://example.com" and row.client_token == "comment:c1"


def test_suggestscore_stores_a_label_candidate(app: Flask, client: FlaskClient) -> None:
    response = client.post(SUGGEST, json={"comment": {"text": "go back where you came from"},
                                          "attributeScores": {"IDENTITY_ATTACK": {"summaryScore": {"value": 0.9}},
                                                              "INSULT": {"summaryScore": {"value": 0.4}}}})
    assert response.status_code == 200
    with services(app).sessions() as session:
        row = session.scalars(select(ScoreSuggestion)).one()
    assert (row.hostility, row.slur, row.languages) == (0.4, 0.9, ["en"])
    bad = client.post(SUGGEST, json={"comment": {"text": "x"}, "attributeScores": {"TOXICITY": {"summaryScore": {}}}})
    _is_perspective_error(bad, 400)
    with services(app).sessions() as session:
        assert session.scalar(select(func.count()).select_from(ScoreSuggestion)) == 1


def test_discovery_document_describes_both_methods(client: FlaskClient) -> None:
    document = client.get("/$discovery/rest?version=v1alpha1").get_json()
    assert document["name"] == "commentanalyzer" and document["version"] == "v1alpha1"
    assert document["rootUrl"] == "http://localhost/"
    methods = document["resources"]["comments"]["methods"]
    assert {m["path"] for m in methods.values()} == {"v1alpha1/comments:analyze", "v1alpha1/comments:suggestscore"}
    for method in methods.values():
        assert method["request"]["$ref"] in document["schemas"] and method["response"]["$ref"] in document["schemas"]
    _is_perspective_error(client.get("/$discovery/rest?version=v1"), 404)
