"""Readers' reports as a policy, and what the public may read of a comment, on the real stack (both backends:
a worker process scores every comment; PostgreSQL + Redis and the embedded default).

A second app on the same database and broker shows the settings that differ from the stack's (site keys, the
report rule's fraction), as a second web process of the same deployment would.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask

from service.lifecycle.store import submit_comment
from service.web.app import create_app
from tests.integration.conftest import Stack

pytestmark = pytest.mark.integration

STATUS_ONLY = {"id", "article_id", "parent_id", "status", "created_at"}
"""What the public sees of a comment that is not visible."""
BENIGN = ["Thanks for the clear explainer on how the budget vote works.",
          "The minister's budget is a joke and the figures on page three do not add up.",
          "A fair summary, though the committee's timeline seems optimistic to me.",
          "Honestly this policy is daft, and whoever wrote it never rode a bus.",
          "Good reporting; I would like to see the full poll numbers next time."]


def _article() -> str:
    return f"reports/{uuid.uuid4().hex[:8]}"


@contextmanager
def _app(stack: Stack, **overrides: str) -> Iterator[Flask]:
    app = create_app({**stack.config, **overrides})
    try:
        yield app
    finally:
        app.extensions["moderation"].dispose()


def _report(client, comment_id: int, body: dict | None = None, **kwargs: object) -> dict:
    response = client.post(f"/api/v1/comments/{comment_id}/reports", json=body or {}, **kwargs)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _ratio(stack: Stack, comment: dict, thresholds: dict[str, float]) -> float:
    """How close a comment's scores came to holding it: the larger score / hold threshold of the two heads."""
    return max(comment["scores"][c] / thresholds[c] for c in ("hostility", "slur"))


def test_reports_hold_by_distinct_reporters_a_high_score_or_a_moderator(stack: Stack) -> None:
    article = _article()
    token = stack.moderator_token(f"reporter-{uuid.uuid4().hex[:6]}")
    auth = {"Authorization": f"Bearer {token}"}
    ids = [stack.post(text, article, author=f"a{i}") for i, text in enumerate(BENIGN)]
    scored = stack.wait_scored(*ids)
    published = [i for i in ids if scored[i]["status"] == "published"]
    assert len(published) >= 3, {i: scored[i]["scores"] for i in ids}
    clean, by_moderator, *rest = published

    # One anonymous report does not unpublish a clean comment, nor does the same reporter reporting again.
    assert _report(stack.client, clean, {"reason": "spam"})["status"] == "published"
    assert _report(stack.client, clean, {"reason": "spam"})["status"] == "published"
    assert _report(stack.client, clean, {"reporter_id": "reader-1"})["status"] == "published"
    assert _report(stack.client, clean, {"reporter_id": "reader-1"})["status"] == "published"
    assert stack.comment(clean)["status"] == "published" and stack.comment(clean)["report_count"] == 4
    # The third distinct reporter (the address, reader-1, reader-2) holds it.
    third = _report(stack.client, clean, {"reporter_id": "reader-2", "reason": "harassment"})
    assert third == {"comment_id": clean, "status": "held", "report_count": 5}
    assert stack.comment(clean)["hold_reasons"] == ["report"]
    queue = stack.client.get(f"/api/v1/moderation/queue?article_id={article}&reason=report", headers=auth)
    assert [item["id"] for item in queue.get_json()["items"]] == [clean]

    # A moderator (a bearer token) is trusted: one report holds at once; a bad token is refused, not ignored.
    refused = stack.client.post(f"/api/v1/comments/{by_moderator}/reports", json={},
                                headers={"Authorization": "Bearer not-a-token"})
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "unauthorized"
    assert _report(stack.client, by_moderator, {"reason": "spam"}, headers=auth)["status"] == "held"

    # One report is enough on a comment that already scored high: at or over the fraction of the hold threshold
    # (here chosen between two published comments' scores, so one is high and the other is not).
    models = stack.client.get("/api/v1/moderation/models", headers=auth).get_json()["items"]
    thresholds = next(m["thresholds"] for m in models if m["active"])
    ratios = {i: _ratio(stack, scored[i], thresholds) for i in rest}
    assert len(rest) >= 1
    high = max(ratios, key=ratios.get)
    candidates = [i for i in rest if ratios[i] < ratios[high]]
    fraction = (ratios[high] + max((ratios[i] for i in candidates), default=0.0)) / 2
    with _app(stack, MODERATION_REPORT_SCORE_FRACTION=str(round(fraction, 6))) as app:
        client = app.test_client()
        for low in candidates:
            assert _report(client, low, {"reason": "spam"})["status"] == "published", (ratios, fraction)
        assert _report(client, high, {"reason": "spam"})["status"] == "held", (ratios, fraction)
    assert stack.comment(high)["hold_reasons"] == ["report"]


def _arrange_every_status(stack: Stack, article: str, auth: dict) -> dict[str, tuple[int, str]]:
    """One comment in each status; their ids and texts by status."""
    texts = {"published": "Thanks for the clear explainer on how the budget vote works.",
             "held": "You are a pathetic idiot and a liar, shut up already.",
             "approved": "Go to hell you worthless moron, nobody wants you here.",
             "rejected": "You are a pathetic worthless idiot, go die."}
    ids = {status: stack.post(text, article, author=f"p-{status}") for status, text in texts.items()}
    scored = stack.wait_scored(*ids.values())
    assert scored[ids["published"]]["status"] == "published"
    assert all(scored[ids[s]]["status"] == "held" for s in ("held", "approved", "rejected")), scored
    for status, action in (("approved", "approve"), ("rejected", "reject")):
        decided = stack.client.post(f"/api/v1/moderation/comments/{ids[status]}/decision", headers=auth,
                                    json={"action": action})
        assert decided.status_code == 200 and decided.get_json()["status"] == status
    found = {status: (ids[status], texts[status]) for status in texts}
    # Pending: a comment whose scoring task was never sent (the sweeper sends it a minute later); read it now.
    with stack.sessions() as session:
        pending = submit_comment(session, article_id=article, author_id="p-pending", author_name="Reader",
                                 text="Still waiting for its scores, this one.")
        session.commit()
        found["pending"] = (pending.id, pending.text)
    return found


def test_the_public_sees_the_text_and_scores_only_of_visible_comments(stack: Stack) -> None:
    article = _article()
    auth = {"Authorization": f"Bearer {stack.moderator_token(f'privacy-{uuid.uuid4().hex[:6]}')}"}
    comments = _arrange_every_status(stack, article, auth)
    with _app(stack, MODERATION_SITE_KEYS="site-key-1,site-key-2") as keyed:
        keyed_client = keyed.test_client()
        viewers = {  # (client, request options): with site keys set, and (the stack's app) without any
            ("keys set", "anonymous"): (keyed_client, {}),
            ("keys set", "site key"): (keyed_client, {"query_string": {"key": "site-key-2"}}),
            ("keys set", "site key header"): (keyed_client, {"headers": {"X-Site-Key": "site-key-1"}}),
            ("keys set", "moderator"): (keyed_client, {"headers": auth}),
            ("no keys", "anonymous"): (stack.client, {}),
            ("no keys", "a key anyway"): (stack.client, {"query_string": {"key": "site-key-1"}}),
            ("no keys", "moderator"): (stack.client, {"headers": auth}),
        }
        for status, (comment_id, text) in comments.items():
            for (deployment, who), (client, options) in viewers.items():
                response = client.get(f"/api/v1/comments/{comment_id}", **options)
                assert response.status_code == 200, (status, deployment, who, response.get_json())
                body = response.get_json()
                assert body["status"] == status and body["id"] == comment_id
                privileged = who in ("site key", "site key header", "moderator") and (
                    deployment == "keys set" or who == "moderator")
                if status in ("published", "approved") or privileged:
                    assert body["text"] == text and "scores" in body and "hold_reasons" in body, (status, who)
                    assert body["author"]["id"] == f"p-{status}"
                else:
                    assert set(body) == STATUS_ONLY, (status, deployment, who, body)
                    assert text not in response.get_data(as_text=True)
        # A key that is wrong is refused, never taken for "no key".
        wrong = keyed_client.get(f"/api/v1/comments/{comments['held'][0]}?key=not-the-key")
        assert wrong.status_code == 403 and wrong.get_json()["error"] == {
            "code": "forbidden", "message": wrong.get_json()["error"]["message"], "field": "key"}
        bad_token = keyed_client.get(f"/api/v1/comments/{comments['held'][0]}",
                                     headers={"Authorization": "Bearer not-a-token"})
        assert bad_token.status_code == 401
