"""What part of a display name held a comment, as the workbench shows it (service.lifecycle.assess.name_match),
asked of a real model's name rules (the seed model with the hate-symbol list)."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier.bundle import load_bundle
from classifier.scoring import Scorer
from service.config import load_settings
from service.lifecycle.assess import assess, assess_many


@pytest.fixture(scope="module")
def scorer(trained_bundle: Path) -> Scorer:
    return Scorer(load_bundle(trained_bundle))


@pytest.mark.parametrize("name,part,why", [
    ("WhiteBoy1488", "1488", "hate symbol"),
    ("Aryan_Warrior_1488", "1488", "hate symbol"),
    ("KKK", "KKK", "hate symbol"),
    ("WhiteBoy14_88", "14 88", "hate symbol"),  # "14 88" is on the list as a pair
])
def test_the_part_that_matched_and_why(scorer: Scorer, name: str, part: str, why: str) -> None:
    result = assess(scorer, load_settings({}), "Thanks for the article.", name).result()
    assert result.name_scores["slur"] >= 0.9
    assert result.name_match == {"part": part, "why": why}


def test_an_ordinary_name_has_no_match_in_a_batch_either(scorer: Scorer) -> None:
    single = assess(scorer, load_settings({}), "Thanks.", "Dave").result()
    batch = assess_many(scorer, load_settings({}), ["Thanks.", "Thanks."], ["Dave", "rahowa_fan"])
    assert single.name_match is None and batch[0].result().name_match is None
    assert batch[1].result().name_match == {"part": "rahowa", "why": "hate symbol"}
