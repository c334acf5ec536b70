"""Schemathesis against the app's own OpenAPI document, in-process (WSGI): no 500, no response off its schema.

Every operation gets up to ``FUZZ_EXAMPLES`` examples (default 300, "a few hundred": about a minute on two
cores; a deeper run sets e.g. FUZZ_EXAMPLES=2000), valid and invalid inputs alike, sent as an admin so the
fuzzer gets past the token check (anonymous and wrong-role access are test_access.py's business). Rate
limits are off here: the fuzzer is one client sending thousands of requests a minute.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.core.failures import AcceptedNegativeData, FailureGroup
from schemathesis.specs.openapi.checks import positive_data_acceptance

from service.config import load_settings
from service.lifecycle.active_model import register_bundle
from service.lifecycle.moderators import create_moderator
from service.web.openapi import openapi_document
from tests.security.conftest import AppFactory

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))
SETTINGS = {"MODERATION_RATE_LIMITS": "false", "MODERATION_MAX_TEXT": "2000", "MODERATION_PAGE_SIZE": "20",
            "MODERATION_SITE_KEYS": "", "MODERATION_CORS_ORIGINS": "",
            # On, so its endpoint answers a request without a signature with 401 rather than 404 (off).
            "MODERATION_CORAL_SECRETS": "fuzzing-secret"}
SKIPPED_CHECKS = [positive_data_acceptance]
"""A schema-valid request may still be refused with 400 for a rule a JSON schema cannot state (a reply to a
comment on another article, labels on an approval, a text of only spaces); every other check stays on,
including that schema-invalid input is refused."""

# The document is built from the same settings as the app below; the first test checks the app serves it.
schema = schemathesis.openapi.from_dict(openapi_document(load_settings(SETTINGS)))
# Unknown query parameters are ignored by design (links carry tracking parameters); unknown body fields are
# refused, and the fuzzer still sends those.
schema.config.generation.update(allow_extra_parameters=False)

pytestmark = pytest.mark.fuzz


@pytest.fixture(scope="module")
def fuzzed(make_app: AppFactory, trained_bundle: Path) -> Iterator[tuple[Flask, str]]:
    """An embedded app with the seed model active, rate limits off, and an admin's token."""
    app = make_app(**SETTINGS)
    with app.extensions["moderation"].sessions() as session:
        register_bundle(session, trained_bundle, activate=True)
        _, token = create_moderator(session, "fuzzer", role="admin")
        session.commit()
    yield app, token


def test_the_fuzzed_document_is_the_one_the_app_serves(fuzzed: tuple[Flask, str]) -> None:
    served = fuzzed[0].test_client().get("/api/openapi.json").get_json()
    assert served == schema.raw_schema


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_conforms_to_the_document(case: schemathesis.Case, fuzzed: tuple[Flask, str]) -> None:
    app, token = fuzzed
    # In-process (WSGI); the checks' own probes (the same request without the token, say) go there too.
    case.operation.app = case.operation.schema.app = app
    try:
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=SKIPPED_CHECKS)
    except FailureGroup as failures:
        if not _vanished_in_the_query_string(case, failures):
            raise


def _vanished_in_the_query_string(case: schemathesis.Case, failures: FailureGroup) -> bool:
    """The fuzzer's own false alarm: a query value that is "invalid" only as a JSON type is reported as
    "accepted" although a URL cannot carry that type. A number or boolean arrives as its text (``moderator=
    2873602`` is a valid name), and an empty array or object, or one holding only such things, arrives as
    nothing at all (``moderator=[[]]`` is sent as ``moderator=``)."""
    typed = [name for name, value in (case.query or {}).items() if not isinstance(value, str)]
    return bool(typed) and all(isinstance(failure, AcceptedNegativeData) for failure in failures.exceptions)
