"""Nobody gets in who should not: every moderation route, enumerated from the app's URL map (a new route cannot
slip through untested), refuses anonymous, wrong and wrong-role credentials; sign-in cannot be fixed or turned
into an open redirect; production refuses the development secret key."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from service.config import DEFAULT_SECRET_KEY, ConfigError, load_settings
from service.infra.models import Moderator
from service.lifecycle.moderators import create_moderator
from service.web.app import create_app
from tests.conftest import REPOSITORY
from tests.security.conftest import AppFactory

IMPLICIT = {"HEAD", "OPTIONS"}
PUBLIC_BLUEPRINTS = {"comments", "analyze", "health", "docs", "perspective", "coral"}
"""Open to anyone (a site key or a signature may guard some; test_site_keys.py and the Coral tests cover those)."""
OPEN_WORKBENCH = {"moderate.login", "moderate.static", "moderate.favicon"}
ADMIN_ONLY = {"models.start_retraining", "moderators.list_accounts", "moderators.deactivate",
              "moderators.reactivate", "moderators.reset_token", "moderators.set_password"}
"""Moderation API endpoints a moderator without the admin role is refused (403)."""
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def site(make_app: AppFactory) -> tuple[Flask, dict[str, str]]:
    """An app with an admin, a moderator and a deactivated moderator; their tokens by name."""
    app = make_app(MODERATION_RATE_LIMITS="false")
    tokens = {}
    with app.extensions["moderation"].sessions() as session:
        for name, role in (("admin", "admin"), ("mod", "moderator"), ("gone", "moderator")):
            moderator, tokens[name] = create_moderator(session, name, role=role, password=PASSWORD)
            moderator.active = name != "gone"
        session.commit()
    return app, tokens


def routes(app: Flask, kind: str) -> list[tuple[str, str, str]]:
    """(endpoint, method, a concrete path) of every rule of ``kind``: "api" (moderation API) or "workbench"."""
    found = []
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:int[^:]*:)[^>]+>", "1", rule.rule)
        path = re.sub(r"<[^>]+>", "x", path)
        for method in sorted(rule.methods - IMPLICIT):
            api = kind == "api" and rule.rule.startswith("/api/v1/moderation")
            workbench = kind == "workbench" and rule.endpoint.startswith("moderate.")
            if api or (workbench and rule.endpoint not in OPEN_WORKBENCH):
                found.append((rule.endpoint, method, path))
    return found


def test_every_route_is_public_moderation_api_or_workbench(site: tuple[Flask, dict]) -> None:
    app = site[0]
    unclassified = [rule.rule for rule in app.url_map.iter_rules()
                    if not rule.rule.startswith("/api/v1/moderation") and not rule.endpoint.startswith("moderate.")
                    and rule.endpoint.partition(".")[0] not in PUBLIC_BLUEPRINTS]
    assert unclassified == [], "classify the new route here: public, moderation API or workbench"
    assert len(routes(app, "api")) >= 6 and len(routes(app, "workbench")) >= 6
    # The moderation API's routes are all under /api/v1/moderation: no moderation blueprint mounted elsewhere.
    assert {rule.endpoint.partition(".")[0] for rule in app.url_map.iter_rules()
            if rule.endpoint.partition(".")[0] in {"moderation", "models"}} and all(
        rule.rule.startswith("/api/v1/moderation") for rule in app.url_map.iter_rules()
        if rule.endpoint.partition(".")[0] in {"moderation", "models"})


def _call(client: FlaskClient, method: str, path: str, **kwargs: object):
    return client.open(path, method=method, json={} if method == "POST" else None, **kwargs)


def test_the_moderation_api_refuses_anonymous_wrong_and_inactive_credentials(site: tuple[Flask, dict]) -> None:
    app, tokens = site
    client = app.test_client()
    _workbench_session(client, "mod")  # a signed-in workbench cookie is no credential for the API
    refusals = {"none": {}, "wrong": {"Authorization": "Bearer not-a-token"},
                "basic": {"Authorization": f"Basic {tokens['mod']}"},
                "bare": {"Authorization": tokens["mod"]},
                "inactive": {"Authorization": f"Bearer {tokens['gone']}"}}
    for endpoint, method, path in routes(app, "api"):
        for why, headers in refusals.items():
            response = _call(client, method, path, headers=headers)
            assert response.status_code == 401, (endpoint, method, why, response.status_code)
            assert response.get_json()["error"]["code"] == "unauthorized"
            assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_moderation_api_refuses_the_wrong_role(site: tuple[Flask, dict]) -> None:
    app, tokens = site
    client = app.test_client()
    for endpoint, method, path in routes(app, "api"):
        as_moderator = _call(client, method, path, headers={"Authorization": f"Bearer {tokens['mod']}"})
        if endpoint in ADMIN_ONLY:
            assert as_moderator.status_code == 403, (endpoint, method)
            assert as_moderator.get_json()["error"]["code"] == "forbidden"
            as_admin = _call(client, method, path, headers={"Authorization": f"Bearer {tokens['admin']}"})
            assert as_admin.status_code not in (401, 403), (endpoint, method)
        else:
            assert as_moderator.status_code not in (401, 403), (endpoint, method, as_moderator.get_json())


def _csrf(client: FlaskClient) -> str:
    page = client.get("/moderate/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _workbench_session(client: FlaskClient, name: str, next_path: str = "") -> object:
    return client.post("/moderate/login", data={"username": name, "password": PASSWORD, "csrf_token": _csrf(client),
                                                "next": next_path})


def _assert_sent_to_sign_in(response, endpoint: str, method: str) -> None:
    if method == "POST" and response.status_code == 400:
        return  # refused before anything else: no CSRF token of a signed-in session
    assert response.status_code == 302, (endpoint, method, response.status_code)
    assert urlsplit(response.headers["Location"]).path == "/moderate/login", (endpoint, method)


def test_the_workbench_refuses_anonymous_api_token_and_inactive_visitors(site: tuple[Flask, dict]) -> None:
    app, tokens = site
    workbench = routes(app, "workbench")
    anonymous = app.test_client()
    token = _csrf(anonymous)  # an anonymous session's own CSRF token: it passes the CSRF check, not the sign-in
    for endpoint, method, path in workbench:
        _assert_sent_to_sign_in(anonymous.open(path, method=method, data={"csrf_token": token}), endpoint, method)
        with_token = anonymous.open(path, method=method, data={"csrf_token": token},
                                    headers={"Authorization": f"Bearer {tokens['admin']}"})
        _assert_sent_to_sign_in(with_token, endpoint, method)
    # A moderator deactivated after signing in is out at the next request.
    client = app.test_client()
    assert _workbench_session(client, "admin").status_code == 302
    assert client.get("/moderate/").status_code == 200
    with app.extensions["moderation"].sessions() as session:
        session.get(Moderator, _id(app, "admin")).active = False
        session.commit()
    try:
        for endpoint, method, path in workbench:
            _assert_sent_to_sign_in(client.open(path, method=method, data={"csrf_token": token}), endpoint, method)
    finally:
        with app.extensions["moderation"].sessions() as session:
            session.get(Moderator, _id(app, "admin")).active = True
            session.commit()
    # And an inactive account cannot sign in at all.
    assert _workbench_session(app.test_client(), "gone").status_code == 401


def _id(app: Flask, name: str) -> int:
    from sqlalchemy import select

    with app.extensions["moderation"].sessions() as session:
        return session.scalars(select(Moderator.id).where(Moderator.name == name)).one()


def test_signing_in_starts_a_new_session(site: tuple[Flask, dict]) -> None:
    app = site[0]
    victim = app.test_client()
    before_token = _csrf(victim)
    planted = victim.get_cookie("session").value  # what an attacker could have handed the victim
    assert _workbench_session(victim, "mod").status_code == 302
    after = victim.get_cookie("session").value
    assert after != planted and _csrf_of_page(victim) != before_token
    # The pre-sign-in cookie stays signed out; the attacker holding it gets nothing.
    attacker = app.test_client()
    attacker.set_cookie("session", planted)
    assert attacker.get("/moderate/").status_code == 302
    # A cookie that claims a moderator but is signed with another key (or the development key) is ignored.
    forged = URLSafeTimedSerializer("not-this-apps-key", salt="cookie-session", signer_kwargs={
        "key_derivation": "hmac", "digest_method": __import__("hashlib").sha1}).dumps({"moderator_id": 1})
    attacker.set_cookie("session", forged)
    assert attacker.get("/moderate/").status_code == 302


def _csrf_of_page(client: FlaskClient) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/moderate/").get_data(as_text=True)).group(1)


HOSTILE_NEXT = ["https://evil.example/", "//evil.example/x", "/\\evil.example", "\\\\evil.example",
                "https:evil.example",
                "javascript:alert(1)", " //evil.example", "\t//evil.example", "/%2F%2Fevil.example",
                "/moderate\r\nLocation: https://evil.example", "http://localhost@evil.example/moderate",
                "///evil.example", "/.evil.example", "data:text/html,<script>alert(1)</script>"]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_sign_in_never_redirects_off_site(site: tuple[Flask, dict], target: str) -> None:
    client = site[0].test_client()
    response = _workbench_session(client, "mod", target)
    assert response.status_code == 302
    _assert_same_site(response.headers["Location"])
    # Nor does the sign-in page's hidden field, which the form posts back.
    page = client.get("/moderate/login", query_string={"next": target}).get_data(as_text=True)
    _assert_same_site(html.unescape(re.search(r'name="next" value="([^"]*)"', page).group(1)))


def _assert_same_site(location: str) -> None:
    parts = urlsplit(location)
    assert parts.scheme in ("", "http") and parts.netloc in ("", "localhost"), location
    assert parts.path.startswith("/moderate") and not location.startswith(("//", "/\\")), location
    assert not any(ord(ch) < 32 for ch in location), location


def test_sign_in_keeps_a_same_site_next(site: tuple[Flask, dict]) -> None:
    response = _workbench_session(site[0].test_client(), "mod", "/moderate/log?page=2")
    assert response.status_code == 302 and response.headers["Location"] == "/moderate/log?page=2"


def test_production_refuses_the_development_secret_key(tmp_path) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings({"MODERATION_PRODUCTION": "true"})
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings({"MODERATION_PRODUCTION": "true", "SECRET_KEY": DEFAULT_SECRET_KEY})
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"MODERATION_PRODUCTION": "true", "MODERATION_VAR_DIR": str(tmp_path)})
    assert load_settings({"MODERATION_PRODUCTION": "true", "SECRET_KEY": "s" * 40}).secret_key == "s" * 40
    # The command refuses to start in one line, exit status 2 (no traceback).
    env = {"PATH": "/usr/bin:/bin", "MODERATION_PRODUCTION": "true", "MODERATION_VAR_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "service.cli", "web", "--port", "18801"], cwd=REPOSITORY, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().count("\n") == 0 and "SECRET_KEY" in done.stderr and "Traceback" not in done.stderr
