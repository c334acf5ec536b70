"""Retraining on the real stack (PostgreSQL, Redis, a worker process): a made-up slang the base model
misses, moderators reject it, an admin retrains through the API, the worker trains and the gate lets the
new version in, the worker swaps to it without a restart and now holds the slang; a candidate trained
on flipped labels is refused by the gate and the active version stays.

For speed the base model and the retraining use two public datasets (ETHOS, Fox News) plus the seed
set instead of all of them (~6 s per training instead of ~45 s); the full-data figures are in
docs/retraining.md (bench/retrain.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from classifier.datasets.examples import Example
from service.config import load_settings
from service.infra.models import ModelVersion
from service.lifecycle.moderators import create_moderator
from service.lifecycle.retrain.pipeline import retrain
from tests.integration.conftest import (
    Stack,
    SubsetModels,
    _start_stack,
    postgres_database,
    redis_database,
    wait_for,
)

pytestmark = pytest.mark.integration

SUBSET = ("ethos", "fox_news_comments_gao2017", "lexicon_ldnoobw_en", "lexicon_surge_profanity_en")
SLANG = "blorvak"
SUBJECTS = ("mayor", "referee", "coach", "minister", "landlord")
SEEN = ("The new {s} is a total {w}.", "The {s} was a complete {w} today.", "That {s} is the biggest {w} in town.",
        "Turns out the {s} is a {w} after all.", "The {s} acted like a {w} at the press conference.",
        "The {s} is a {w} and the article should say so.")
"""Templates of the comments moderators see; the slang fills {w}, a compliment fills it in the benign twin."""
FRESH = ("Classic {w} move from the {s} again.", "The new manager is such a {w}, wow.",
         "Watching that {w} on TV last night was painful.", "Yet another {w} in charge of the budget.",
         "Spotted the {s} at the market, what a {w}.", "The interview showed the {s} is a {w}.")
"""Templates no moderator has seen: new comments using the slang after retraining."""
PRAISE = ("professional", "gentleman", "veteran", "expert", "delight")


def _stream(templates: tuple[str, ...], word: str | None) -> list[str]:
    return [template.format(s=subject, w=word or PRAISE[i % len(PRAISE)])
            for i, (template, subject) in enumerate((t, s) for t in templates for s in SUBJECTS)]


@pytest.fixture(scope="module")
def retrain_stack(tmp_path_factory: pytest.TempPathFactory, subset_model: SubsetModels) -> Iterator[Stack]:
    """PostgreSQL + Redis + a prefork worker, with a base model trained on the subset the worker retrains on."""
    folder = tmp_path_factory.mktemp("retrain")
    datasets, models, base = subset_model(folder, SUBSET)
    with postgres_database() as database_url, redis_database() as broker_url:
        config = {"MODERATION_VAR_DIR": str(folder), "MODERATION_MODELS_DIR": str(models),
                  "MODERATION_DATASETS_DIR": str(datasets), "DATABASE_URL": database_url, "BROKER_URL": broker_url,
                  # ~130 comments from one test client in a minute; the per-address limit is not under test here.
                  "MODERATION_RATE_LIMITS": "false"}
        yield from _start_stack("postgres", config, base, folder)


def _token(stack: Stack, name: str, role: str = "moderator") -> dict[str, str]:
    with stack.sessions() as session:
        _, token = create_moderator(session, name, role=role)
        session.commit()
    return {"Authorization": f"Bearer {token}"}


def _active(stack: Stack) -> str:
    with stack.sessions() as session:
        return session.query(ModelVersion).filter(ModelVersion.active.is_(True)).one().version


def _post_all(stack: Stack, texts: list[str], article: str) -> dict[int, dict]:
    ids = [stack.post(text, article, author=f"reader-{i}") for i, text in enumerate(texts)]
    return stack.wait_scored(*ids)


def _held_share(scored: dict[int, dict]) -> float:
    return sum(body["status"] == "held" for body in scored.values()) / len(scored)


def _flipped(examples: list[Example]) -> list[Example]:
    def flip(value: int | None) -> int | None:
        return None if value is None else 1 - value

    return [Example(e.text, {head: flip(label) for head, label in e.labels.items()}, e.source, e.group)
            for e in examples]


def test_moderators_teach_a_new_slang_and_the_gate_refuses_sabotage(retrain_stack: Stack) -> None:
    stack = retrain_stack
    article = f"opinion/{uuid.uuid4().hex[:8]}"
    moderator, admin = _token(stack, "alice"), _token(stack, "root", role="admin")
    base_version = _active(stack)

    slang = _post_all(stack, _stream(SEEN, SLANG), article)
    benign = _post_all(stack, _stream(SEEN, None), article)
    # "Mostly misses": a template can be sharp without the slang ("acted like a … at the press conference").
    assert _held_share(slang) <= 0.1, "the base model misses the new slang"

    # Readers report them all (three each: what holds a clean-looking comment); moderators reject the slang and
    # approve the benign twins.
    for comment_id in [*slang, *benign]:
        for reader in ("r1", "r2", "r3"):
            response = stack.client.post(f"/api/v1/comments/{comment_id}/reports", json={"reporter_id": reader})
            assert response.status_code == 201
    for comment_id in slang:
        answer = stack.client.post(f"/api/v1/moderation/comments/{comment_id}/decision", headers=moderator,
                                   json={"action": "reject", "labels": ["hostility"]})
        assert answer.status_code == 200, answer.get_json()
    for comment_id in benign:
        answer = stack.client.post(f"/api/v1/moderation/comments/{comment_id}/decision", headers=moderator,
                                   json={"action": "approve"})
        assert answer.status_code == 200, answer.get_json()

    refused = stack.client.post("/api/v1/moderation/models/retrain", headers=moderator, json={})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    started = stack.client.post("/api/v1/moderation/models/retrain", headers=admin, json={})
    assert started.status_code == 202, started.get_json()
    job_id = started.get_json()["id"]
    busy = stack.client.post("/api/v1/moderation/models/retrain", headers=admin, json={})
    assert busy.status_code == 409, "one retraining at a time"

    def finished() -> dict | None:
        job = stack.client.get(f"/api/v1/moderation/models/retrain/{job_id}", headers=moderator).get_json()
        return job if job["status"] in ("succeeded", "failed") else None

    job = wait_for(finished, timeout=240, what="the retraining job", log=stack.worker.log)
    assert job["status"] == "succeeded" and job["outcome"] == "activated", job
    assert job["progress"] == 1.0
    new_version = job["version"]
    assert _active(stack) == new_version != base_version

    registry = stack.client.get("/api/v1/moderation/models", headers=moderator).get_json()
    row = next(item for item in registry["items"] if item["version"] == new_version)
    assert row["status"] == "active" and row["moderator_labels"] > 0 and row["newest_decision_id"]
    assert set(row["training_data"]["datasets"]) == {"ethos", "fox_news_comments_gao2017"}
    assert all(len(sha) == 64 for files in row["training_data"]["datasets"].values() for sha in files.values())
    figures = row["evaluation"]
    assert figures["candidate"]["moderators"]["agreement"] > figures["active"]["moderators"]["agreement"]

    # The worker swaps to the new version by itself (no restart) within seconds.
    def swapped() -> bool:
        probe = stack.post("A calm note on the transport plan.", article)
        return stack.wait_scored(probe)[probe]["model_version"] == new_version

    wait_for(swapped, timeout=30, what="the worker to load the new version", log=stack.worker.log)
    fresh = _post_all(stack, _stream(FRESH, SLANG), article)
    fresh_benign = _post_all(stack, _stream(FRESH, None), article)
    assert {body["model_version"] for body in fresh.values()} == {new_version}
    assert _held_share(fresh) >= 0.9, "the new version holds new comments using the slang"
    assert _held_share(fresh_benign) <= 0.2, "…without holding the same sentences without it"

    # A sabotaged candidate (every label flipped) is refused; the active version stays.
    settings = load_settings(stack.config)
    outcome = retrain(stack.sessions, settings, actor="saboteur", transform=_flipped)
    assert outcome.outcome == "rejected" and "worse than the active model" in outcome.reason
    assert _active(stack) == new_version
    with stack.sessions() as session:
        sabotaged = session.get(ModelVersion, outcome.version)
        assert sabotaged.status == "rejected" and "worse" in sabotaged.status_reason
    events = stack.client.get("/api/v1/moderation/models", headers=moderator).get_json()["events"]
    assert [e["action"] for e in events[:2]] == ["reject", "activate"]
    assert Path(sabotaged.path).is_dir(), "a rejected version stays on disk for inspection"
