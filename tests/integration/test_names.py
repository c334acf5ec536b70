"""Author display names, scored as the worker scores them (the comment model on the bare name).

Hate-symbol names must be held; ordinary names must not. The second half does not hold yet: a name of
one or two words is far outside what the comment model learned from, and several common first names
score over the hold thresholds. The test is a strict xfail so that it turns red, and gets its marker
removed, the day names are scored in a way that works.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier.bundle import load_bundle
from classifier.scoring import Scorer
from service.config import load_settings
from service.policy import policy_for
from worker.tasks import score_result

pytestmark = pytest.mark.integration

HATEFUL = ["KKK", "ZOG"]
ORDINARY = ["Dave", "Maria", "Jen", "Ahmed", "Fatima", "Sophie", "Emma", "Observer", "Peter Müller"]


@pytest.fixture(scope="module")
def scorer(integration_model: Path) -> Scorer:
    return Scorer(load_bundle(integration_model))


def _name_held(scorer: Scorer, name: str) -> bool:
    result = score_result(scorer, "Thanks for the article.", name)
    policy = policy_for(load_settings({}), scorer.thresholds)
    return bool(policy.over({"hostility": result.name_hostility, "slur": result.name_slur}, policy.hold))


def test_hate_symbol_names_are_held(scorer: Scorer) -> None:
    assert [name for name in HATEFUL if not _name_held(scorer, name)] == []


@pytest.mark.xfail(strict=True, reason="the comment model scores many ordinary names over the hold thresholds")
def test_ordinary_names_are_not_held(scorer: Scorer) -> None:
    assert [name for name in ORDINARY if _name_held(scorer, name)] == []
