"""Author display names, scored as the worker scores them (the comment model on the bare name).

Hate-symbol names must be held; ordinary names, including identity words, must not. Names are judged
by the word lists (classifier.scoring.Scorer.score_name): the comment model reads "Dave" as hostile.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier.bundle import load_bundle
from classifier.scoring import Scorer
from service.config import load_settings
from service.lifecycle.assess import assess

pytestmark = pytest.mark.integration

HATEFUL = ["KKK", "ZOG", "1488", "WPWW", "Aryan_Warrior_1488", "WhiteBoy14_88"]
ORDINARY = ["Dave", "Maria", "Jen", "Ahmed", "Fatima", "Sophie", "Emma", "Observer", "Peter Müller", "Gay Muslim",
            "Jewish Mom", "Mike1988"]


@pytest.fixture(scope="module")
def scorer(integration_model: Path) -> Scorer:
    return Scorer(load_bundle(integration_model))


def _name_held(scorer: Scorer, name: str) -> bool:
    assessment = assess(scorer, load_settings({}), "Thanks for the article.", name)
    result = assessment.result()
    return assessment.policy.holds_name(result.name_scores)


def test_hate_symbol_names_are_held(scorer: Scorer) -> None:
    assert [name for name in HATEFUL if not _name_held(scorer, name)] == []


def test_ordinary_names_are_not_held(scorer: Scorer) -> None:
    assert [name for name in ORDINARY if _name_held(scorer, name)] == []
