"""Rate limits: per IP and per author on posting and reporting, failed sign-ins per IP and per account, 429 with
Retry-After in the error shape; counters in memory embedded and in the real Redis in production (shared by
every app, and never a failed request when that Redis is unreachable)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.config import ConfigError, load_settings
from service.infra.models import Comment
from service.lifecycle.active_model import register_bundle
from service.lifecycle.moderators import create_moderator
from service.web import limits
from service.web.limits import rate_limited
from tests.security.conftest import AppFactory
from tests.service.conftest import stored

NO_ROOM = "http://127.0.0.1:18849"  # nothing listens on this port of our range: a Redis that is down


def comment(author: str = "u1", text: str = "A fair point.") -> dict:
    return {"article_id": "a1", "author": {"id": author, "name": "Reader"}, "text": text}


def post(client: FlaskClient, author: str = "u1", ip: str = "203.0.113.5", **kwargs: object):
    return client.post("/api/v1/comments", json=comment(author), environ_base={"REMOTE_ADDR": ip}, **kwargs)


def assert_limited(response, field: str | None) -> int:
    """A 429 in the error shape with a positive whole Retry-After; returns it."""
    assert response.status_code == 429, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "too_many_requests" and error.get("field") == field
    retry_after = int(response.headers["Retry-After"])
    assert retry_after >= 1 and f"try again in {retry_after} s" in error["message"]
    return retry_after


@pytest.fixture(scope="module")
def limited(make_app: AppFactory) -> Flask:
    return make_app(MODERATION_LIMIT_COMMENTS_PER_IP="3/minute", MODERATION_LIMIT_COMMENTS_PER_AUTHOR="2/minute",
                    MODERATION_LIMIT_REPORTS_PER_IP="3/minute", MODERATION_LIMIT_REPORTS_PER_REPORTER="2/minute")


def test_comments_per_author_then_per_ip(limited: Flask) -> None:
    client = limited.test_client()
    assert [post(client, "alice", "198.51.100.1").status_code for _ in range(2)] == [202, 202]
    retry_after = assert_limited(post(client, "alice", "198.51.100.2"), "author.id")  # another address, same author
    assert retry_after <= 61
    # Other authors from the first address still get through, until the address's own limit.
    assert post(client, "bob", "198.51.100.1").status_code == 202
    assert_limited(post(client, "carol", "198.51.100.1"), None)
    before = len(stored(limited, Comment))
    assert_limited(post(client, "dave", "198.51.100.1"), None)
    assert len(stored(limited, Comment)) == before  # a refused comment is not stored


def test_the_sites_backend_with_its_key_is_limited_per_author_only(make_app: AppFactory) -> None:
    client = make_app(MODERATION_LIMIT_COMMENTS_PER_IP="3/minute", MODERATION_LIMIT_COMMENTS_PER_AUTHOR="2/minute",
                      MODERATION_SITE_KEYS="the-site-key").test_client()
    keyed = {"headers": {"X-Site-Key": "the-site-key"}}
    # Every reader's comment comes from the backend's one address: six authors, over the 3/minute per IP.
    assert [post(client, f"reader{i}", "192.0.2.10", **keyed).status_code for i in range(6)] == [202] * 6
    assert post(client, "reader0", "192.0.2.10", **keyed).status_code == 202
    assert_limited(post(client, "reader0", "192.0.2.10", **keyed), "author.id")
    # A wrong key is refused (401/403) before any counter; it never buys the exemption.
    assert post(client, "reader9", "192.0.2.10", headers={"X-Site-Key": "guess"}).status_code == 403


def test_reports_per_reporter_and_per_ip(limited: Flask) -> None:
    client = limited.test_client()
    comment_id = post(client, "eve", "198.51.100.50").get_json()["id"]

    def report(reporter: str | None, ip: str):
        body = {"reason": "spam"} | ({"reporter_id": reporter} if reporter else {})
        return client.post(f"/api/v1/comments/{comment_id}/reports", json=body, environ_base={"REMOTE_ADDR": ip})

    assert [report("r1", "198.51.100.60").status_code for _ in range(2)] == [201, 201]
    assert_limited(report("r1", "198.51.100.61"), "reporter_id")
    assert report(None, "198.51.100.60").status_code == 201  # anonymous: the address's limit only
    assert_limited(report(None, "198.51.100.60"), None)


def test_forwarded_for_is_ignored_unless_proxies_are_trusted(make_app: AppFactory) -> None:
    app = make_app(MODERATION_LIMIT_COMMENTS_PER_IP="1/minute", MODERATION_LIMIT_COMMENTS_PER_AUTHOR="off")
    client = app.test_client()
    assert post(client, "a", "203.0.113.9", headers={"X-Forwarded-For": "10.0.0.1"}).status_code == 202
    # A client cannot dodge its limit by claiming to be someone else.
    assert_limited(post(client, "b", "203.0.113.9", headers={"X-Forwarded-For": "10.0.0.2"}), None)

    proxied = make_app(MODERATION_LIMIT_COMMENTS_PER_IP="1/minute", MODERATION_LIMIT_COMMENTS_PER_AUTHOR="off",
                       MODERATION_TRUSTED_PROXIES="1").test_client()
    proxy = "10.9.9.9"  # one trusted proxy: the client is the right-most X-Forwarded-For entry, whatever is left of it
    assert post(proxied, "a", proxy, headers={"X-Forwarded-For": "1.1.1.1, 203.0.113.20"}).status_code == 202
    assert post(proxied, "b", proxy, headers={"X-Forwarded-For": "203.0.113.21"}).status_code == 202
    assert_limited(post(proxied, "c", proxy, headers={"X-Forwarded-For": "2.2.2.2, 203.0.113.20"}), None)


def test_synchronous_analysis_is_limited_per_address_unless_the_site_key_is_given(
        make_app: AppFactory, trained_bundle: Path) -> None:
    app = make_app(MODERATION_LIMIT_ANALYZE_PER_IP="2/minute", MODERATION_SITE_KEYS="the-site-key")
    with app.extensions["moderation"].sessions() as session:
        register_bundle(session, trained_bundle, activate=True)
        session.commit()
    client = app.test_client()
    ours = {"json": {"text": "a fair point"}, "environ_base": {"REMOTE_ADDR": "203.0.113.7"}}
    assert [client.post("/api/v1/analyze", **ours).status_code for _ in range(2)] == [200, 200]
    assert_limited(client.post("/api/v1/analyze", **ours), None)
    # Perspective's endpoints count separately and answer in Google's error shape.
    keyed = {"headers": {"X-Site-Key": "the-site-key"}, "environ_base": {"REMOTE_ADDR": "203.0.113.7"}}
    request = {"comment": {"text": "a fair point"}, "requestedAttributes": {"TOXICITY": {}}}
    perspective = [client.post("/v1alpha1/comments:analyze", json=request, **keyed) for _ in range(3)]
    assert [response.status_code for response in perspective] == [200, 200, 200], "a valid key lifts the limit"
    keyed["headers"]["X-Site-Key"] = "guess"
    assert client.post("/v1alpha1/comments:analyze", json=request, **keyed).status_code == 403
    app_without_keys = make_app(MODERATION_LIMIT_ANALYZE_PER_IP="1/minute")
    with app_without_keys.extensions["moderation"].sessions() as session:
        register_bundle(session, trained_bundle, activate=True)
        session.commit()
    open_client = app_without_keys.test_client()
    anyone = {"json": request, "environ_base": {"REMOTE_ADDR": "203.0.113.8"}}
    assert open_client.post("/v1alpha1/comments:analyze", **anyone).status_code == 200
    refused = open_client.post("/v1alpha1/comments:analyze", **anyone)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    error = refused.get_json()["error"]
    assert error["code"] == 429 and error["status"] == "RESOURCE_EXHAUSTED" and "try again in" in error["message"]


def test_posting_is_counted_by_flask_limiter_on_a_storage_the_own_counter_does_not_speak(
        make_app: AppFactory, tmp_path: Path) -> None:
    # A Redis unix socket that does not exist: Flask-Limiter counts in memory, and still limits.
    app = make_app(MODERATION_RATE_LIMIT_STORAGE=f"redis+unix://{tmp_path / 'no-redis.sock'}",
                   MODERATION_LIMIT_COMMENTS_PER_AUTHOR="2/minute")
    client = app.test_client()
    assert [post(client, "y").status_code for _ in range(2)] == [202, 202]
    assert_limited(post(client, "y"), "author.id")


def test_limits_can_be_turned_off(make_app: AppFactory) -> None:
    one = make_app(MODERATION_LIMIT_COMMENTS_PER_IP="off", MODERATION_LIMIT_COMMENTS_PER_AUTHOR="1/minute")
    assert [post(one.test_client(), f"x{i}").status_code for i in range(4)] == [202] * 4
    none = make_app(MODERATION_RATE_LIMITS="false", MODERATION_LIMIT_COMMENTS_PER_AUTHOR="1/minute").test_client()
    assert [post(none).status_code for _ in range(3)] == [202] * 3


@pytest.mark.parametrize("name,value", [
    ("MODERATION_LIMIT_COMMENTS_PER_IP", "lots"), ("MODERATION_LIMIT_SIGNIN_PER_ACCOUNT", "5 per fortnight"),
    ("MODERATION_RATE_LIMIT_STORAGE", "mongodb://x"), ("MODERATION_TRUSTED_PROXIES", "-1"),
    ("MODERATION_RATE_LIMITS", "perhaps"),
])
def test_a_bad_setting_is_a_config_error_naming_it(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_settings({name: value})


def test_storage_is_the_brokers_redis_in_production_and_memory_embedded() -> None:
    assert load_settings({"BROKER_URL": "filesystem://"}).rate_limit_storage == "memory://"
    assert load_settings({"BROKER_URL": "redis://h:6379/3"}).rate_limit_storage == "redis://h:6379/3"
    own = load_settings({"BROKER_URL": "redis://h:6379/3", "MODERATION_RATE_LIMIT_STORAGE": "redis://r:6379/1"})
    assert own.rate_limit_storage == "redis://r:6379/1"


# -- sign-in ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def guarded(make_app: AppFactory) -> Flask:
    app = make_app(MODERATION_LIMIT_SIGNIN_PER_ACCOUNT="3/hour", MODERATION_LIMIT_SIGNIN_PER_IP="5/hour")
    with app.extensions["moderation"].sessions() as session:
        for name in ("alice", "bob", "carol"):
            create_moderator(session, name, password=f"right horse battery {name}")
        session.commit()
    return app


def sign_in(client: FlaskClient, name: str, password: str, ip: str):
    page = client.get("/moderate/login", environ_base={"REMOTE_ADDR": ip}).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/moderate/login", data={"username": name, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": ip})


def test_password_guessing_on_one_account_is_stopped_from_any_address(guarded: Flask) -> None:
    client = guarded.test_client()
    # Correct sign-ins never count.
    for _ in range(4):
        assert sign_in(client, "alice", "right horse battery alice", "198.51.100.70").status_code == 302
    guesses = [sign_in(client, "alice", f"guess {i}", f"198.51.100.{71 + i}").status_code for i in range(3)]
    assert guesses == [401, 401, 401]
    refused = sign_in(client, "alice", "right horse battery alice", "198.51.100.80")  # even the right password
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "Too many failed sign-ins" in refused.get_data(as_text=True) and refused.mimetype == "text/html"
    fresh = guarded.test_client()
    locked_out = sign_in(fresh, "alice", "right horse battery alice", "198.51.100.81")
    assert locked_out.status_code == 429 and fresh.get("/moderate/").status_code == 302  # not signed in
    assert sign_in(client, "bob", "right horse battery bob", "198.51.100.80").status_code == 302  # other accounts


def test_password_guessing_from_one_address_is_stopped_across_accounts(guarded: Flask) -> None:
    client = guarded.test_client()
    ip = "203.0.113.99"
    statuses = [sign_in(client, name, "wrong", ip).status_code for name in ("bob", "carol", "nobody", "x", "y")]
    assert statuses == [401] * 5
    assert sign_in(client, "carol", "right horse battery carol", ip).status_code == 429
    assert sign_in(client, "carol", "right horse battery carol", "203.0.113.100").status_code == 302


# -- Redis -----------------------------------------------------------------------------------------


@pytest.mark.integration
def test_counters_in_redis_are_shared_by_every_app(make_app: AppFactory) -> None:
    from tests.integration.conftest import redis_database

    with redis_database() as url:
        settings = {"BROKER_URL": "filesystem://", "MODERATION_RATE_LIMIT_STORAGE": url,
                    "MODERATION_LIMIT_COMMENTS_PER_AUTHOR": "3/minute"}
        first, second = make_app(**settings).test_client(), make_app(**settings).test_client()
        # Two apps stand for two gunicorn workers (or hosts): one author's comments count once, wherever they land.
        assert [post(c, "shared").status_code for c in (first, second, first)] == [202, 202, 202]
        assert_limited(post(second, "shared"), "author.id")
        import redis

        keys = redis.Redis.from_url(url).keys("*moderation*")
        assert keys and not any(b"shared" in key for key in keys)  # the author's id is stored hashed


def test_an_unreachable_redis_never_fails_a_request(make_app: AppFactory) -> None:
    app = make_app(MODERATION_RATE_LIMIT_STORAGE=NO_ROOM.replace("http", "redis") + "/0",
                   MODERATION_LIMIT_COMMENTS_PER_AUTHOR="2/minute")
    client = app.test_client()
    # Counted in memory while Redis is away: still accepted, still limited.
    assert [post(client, "z").status_code for _ in range(2)] == [202, 202]
    assert_limited(post(client, "z"), "author.id")
    assert len(stored(app, Comment)) == 2


# -- declarations ------------------------------------------------------------------------------------


def test_limits_and_site_keys_are_declared_at_their_views(make_app: AppFactory) -> None:
    app = make_app()
    declared = {endpoint: view.rate_limits for endpoint, view in app.view_functions.items()
                if hasattr(view, "rate_limits")}
    assert declared == {"comments.submit_comment": ("comments",), "comments.report_comment": ("reports",),
                        "analyze.analyze": ("analyze",), "perspective.analyze": ("analyze",),
                        "perspective.suggestscore": ("analyze",), "moderate.login": ("sign-in",)}
    keyed = {endpoint for endpoint, view in app.view_functions.items() if getattr(view, "site_key_required", False)}
    assert keyed == {"comments.submit_comment", "perspective.analyze", "perspective.suggestscore"}


def _app_declaring(*names: str) -> Flask:
    app = Flask(__name__)
    for number, name in enumerate(names):
        app.add_url_rule(f"/{number}", f"view{number}", rate_limited(name)(lambda: "ok"), methods=["POST"])
    return app


def test_an_unknown_limit_or_one_no_view_declares_stops_the_app_at_start_up() -> None:
    settings = load_settings({"BROKER_URL": "filesystem://"})
    with pytest.raises(LookupError, match=r"unknown rate limit declared.*'coments'"):
        limits.init_app(_app_declaring("coments", *limits.RULES), settings)
    with pytest.raises(LookupError, match="no view declares: reports"):
        limits.init_app(_app_declaring(*(name for name in limits.RULES if name != "reports")), settings)
    assert limits.init_app(_app_declaring(*limits.RULES), settings) is not None
