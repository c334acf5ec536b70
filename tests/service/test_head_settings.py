"""Thresholds per head: MODERATION_HOLD_<HEAD> / MODERATION_REJECT_<HEAD> for every head, the old names included."""

from __future__ import annotations

import pytest

from service.config import ConfigError, load_settings
from service.lifecycle.policy import CATEGORIES, check_thresholds, policy_for


def test_the_existing_names_still_set_the_thresholds_of_their_heads() -> None:
    settings = load_settings({"MODERATION_HOLD_HOSTILITY": "0.7", "MODERATION_HOLD_SLUR": "0",
                              "MODERATION_REJECT_SLUR": "0.99"})
    policy = policy_for(settings, {"hostility": 0.5, "slur": 0.4})
    assert policy.hold == {"hostility": 0.7, "slur": 0.0}  # 0 is "hold everything", not "unset"
    assert policy.reject == {"hostility": None, "slur": 0.99}


def test_a_head_without_a_setting_takes_the_models_threshold() -> None:
    policy = policy_for(load_settings({"MODERATION_HOLD_HOSTILITY": "", "MODERATION_HOLD_SLUR": ""}),
                        {"hostility": 0.5, "slur": 0.4})
    assert policy.hold == {"hostility": 0.5, "slur": 0.4} and set(policy.reject) == set(CATEGORIES)
    assert not any(policy.reject.values())


def test_the_name_threshold_is_not_a_head() -> None:
    settings = load_settings({"MODERATION_HOLD_NAME": "0.8"})
    assert settings.hold_name == 0.8 and "name" not in settings.hold_thresholds
    check_thresholds(settings)


def test_a_variable_naming_no_head_is_refused_and_a_bad_value_named() -> None:
    with pytest.raises(ConfigError, match="MODERATION_HOLD_HOSTILTY"):
        check_thresholds(load_settings({"MODERATION_HOLD_HOSTILTY": "0.5"}))
    with pytest.raises(ConfigError, match="MODERATION_REJECT_SLUR"):
        load_settings({"MODERATION_REJECT_SLUR": "2"})


def test_the_app_refuses_to_start_with_a_threshold_for_no_head(app_config: dict[str, str]) -> None:
    from service.web.app import create_app

    with pytest.raises(ConfigError, match="no such head"):
        create_app({**app_config, "MODERATION_REJECT_SPAM": "0.9"})
