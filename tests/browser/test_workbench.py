"""The workbench in a real browser: Debian's headless Chromium driven by Playwright against a live server.

Seeds a SQLite database through the domain functions, serves the app from a werkzeug server thread, and
works the queue the way a moderator would: sign in, keyboard approve, reject with a reason, reject an
author, undo a decision, read why each comment is held, the log and the overview. Also checks that an XSS
payload stays inert, CSRF is enforced, the charts' text is readable and unknown pages are pages.
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
from service.infra.models import Comment, Decision, ModelVersion, Report, Status
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
        "named": ("a5", "u7", "WhiteBoy1488", "Interesting article.", 0.05, 0.01, (0, 0)),
        "reported": ("a5", "u8", "Flo", "Buy cheap watches at my site.", 0.08, 0.0, (0, 0)),
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
            name_score, match = (0.99, {"part": "1488", "why": "hate symbol"}) if key == "named" else (0.0, None)
            record_score(session, comment.id, ScoreResult({"hostility": hostility, "slur": slur}, spans if end else [],
                                                          {"hostility": name_score, "slur": name_score},
                                                          "browser-test", match), POLICY)
            ids[key] = comment.id
        # Published, then held on two readers' reports. Written as the report policy leaves it, not through
        # report_comment: what this test reads is how the queue words the reports, whatever that policy is.
        reported = session.get(Comment, ids["reported"])
        session.add_all([Report(comment_id=reported.id, reason=reason, reporter_id=reader)
                         for reason, reader in (("spam", "r1"), ("harassment", "r2"))])
        reported.status, reported.hold_reasons, reported.report_count = Status.HELD, ["report"], 2
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


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """Debian's Chromium, headless (never a downloaded browser), launched once for the module."""
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


@pytest.fixture
def browser(chromium) -> Iterator[object]:
    """The browser for one test: its pages open in contexts of their own (no cookie or storage is shared
    with another test), and every context it opened is closed after it."""
    assert not chromium.contexts
    yield chromium
    for context in list(chromium.contexts):
        context.close()


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
    assert first.locator("meter").count() == 2
    assert first.locator(".reasons .reason").all_inner_texts() == ["hostility 0.99 ≥ hold 0.50"]
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


def test_the_queue_says_why_each_comment_is_held(live: tuple[str, Flask, dict[str, int]], browser) -> None:
    base, _, ids = live
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    _sign_in(page, base)
    legend = page.locator("#legend")
    assert legend.is_visible()
    # The legend's samples are drawn as the highlights in the comments are.
    colours = page.evaluate("""() => ['hostility', 'slur'].map(kind => [
        getComputedStyle(document.querySelector('#legend mark.span-' + kind)).backgroundColor,
        getComputedStyle(document.querySelector('.queue mark.span-' + kind)).backgroundColor])""")
    assert all(sample == used for sample, used in colours) and colours[0][0] != colours[1][0]
    assert "hostile words" in legend.inner_text() and "slur words" in legend.inner_text()

    def reasons(key: str) -> list[str]:
        return page.locator(f"#comment-{ids[key]} .reasons .reason").all_inner_texts()

    # The thresholds are the registry's for the scoring model (here the active one's, 0.5).
    assert reasons("reason") == ["hostility 0.95 ≥ hold 0.50", "slur 0.80 ≥ hold 0.50"]
    assert reasons("named") == ["name: '1488' (hate symbol) 0.99 ≥ hold 0.90"]
    assert reasons("reported") == ["2 reports: spam, harassment"]


def test_reject_with_the_keystroke_then_undo(live: tuple[str, Flask, dict[str, int]], browser) -> None:
    base, app, ids = live
    page = browser.new_page(viewport={"width": 1200, "height": 700})
    _sign_in(page, base)
    target = ids["keyboard"]  # the most severe: j focuses it first
    page.locator("h1").click()
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == f"comment-{target}"
    with page.expect_navigation():
        page.keyboard.press("r")
    assert _status(app, target) == Status.REJECTED
    assert page.locator(f"#comment-{target}").count() == 0
    undo = page.locator("#undo")
    assert undo.is_visible() and f"#{target}" in undo.inner_text()
    # The offer counts down (and then goes away); pressed in time, u takes the decision back.
    page.wait_for_function("Number(document.getElementById('undo-seconds').textContent) < 10")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "undo.png"))
    with page.expect_navigation():
        page.keyboard.press("u")
    assert _status(app, target) == Status.HELD
    assert page.locator(f"#comment-{target}").is_visible(), "back in the queue"
    assert "back in the queue" in page.locator(".messages").inner_text()
    assert page.locator("#undo").count() == 0
    with app.extensions["moderation"].sessions() as session:
        actions = [d.action for d in session.scalars(select(Decision).where(Decision.comment_id == target))]
    assert actions == ["reject", "revert"]
    # Left alone, the offer disappears when its time is up.
    with page.expect_navigation():
        page.click(f"#comment-{ids['late']} button.approve")
    page.wait_for_selector("#undo", state="detached", timeout=15_000)


def test_charts_are_readable_unknown_pages_are_pages_and_there_is_a_favicon(
        live: tuple[str, Flask, dict[str, int]], browser) -> None:
    base, _, _ = live
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    missing: list[str] = []
    page.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)
    _sign_in(page, base)
    for width in (1200, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/moderate/overview")
        # The size each chart's text is drawn at on the screen (font size times the SVG's scale), and whether
        # any two neighbouring axis or value labels run into each other.
        drawn = page.evaluate("""() => Array.from(document.querySelectorAll('svg.chart text')).map(t =>
            parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)""")
        assert len(drawn) == 6 * 14 * 2 and min(drawn) >= 12, (width, min(drawn))
        overlaps = page.evaluate("""() => Array.from(document.querySelectorAll('svg.chart')).flatMap(svg =>
            ['label', 'value'].flatMap(kind => {
                const boxes = Array.from(svg.querySelectorAll('text.' + kind)).map(t => t.getBoundingClientRect());
                return boxes.slice(1).filter((box, i) => box.left < boxes[i].right).map(() => kind);
            }))""")
        assert overlaps == [], width

    # An unknown workbench page is a page (with the navigation), not JSON; the API keeps its JSON.
    response = page.goto(f"{base}/moderate/no-such-page")
    assert response.status == 404 and "text/html" in response.headers["content-type"]
    assert page.locator("h1").inner_text() == "No such page" and page.locator("nav a").count() == 3
    api = page.goto(f"{base}/api/v1/no-such-thing")
    assert api.status == 404 and api.json()["error"]["code"] == "not_found"

    # The favicon is there: no page asked for anything that was missing, except the two missing pages above.
    icon = page.request.get(f"{base}/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert sorted(missing) == sorted([f"{base}/moderate/no-such-page", f"{base}/api/v1/no-such-thing"])
