"""Moderator accounts over the API: admins only; each change audited; deactivated accounts are out everywhere."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from service.lifecycle.moderators import create_moderator
from tests.service.conftest import services

BASE = "/api/v1/moderation/moderators"


def _accounts(app: Flask) -> dict[str, str]:
    tokens = {}
    with services(app).sessions() as session:
        for name, role in (("root", "admin"), ("bob", "moderator")):
            tokens[name] = create_moderator(session, name, role=role, password="correct horse")[1]
        session.commit()
    return tokens


def _as(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == code
    return error


def test_only_admins_manage_accounts(app: Flask, client: FlaskClient) -> None:
    tokens = _accounts(app)
    _error(client.get(BASE), 401, "unauthorized")
    _error(client.get(BASE, headers=_as(tokens["bob"])), 403, "forbidden")
    _error(client.post(f"{BASE}/root/deactivate", headers=_as(tokens["bob"])), 403, "forbidden")
    listed = client.get(BASE, headers=_as(tokens["root"])).get_json()
    assert [(m["name"], m["role"], m["active"], m["has_password"]) for m in listed["items"]] == [
        ("root", "admin", True, True), ("bob", "moderator", True, True)]
    assert "token_hash" not in listed["items"][0] and "password_hash" not in listed["items"][0]


def test_deactivated_moderators_can_neither_use_the_api_nor_sign_in(app: Flask, client: FlaskClient) -> None:
    tokens = _accounts(app)
    assert client.get("/api/v1/moderation/queue", headers=_as(tokens["bob"])).status_code == 200
    workbench = app.test_client()
    page = workbench.get("/moderate/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert workbench.post("/moderate/login", data={"username": "bob", "password": "correct horse",
                                                   "csrf_token": csrf}).status_code == 302
    assert workbench.get("/moderate/").status_code == 200
    deactivated = client.post(f"{BASE}/bob/deactivate", headers=_as(tokens["root"]))
    assert deactivated.status_code == 200 and deactivated.get_json()["active"] is False
    _error(client.get("/api/v1/moderation/queue", headers=_as(tokens["bob"])), 401, "unauthorized")
    assert workbench.get("/moderate/").status_code == 302, "signed out at the next request"
    fresh = app.test_client()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', fresh.get("/moderate/login").get_data(as_text=True)).group(1)
    assert fresh.post("/moderate/login", data={"username": "bob", "password": "correct horse",
                                               "csrf_token": csrf}).status_code == 401
    _error(client.post(f"{BASE}/bob/deactivate", headers=_as(tokens["root"])), 409, "conflict")
    assert client.post(f"{BASE}/bob/reactivate", headers=_as(tokens["root"])).get_json()["active"] is True
    assert client.get("/api/v1/moderation/queue", headers=_as(tokens["bob"])).status_code == 200


def test_reset_token_and_set_password(app: Flask, client: FlaskClient) -> None:
    tokens = _accounts(app)
    reset = client.post(f"{BASE}/bob/token", headers=_as(tokens["root"]))
    assert reset.status_code == 200 and reset.headers["Cache-Control"] == "no-store"
    new = reset.get_json()["token"]
    assert new != tokens["bob"]
    _error(client.get("/api/v1/moderation/queue", headers=_as(tokens["bob"])), 401, "unauthorized")
    assert client.get("/api/v1/moderation/queue", headers=_as(new)).status_code == 200
    changed = client.post(f"{BASE}/bob/password", json={"password": "a new passphrase"}, headers=_as(tokens["root"]))
    assert changed.status_code == 200 and "token" not in changed.get_json()
    workbench = app.test_client()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"',
                     workbench.get("/moderate/login").get_data(as_text=True)).group(1)
    assert workbench.post("/moderate/login", data={"username": "bob", "password": "a new passphrase",
                                                   "csrf_token": csrf}).status_code == 302


def test_bad_input_is_a_4xx_in_the_error_shape(app: Flask, client: FlaskClient) -> None:
    tokens = _accounts(app)
    admin = _as(tokens["root"])
    assert _error(client.post(f"{BASE}/nobody/deactivate", headers=admin), 404, "not_found")["field"] == "name"
    _error(client.post(f"{BASE}/nobody/token", headers=admin), 404, "not_found")
    _error(client.post(f"{BASE}/bob/password", json={}, headers=admin), 400, "missing_field")
    _error(client.post(f"{BASE}/bob/password", json={"password": "   "}, headers=admin), 400, "empty")
    _error(client.post(f"{BASE}/bob/password", json={"password": 5}, headers=admin), 400, "invalid_type")
    _error(client.post(f"{BASE}/bob/password", json={"password": "x", "role": "admin"}, headers=admin), 400,
           "unknown_field")
    _error(client.post(f"{BASE}/bob/password", data=b"not json", headers=admin), 400, "invalid_json")
    _error(client.post(f"{BASE}/bob/password", json={"password": "x" * 1001}, headers=admin), 400, "too_long")
    _error(client.post(f"{BASE}/bob/reactivate", headers=admin), 409, "conflict")
    assert "last active admin" in _error(client.post(f"{BASE}/root/deactivate", headers=admin), 409,
                                         "conflict")["message"]


def test_every_change_is_audited_with_the_admin_as_actor(app: Flask, client: FlaskClient) -> None:
    tokens = _accounts(app)
    admin = _as(tokens["root"])
    for path, body in (("bob/deactivate", None), ("bob/reactivate", None), ("bob/token", None),
                       ("bob/password", {"password": "a new passphrase"})):
        assert client.post(f"{BASE}/{path}", json=body, headers=admin).status_code == 200, path
    events = client.get(BASE, headers=admin).get_json()["events"]
    assert [(e["moderator"], e["action"], e["actor"]) for e in events[:4]] == [
        ("bob", "set_password", "root"), ("bob", "reset_token", "root"), ("bob", "reactivate", "root"),
        ("bob", "deactivate", "root")]
    assert {(e["moderator"], e["action"]) for e in events[4:]} == {("root", "create"), ("bob", "create")}
