"""A comment's whole path on the real stack, on both backends: posted, scored by the worker process,
published or held, decided by a moderator, audited, and shown (or not) under its article."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.conftest import Stack

pytestmark = pytest.mark.integration


def _article() -> str:
    # Each test (and each backend) gets its own article, so lists hold only what the test posted.
    return f"world/2026/summit-{uuid.uuid4().hex[:8]}"


def _published(stack: Stack, article: str) -> set[int]:
    response = stack.client.get(f"/api/v1/articles/{article}/comments")
    assert response.status_code == 200
    return {item["id"] for item in response.get_json()["items"]}


def test_post_score_hold_decide_audit_publish(stack: Stack) -> None:
    article = _article()
    auth = {"Authorization": f"Bearer {stack.moderator_token(f'mod-{uuid.uuid4().hex[:6]}')}"}
    benign = stack.post("Thanks for the clear explainer on how the budget vote works.", article, name="Marta Nowak")
    hostile = stack.post("You are a pathetic idiot and a liar, shut up already.", article, name="Marta Nowak")
    abusive = stack.post("Go to hell you worthless moron, nobody wants you here.", article, name="Marta Nowak")

    scored = stack.wait_scored(benign, hostile, abusive)
    assert scored[benign]["status"] == "published"
    assert scored[hostile]["status"] == "held" and "model:hostility" in scored[hostile]["hold_reasons"]
    assert scored[abusive]["status"] == "held"
    assert scored[hostile]["spans"], "a held comment says which words drove its score"
    assert _published(stack, article) == {benign}

    queue = stack.client.get(f"/api/v1/moderation/queue?article_id={article}", headers=auth)
    assert queue.status_code == 200
    assert {item["id"] for item in queue.get_json()["items"]} == {hostile, abusive}

    approved = stack.client.post(f"/api/v1/moderation/comments/{hostile}/decision", headers=auth,
                                 json={"action": "approve", "reason": "harsh but aimed at an argument"})
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    rejected = stack.client.post(f"/api/v1/moderation/comments/{abusive}/decision", headers=auth,
                                 json={"action": "reject", "labels": ["hostility"]})
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"
    again = stack.client.post(f"/api/v1/moderation/comments/{abusive}/decision", headers=auth,
                              json={"action": "approve"})
    assert again.status_code == 409, "a decided comment is not decided twice"

    actions = stack.client.get("/api/v1/moderation/actions", headers=auth).get_json()["items"]
    mine = {row["comment_id"]: row for row in actions if row["comment_id"] in (hostile, abusive)}
    assert mine[hostile]["action"] == "approve" and mine[hostile]["labels"] == []
    assert mine[abusive]["action"] == "reject" and mine[abusive]["labels"] == ["hostility"]
    assert mine[hostile]["actor"].startswith("mod-") and mine[hostile]["model_version"]

    assert _published(stack, article) == {benign, hostile}
    remaining = stack.client.get(f"/api/v1/moderation/queue?article_id={article}", headers=auth).get_json()
    assert remaining["total"] == 0


def test_a_geopolitics_thread(stack: Stack) -> None:
    article = _article()
    ironic = stack.post(
        "Oh wonderful, another summit where everyone agrees to agree on nothing 🙃 "
        "Wake me when the ceasefire actually holds.", article, name="Marta Nowak", author="reader-1")
    derisive = stack.post(
        "Typical French, they'd surrender the negotiating table before the talks even start 🏳️😂",
        article, name="history_buff", author="reader-2")
    trope = stack.post(
        "The Jews are behind this war too, they always profit from both sides.",
        article, name="KKK", author="reader-3")

    scored = stack.wait_scored(ironic, derisive, trope)

    assert scored[ironic]["status"] == "published", scored[ironic]
    assert ironic in _published(stack, article)

    mocking = scored[derisive]
    assert mocking["status"] in ("published", "held") and mocking["scored_at"]
    assert all(0.0 <= mocking["scores"][key] <= 1.0 for key in ("hostility", "slur", "name_hostility", "name_slur"))

    hateful = scored[trope]
    assert hateful["status"] == "held", hateful
    reasons = hateful["hold_reasons"]
    assert any(reason.startswith("model:") for reason in reasons) and "name" in reasons, reasons
    assert trope not in _published(stack, article)
