"""A head declared once is scored, stored, explained, filterable and served with no other edit (issue 17, item 2).

Each test runs in a fresh interpreter that first appends a throw-away head ("spam", answering Perspective's SPAM)
to ``classifier.heads`` before anything else is imported, then follows one comment through the service: posted
through the API, scored, held on ``MODERATION_HOLD_SPAM``, explained, listed by ``?category=spam``, shown by the
API, the workbench and a webhook with the new key, decided with the new label, and described by the OpenAPI
document and the Perspective attribute map.

The first test records the worker's scores itself (``record_score``, as the worker's task does), so it needs no
model; the second trains a tiny model on the seed corpus with a column for the new head and scores with it
(``assess``, the worker's own call), as the worker would with a model trained after the head was declared: the
classifier learns the new head from its own column.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ENCODER_CACHE, REPOSITORY

DECLARE = '''
import classifier.heads as heads

heads.HEAD_SPECS = (*heads.HEAD_SPECS, heads.Head("spam", "advertising and other unsolicited promotion", "SPAM"))
heads.HEADS = tuple(head.name for head in heads.HEAD_SPECS)
'''
"""Run first: the new head, declared as classifier/heads.py would declare it."""

FOLLOW = '''
import csv
import re
import sys
from pathlib import Path

from sqlalchemy import select

from service.infra.db import upgrade
from service.infra.integration_models import WebhookDelivery
from service.infra.models import Comment
from service.lifecycle.assess import ScoreResult, assess
from service.lifecycle.moderators import create_moderator
from service.lifecycle.policy import CATEGORIES, policy_for
from service.lifecycle.transitions import record_score
from service.lifecycle.webhooks.registry import add_webhook
from service.web.app import create_app
from service.web.moderate.explain import Explainer
from service.web.perspective.attributes import ATTRIBUTES

mode, tmp = sys.argv[1], Path(sys.argv[2])
assert CATEGORIES[-1] == "spam", CATEGORIES
url = f"sqlite:///{tmp / 'moderation.sqlite3'}"
upgrade(url)
app = create_app({"DATABASE_URL": url, "BROKER_URL": "filesystem://", "MODERATION_VAR_DIR": str(tmp / "var"),
                  "MODERATION_MODELS_DIR": str(tmp / "var" / "models"), "MODERATION_HOLD_HOSTILITY": "1",
                  "MODERATION_HOLD_SLUR": "1", "MODERATION_HOLD_NAME": "1",
                  "MODERATION_HOLD_SPAM": "0" if mode == "model" else "0.5"})
services = app.extensions["moderation"]
settings = services.settings
client = app.test_client()
with services.sessions() as session:
    _, token = create_moderator(session, "alice", password="s3cret-pass")
    add_webhook(session, "https://site.example/hook", ["held"])
    session.commit()
auth = {"Authorization": f"Bearer {token}"}
text = "Buy cheap followers now at example dot com, limited offer!"
posted = client.post("/api/v1/comments", json={"article_id": "a1", "author": {"id": "u1", "name": "Seller"},
                                               "text": text})
assert posted.status_code == 202, posted.get_json()
comment_id = posted.get_json()["id"]

# Scored: what the worker's task does with the comment (service.lifecycle.assess, then record_score).
with services.sessions() as session:
    if mode == "model":
        from classifier.training import TrainingSources, train
        from service.lifecycle.active_model import register_bundle

        seed = tmp / "seed"
        seed.mkdir()
        for source in (Path("data/seed/seed.csv"), Path("data/seed/hard_cases.csv")):
            with source.open(encoding="utf-8", newline="") as opened:
                rows = [{**row, "spam": "0"} for row in csv.DictReader(opened)]
            # Distinct adverts in each file (the corpus keeps a text once), enough that every split of the
            # training (test share, calibration share) holds some.
            rows += [{"text": f"{opening} {thing} at {site}, {source.stem} deal!", "hostility": "0", "slur": "0",
                      "spam": "1"}
                     for thing in ("followers", "watches", "pills", "likes", "tickets", "loans", "crypto", "views")
                     for opening, site in (("Buy cheap", "example dot com"), ("Get free", "deals dot biz"),
                                           ("Order discount", "shop dot net"), ("Cheapest", "offers dot io"),
                                           ("Limited offer on", "promo dot xyz"))]
            with (seed / source.name).open("w", encoding="utf-8", newline="") as written:
                writer = csv.DictWriter(written, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
        bundle = train(TrainingSources(None, seed, Path("data/lexicons/hate_symbols.csv")), tmp / "models").path
        register_bundle(session, bundle, activate=True)
        session.commit()
        assessment = assess(services.model.scorer(), settings, text, "Seller")
        assert "spam" in assessment.score.scores, assessment.score.scores
        # Learned from its own column: the advert scores high on spam, an ordinary comment does not.
        ordinary = services.model.scorer().score("The council meets on Tuesday to discuss the budget.")
        assert assessment.score.scores["spam"] >= 0.5 > ordinary.scores["spam"], (assessment.score, ordinary)
        result, policy = assessment.result(), assessment.policy
    else:
        result = ScoreResult({"hostility": 0.1, "slur": 0.0, "spam": 0.93},
                             [{"label": "spam", "begin": 0, "end": 3, "score": 0.61}],
                             {"hostility": 0.0, "slur": 0.0, "spam": 0.0}, "v-spam")
        policy = policy_for(settings, {})
    assert policy.hold["spam"] == (0.0 if mode == "model" else 0.5), policy
    record_score(session, comment_id, result, policy)
    session.commit()

# Stored and held on MODERATION_HOLD_SPAM.
detail = client.get(f"/api/v1/comments/{comment_id}", headers=auth).get_json()
assert detail["status"] == "held" and detail["hold_reasons"] == ["model:spam"], detail
assert set(detail["scores"]) == {"hostility", "slur", "spam", "name_hostility", "name_slur", "name_spam"}, detail
assert detail["scores"]["spam"] == round(result.scores["spam"], 4)

# Filterable, in the API and the workbench.
queue = client.get("/api/v1/moderation/queue", query_string={"category": "spam"}, headers=auth).get_json()
assert [item["id"] for item in queue["items"]] == [comment_id], queue
assert client.get("/api/v1/moderation/queue", query_string={"category": "slur"}, headers=auth).get_json()["total"] == 0

# Explained.
with services.sessions() as session:
    reasons = Explainer(session, settings).reasons(session.get(Comment, comment_id))
    assert [reason.code for reason in reasons] == ["model:spam"]
    assert re.fullmatch(r"spam \\d\\.\\d\\d ≥ hold 0\\.\\d\\d", reasons[0].text), reasons

# Shown by the workbench: the filter, the legend with the head's meaning, its score and its label.
csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/moderate/login").get_data(as_text=True))[1]
client.post("/moderate/login", data={"username": "alice", "password": "s3cret-pass", "csrf_token": csrf, "next": ""})
page = client.get("/moderate/", query_string={"category": "spam"}).get_data(as_text=True)
assert f'id="comment-{comment_id}"' in page
assert '<option value="spam" selected>spam</option>' in page
assert "advertising and other unsolicited promotion" in page and 'class="span span-spam"' in page
assert '<input type="checkbox" name="labels" value="spam"' in page and "checked> spam" in page

# Served to a webhook in the API's shape.
with services.sessions() as session:
    delivery = session.scalars(select(WebhookDelivery)).one()
    assert delivery.payload["comment"]["scores"] == detail["scores"], delivery.payload

# Decided with the new label; the audit row carries the new head's score.
decided = client.post(f"/api/v1/moderation/comments/{comment_id}/decision", headers=auth,
                      json={"action": "reject", "labels": ["spam"]})
assert decided.status_code == 200, decided.get_json()
assert decided.get_json()["labels"] == ["spam"] and decided.get_json()["spam"] == detail["scores"]["spam"]

# Described: the OpenAPI document and the Perspective attribute map.
schemas = client.get("/api/openapi.json").get_json()["components"]["schemas"]
assert "spam" in schemas["CommentDetail"]["allOf"][1]["properties"]["scores"]["properties"]
assert "spam" in schemas["AnalyzeResult"]["required"] and "spam" in schemas["Decision"]["properties"]
assert "spam" in schemas["DecisionCreate"]["properties"]["labels"]["oneOf"][0]["items"]["enum"]
assert ATTRIBUTES["SPAM"] == "spam"
if mode == "model":
    analyzed = client.post("/v1alpha1/comments:analyze", json={"comment": {"text": text},
                                                                "requestedAttributes": {"SPAM": {}}})
    assert analyzed.status_code == 200 and "SPAM" in analyzed.get_json()["attributeScores"], analyzed.get_json()
    assert "spam" in client.post("/api/v1/analyze", json={"text": text}).get_json()
app.extensions["moderation"].dispose()
print("followed")
'''
"""Then: the comment's road through the service (mode ``served``: the worker's scores recorded as given;
``model``: scored by a tiny model trained with the new head)."""


def _follow(mode: str, tmp_path: Path) -> None:
    env = {**os.environ, "MODERATION_ENCODER_CACHE": str(ENCODER_CACHE)}
    env = {name: value for name, value in env.items()
           if not name.startswith(("MODERATION_HOLD_", "MODERATION_REJECT_"))}
    done = subprocess.run([sys.executable, "-c", DECLARE + FOLLOW, mode, str(tmp_path)], capture_output=True,
                          text=True, cwd=REPOSITORY, env=env, timeout=600)
    assert done.returncode == 0 and done.stdout.strip().endswith("followed"), done.stderr[-6000:]


def test_a_new_head_is_stored_held_explained_filtered_and_served(tmp_path: Path) -> None:
    _follow("served", tmp_path)


def test_a_model_trained_with_a_new_head_scores_it_end_to_end(tmp_path: Path) -> None:
    _follow("model", tmp_path)
