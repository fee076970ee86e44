"""An instructor in Chromium: the dashboard's charts, filtering the table, opening a submission."""

from __future__ import annotations

from datetime import timedelta

import pytest

from grader.db import get_session
from grader.models import Submission, User, utcnow
from tests.support.documents import FULL, graded_result
from tests.support.live import ServerThread
from tests.support.pages import PageWatcher, axe_script, log_in

CLASS = {  # username: (passed tests, failed tests with their category)
    "alice": (["a", "b", "c"], {"d": "missing_adjoint"}),
    "bob": (["a"], {"b": "wrong_value", "c": "wrong_value", "d": "missing_adjoint"}),
}


@pytest.fixture
def site(live_env, web):
    """The web app over HTTP on PostgreSQL, with graded submissions of two students."""
    app = web(live_env)
    app.config["SERVER_NAME"] = None
    with app.app_context():
        session = get_session()
        for hours, (username, (passed, failed)) in enumerate(CLASS.items()):
            result = graded_result(passed, failed)
            session.add(Submission(
                user=User.by_username(session, username), assignment_slug="numerical",
                filename="numerical.py", source=f"# {username}'s <b>code</b>\nx = 1\n",
                status="graded", submitted_at=utcnow() - timedelta(hours=hours + 1),
                raw_score=result["score"], score=result["score"],
                max_score=result["max_score"], result=result))
        session.commit()
    server = ServerThread(app)
    yield server.url
    server.stop()


def make_row(app, username: str, result: dict | None, hours: int) -> int:
    """A numerical submission: graded with result, or waiting for its grading (None)."""
    with app.app_context():
        session = get_session()
        row = Submission(user=User.by_username(session, username), assignment_slug="numerical",
                         filename="numerical.py", source="x = 1\n",
                         status="graded" if result else "queued",
                         submitted_at=utcnow() - timedelta(hours=hours))
        if result:
            row.result, row.raw_score, row.score = result, result["score"], result["score"]
            row.max_score = result["max_score"]
        session.add(row)
        session.commit()
        return row.id


def test_instructor_reads_the_dashboard(browser, site, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, site, "prof")
    page.wait_for_url("**/instructor/")
    page.click("a.button:has-text('Numerical')")
    page.wait_for_url("**/instructor/assignments/numerical")

    for name in ("histogram", "pass-rates", "categories"):
        chart = page.locator(f"img[data-chart={name}]")
        chart.wait_for()
        page.wait_for_function(
            f"document.querySelector('img[data-chart={name}]').naturalWidth > 0")
    assert page.inner_text("[data-stat=submitted]") == "2"
    with page.expect_response("**/instructor/queue.json**", timeout=10_000):
        pass  # the live queue panel polls
    page.wait_for_function("document.querySelector('[data-queue=workers]').textContent")
    page.screenshot(path=tmp_path / "dashboard.png", full_page=True)

    page.fill("input[name=student]", "bob")
    page.click("button:has-text('Filter')")
    page.wait_for_url("**student=bob**")
    rows = page.locator("table[data-table=submissions] tbody tr")
    assert rows.count() == 1 and "bob" in rows.first.inner_text()

    rows.first.locator("text=code and feedback").click()
    page.wait_for_url("**/submissions/*")
    body = page.inner_text("body")
    # The failed tests are hidden from students; the instructor sees their diagnoses.
    assert "wrong_value" in body and body.count("Diagnosis") == 3
    assert "<b>code</b>" in body  # the student's text shown as text
    page.screenshot(path=tmp_path / "submission.png", full_page=True)
    assert errors == []


def finish_grading(app, submission_id: int, result: dict) -> None:
    """Do what a worker does when its grading ends: the row's outcome in one write."""
    with app.app_context():
        session = get_session()
        row = session.get(Submission, submission_id)
        row.status, row.result, row.attempts = "graded", result, 1
        row.raw_score = row.score = result["score"]
        row.max_score, row.finished_at = result["max_score"], utcnow()
        session.commit()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_dashboard_tables_follow_gradings_without_a_reload(browser, app, quiet_site, width):
    earlier = make_row(app, "alice", graded_result(["a", "b"], {"c": "x", "d": "x"}), hours=2)
    waiting = make_row(app, "alice", None, hours=1)
    watcher = PageWatcher(browser.new_context(), quiet_site, axe_script())
    page = watcher.page
    page.set_viewport_size({"width": width, "height": 1000})
    log_in(page, quiet_site, "prof")
    page.goto(quiet_site + "/instructor/assignments/numerical")
    row = f"table[data-table=submissions] tr[data-submission='{waiting}']"
    assert page.text_content(f"{row} [data-status-badge]") == "queued"
    assert page.get_attribute("tr[data-grade-of=alice]", "data-counted") == "2"

    finish_grading(app, waiting, graded_result(FULL, {}))
    page.wait_for_selector(f"{row}[data-final=true]", timeout=15_000)
    assert page.text_content(f"{row} [data-status-badge]") == "graded"
    assert "4 / 4" in page.inner_text(row)
    page.wait_for_selector("tr[data-grade-of=alice][data-counted='4']", timeout=15_000)
    assert page.get_attribute(f"tr[data-submission='{earlier}']", "data-final") == "true"
    problems = watcher.inspect("/instructor/assignments/numerical", "dashboard-live", width)
    assert problems == []


@pytest.mark.parametrize("width", [390, 1280])
def test_policy_times_are_typed_in_24_hour_utc(browser, app, quiet_site, width):
    watcher = PageWatcher(browser.new_context(locale="en-US", timezone_id="America/New_York"),
                          quiet_site, axe_script())
    page = watcher.page
    page.set_viewport_size({"width": width, "height": 1000})
    log_in(page, quiet_site, "prof")
    path = "/instructor/assignments/numerical/policy"
    for name in ("due", "hard_close", "extension-due"):
        page.goto(quiet_site + path)
        field = page.locator(f"input[name='{name}']")
        assert field.get_attribute("type") == "text"  # no locale's 12-hour picker
        assert field.get_attribute("placeholder") == "YYYY-MM-DD HH:MM"
        assert "UTC, 24-hour" in page.locator("label", has=field).inner_text()
    page.fill("input[name=due]", "2031-03-04 17:30")
    page.fill("input[name=hard_close]", "2031-03-05 23:59")
    page.click("input[value='Save policy']")
    page.wait_for_selector(".flash-success")
    assert page.input_value("input[name=due]") == "2031-03-04 17:30"
    assert "2031-03-04 17:30 UTC" in page.inner_text("[data-in-force]")
    page.fill("input[name='extension-username']", "bob")
    page.fill("input[name='extension-due']", "2031-03-06 08:15")
    page.click("input[value='Grant extension']")
    page.wait_for_selector(".flash-success")
    assert "bob now has until 2031-03-06 08:15 UTC" in page.inner_text(".flash-success")
    problems = watcher.inspect(path, "policy-times", width)
    assert problems == []
