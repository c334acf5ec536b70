"""The workbench in a real browser: Debian's headless Chromium driven by Playwright against a live server.

Seeds a SQLite database through the domain functions, serves the app from a werkzeug server thread, and
works the queue the way a moderator would: sign in, keyboard approve, reject with a reason, reject an
author, read the log and the overview. Also checks that an XSS payload stays inert and CSRF is enforced.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from service.infra.db import upgrade
from service.infra.models import Comment, Decision, ModelVersion, Status
from service.lifecycle.assess import ScoreResult
from service.lifecycle.moderators import create_moderator
from service.lifecycle.policy import Policy
from service.lifecycle.store import submit_comment
from service.lifecycle.transitions import record_score
from service.web.app import create_app
from tests.conftest import REPOSITORY

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPOSITORY / "docs" / "screenshots"
POLICY = Policy(hold={"hostility": 0.5, "slur": 0.5})
XSS = ('<script>window.__xss = 1; alert(1)</script><img src=x onerror="window.__xss = 2; alert(2)">'
       '<a href="javascript:alert(3)">click</a> \u202eeurt si siht')

if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is missing (apt-get install chromium; .ci/run does)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


def _seed(app: Flask) -> dict[str, int]:
    """Held comments of known severity (the queue shows the most severe first), via the domain only."""
    plan = {
        "keyboard": ("a1", "u1", "Kim", "You absolute idiot, nobody wants you here.", 0.99, 0.1, (4, 18)),
        "reason": ("a1", "u2", "Lee", "Go back to where you came from, vermin.", 0.95, 0.8, (32, 38)),
        "author1": ("a2", "troll", "Troll", "Clowns, all of you.", 0.8, 0.0, (0, 6)),
        "author2": ("a2", "troll", "Troll", "Still clowns.", 0.7, 0.0, (6, 12)),
        "xss": ("a3", "u9", "Eve", XSS, 0.6, 0.0, (0, 8)),
        "bulk1": ("a4", "u4", "Ann", "Pathetic take.", 0.56, 0.0, (0, 8)),
        "bulk2": ("a4", "u5", "Bob", "Morons everywhere.", 0.55, 0.0, (0, 6)),
        "late": ("a4", "u6", "Cy", "Shut up, idiot.", 0.52, 0.0, (9, 14)),
    }
    ids = {}
    with app.extensions["moderation"].sessions() as session:
        create_moderator(session, "carol", password="s3cret-pass")
        create_moderator(session, "dave", password="other-pass")
        # A registry row is all the overview reads (no bundle is loaded to render a page).
        session.add(ModelVersion(version="browser-test-v1", path="/nonexistent", sha256="0" * 64, active=True,
                                 thresholds={"hostility": 0.5, "slur": 0.5},
                                 metrics={"hostility": {"roc_auc": 0.931, "pr_auc": 0.88, "f1": 0.8, "brier": 0.07},
                                          "slur": {"roc_auc": 0.912, "pr_auc": 0.7, "f1": 0.66, "brier": 0.04}}))
        for key, (article, author, name, text, hostility, slur, (begin, end)) in plan.items():
            comment = submit_comment(session, article_id=article, author_id=author, author_name=name, text=text)
            spans = [{"label": "slur" if slur > 0.5 else "hostility", "begin": begin, "end": end, "score": hostility}]
            record_score(session, comment.id, ScoreResult(hostility, slur, spans, 0.0, 0.0, "browser-test"), POLICY)
            ids[key] = comment.id
        session.commit()
    return ids


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, Flask, dict[str, int]]]:
    """The app on a real HTTP port with a seeded SQLite database: (base URL, app, seeded ids)."""
    url = f"sqlite:///{tmp_path / 'browser.sqlite3'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "BROKER_URL": "filesystem://", "MODERATION_VAR_DIR": str(tmp_path)})
    ids = _seed(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app, ids
    server.shutdown()
    thread.join(5)
    app.extensions["moderation"].dispose()


@pytest.fixture
def browser() -> Iterator[object]:
    """Debian's Chromium, headless (never a downloaded browser)."""
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


def _status(app: Flask, comment_id: int) -> str:
    with app.extensions["moderation"].sessions() as session:
        return session.get(Comment, comment_id).status


def _sign_in(page, base: str, name: str = "carol", password: str = "s3cret-pass") -> None:
    page.goto(f"{base}/moderate/")
    assert "/moderate/login" in page.url
    page.fill("#username", name)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("form.login button[type=submit]")


def _last_bar(page, chart: str) -> float:
    """Today's value in one overview chart (the last bar's <title> reads "MM-DD: value")."""
    title = page.locator(f"rect.bar-{chart}").last.evaluate("bar => bar.parentNode.querySelector('title').textContent")
    return float(title.rsplit(": ", 1)[1])


def test_a_moderator_works_the_queue(live: tuple[str, Flask, dict[str, int]], browser) -> None:
    base, app, ids = live
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    # Signed out: redirected to the login page; signed in, back to the queue.
    _sign_in(page, base)
    assert page.url == f"{base}/moderate/"

    # The overview before any decision, to see it change afterwards.
    page.goto(f"{base}/moderate/overview")
    approved_before, rejected_before = _last_bar(page, "approved"), _last_bar(page, "rejected")
    page.goto(f"{base}/moderate/")

    # The held comments, with their highlighted spans, both score bars and why each is held; the XSS payload
    # is text.
    first = page.locator(f"#comment-{ids['keyboard']}")
    assert first.locator("mark.span-hostility").inner_text() == "absolute idiot"
    assert first.locator("meter").count() == 2 and "model:hostility" in first.locator(".reasons").inner_text()
    assert page.locator(f"#comment-{ids['reason']} mark.span-slur").inner_text() == "vermin"
    xss_text = page.locator(f"#comment-{ids['xss']} .text").inner_text()
    assert "<script>window.__xss = 1" in xss_text and "onerror=" in xss_text and "[U+202E]" in xss_text
    assert page.evaluate("window.__xss") is None
    assert page.locator(f"#comment-{ids['xss']} .text img, #comment-{ids['xss']} .text a").count() == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "queue.png"), full_page=True)

    # Every control has a label, and the keyboard focus is drawn.
    unlabelled = page.evaluate("""Array.from(document.querySelectorAll('input:not([type=hidden]), select, button'))
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.textContent.trim())
        .map(el => el.outerHTML)""")
    assert unlabelled == []
    page.keyboard.press("Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"

    # ? shows the shortcuts; j focuses the first (most severe) comment and a approves it.
    page.keyboard.press("?")
    assert page.locator("#shortcuts").is_visible()
    page.keyboard.press("?")
    page.locator("h1").click()  # take the focus off the link the Tab reached
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == f"comment-{ids['keyboard']}"
    with page.expect_navigation():
        page.keyboard.press("a")
    assert _status(app, ids["keyboard"]) == Status.APPROVED
    assert "approved" in page.locator(".messages").inner_text()

    # Reject one with a reason; its labels come preset from the scores.
    assert page.locator(f"#comment-{ids['reason']} input[name=labels][value=slur]").is_checked()
    page.fill(f"#reason-{ids['reason']}", "dehumanising insult")
    with page.expect_navigation():
        page.click(f"#comment-{ids['reason']} button.reject")
    assert _status(app, ids["reason"]) == Status.REJECTED

    # Reject all of one author's held comments.
    with page.expect_navigation():
        page.click(f"#comment-{ids['author1']} form.reject-author button")
    assert _status(app, ids["author1"]) == _status(app, ids["author2"]) == Status.REJECTED
    with app.extensions["moderation"].sessions() as session:
        decisions = {d.comment_id: d for d in session.scalars(select(Decision))}
    assert decisions[ids["reason"]].reason == "dehumanising insult"
    assert decisions[ids["reason"]].labels == ["hostility", "slur"]

    # Bulk: select two with the keyboard (j moves, x ticks) and reject them together.
    page.goto(f"{base}/moderate/?article=a4&sort=severity")
    assert page.locator(".queue .item").count() == 3
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    assert page.locator("input[name=ids]:checked").count() == 2
    with page.expect_navigation():
        page.click("form.bulk button[value=reject]")
    assert _status(app, ids["bulk1"]) == _status(app, ids["bulk2"]) == Status.REJECTED
    assert _status(app, ids["late"]) == Status.HELD
    assert "2 comment(s) rejected" in page.locator(".messages").inner_text()

    # The log and the overview show what happened.
    page.goto(f"{base}/moderate/log")
    log = page.locator("table.log").inner_text()
    assert "dehumanising insult" in log and "carol" in log and log.count("reject") >= 5
    page.goto(f"{base}/moderate/log?action=approve&moderator=carol")
    assert page.locator("table.log tbody tr").count() == 1
    page.goto(f"{base}/moderate/overview")
    assert page.locator("svg.chart").count() == 6
    assert _last_bar(page, "approved") == approved_before + 1
    assert _last_bar(page, "rejected") == rejected_before + 5
    assert _last_bar(page, "overturned") == round(100 / 6, 1)
    assert "browser-test-v1" in page.locator("dl.model").inner_text()
    metrics = page.locator("table.metrics").inner_text()
    assert "0.931" in metrics and "0.912" in metrics and "ROC-AUC" in metrics
    page.screenshot(path=str(SCREENSHOTS / "overview.png"), full_page=True)

    # A form sent without its CSRF token is refused with a readable page, and nothing changes; a fetch-style
    # post without it gets the JSON error.
    page.goto(f"{base}/moderate/")
    page.locator(f"#comment-{ids['xss']} form.decide input[name=csrf_token]").evaluate("el => el.remove()")
    with page.expect_navigation():
        page.click(f"#comment-{ids['xss']} button.approve")
    assert "That form could not be sent" in page.locator("h1").inner_text()
    assert _status(app, ids["xss"]) == Status.HELD
    response = page.request.post(f"{base}/moderate/decide", form={"comment_id": str(ids["xss"]), "action": "approve"})
    assert response.status == 400 and response.json()["error"]["field"] == "csrf_token"
    assert _status(app, ids["xss"]) == Status.HELD
    assert dialogs == []
    assert page.evaluate("window.__xss") is None

    # Usable at phone width: nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/moderate/", "/moderate/log", "/moderate/overview"):
        page.goto(f"{base}{path}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path


def test_two_moderators_and_paging(live: tuple[str, Flask, dict[str, int]], browser) -> None:
    base, app, ids = live
    carol, dave = browser.new_context().new_page(), browser.new_context().new_page()
    _sign_in(carol, base)
    _sign_in(dave, base, "dave", "other-pass")

    # Pages of two, oldest first, filtered to one article: the page links keep the filter and the order.
    carol.goto(f"{base}/moderate/?article=a4&sort=oldest&per_page=2")
    assert carol.locator(".queue .item").count() == 2
    assert "Page 1 of 2" in carol.locator("nav.pager").first.inner_text()
    with carol.expect_navigation():
        carol.locator("nav.pager a[rel=next]").first.click()
    assert "article=a4" in carol.url and "sort=oldest" in carol.url and "page=2" in carol.url
    assert [carol.locator(".queue .item").first.get_attribute("id")] == [f"comment-{ids['late']}"]

    # Both see the same comment; dave decides first, carol is told who did.
    dave.goto(f"{base}/moderate/?article=a4")
    with dave.expect_navigation():
        dave.click(f"#comment-{ids['late']} button.approve")
    with carol.expect_navigation():
        carol.click(f"#comment-{ids['late']} button.reject")
    assert "is approved by dave at" in carol.locator(".messages").inner_text()
    assert _status(app, ids["late"]) == Status.APPROVED


def test_signed_out_is_redirected_and_the_csp_is_sent(live: tuple[str, Flask, dict[str, int]], browser) -> None:
    base, _, _ = live
    page = browser.new_page()
    response = page.goto(f"{base}/moderate/overview")
    assert "/moderate/login?next=" in page.url
    assert "script-src 'self'" in response.headers["content-security-policy"]
