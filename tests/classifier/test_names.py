"""Display names by the word lists: the score, and what matched and why (asked once)."""

from __future__ import annotations

import pytest

from classifier.bundle import Bundle
from classifier.names import NameMatch
from classifier.scoring import Scorer


@pytest.mark.parametrize(("name", "match"), [
    ("Dave", None), ("Gay Muslim", None), ("mike88", None),
    ("KKK", NameMatch("KKK", "hate symbol", 0.99)),
    ("WhiteBoy1488", NameMatch("1488", "hate symbol", 0.99)),
    ("WhiteBoy14_88", NameMatch("14 88", "hate symbol", 0.99)),
    ("ZogWatcher", NameMatch("Zog", "hate symbol", 0.99)),  # the camelCase piece, not the whole run
])
def test_a_name_says_what_matched_and_why(seed_bundle: Bundle, name: str, match: NameMatch | None) -> None:
    scored = Scorer(seed_bundle).score_name(name)
    assert scored.match == match
    assert scored.slur == (match.score if match else 0.0) and scored.hostility == scored.slur
