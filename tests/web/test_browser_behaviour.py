"""The pages' scripts in Chromium: an expired session while polling, the "Submitted" banner,
local time beside UTC, confirmations, upload checks, and chart labels readable at their size."""

from __future__ import annotations

import re

from grader.db import get_session
from grader.models import Submission, utcnow
from tests.support.documents import graded_result
from tests.support.pages import log_in

CODE = "def numerical_gradient(f, x, h=1e-6):\n    return x * 0\n"


def logged_in(browser, quiet_site, username="alice", **context):
    page = browser.new_context(**context).new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, quiet_site, username)
    page.errors = errors
    return page


def submit(page, quiet_site) -> int:
    page.goto(quiet_site + "/assignments/numerical")
    page.fill("textarea[name=code]", CODE)
    page.click("input[value='Submit for grading']")
    page.wait_for_url("**/submissions/*")
    return int(page.url.rsplit("/", 1)[1])


def finish_grading(app, submission_id: int) -> None:
    """Do what a worker does at the end: store a graded result."""
    result = graded_result(["a"], {"b": "wrong_value"})
    with app.app_context():
        session = get_session()
        row = session.get(Submission, submission_id)
        row.status, row.result, row.finished_at = "graded", result, utcnow()
        row.raw_score = row.score = result["score"]
        row.max_score = result["max_score"]
        session.commit()


def test_an_expired_session_stops_the_polling_and_asks_to_log_in(browser, quiet_site, app):
    page = logged_in(browser, quiet_site)
    submit(page, quiet_site)
    page.context.clear_cookies()  # the session ends while the page waits for a grader
    notice = page.wait_for_selector("[data-session-expired]", timeout=10_000)
    assert "Your session has expired" in notice.inner_text()
    assert notice.query_selector("a").get_attribute("href").startswith(
        "/auth/login?next=%2Fsubmissions%2F")
    assert page.query_selector("#feedback .spinner") is None
    assert page.errors == []


def test_the_submitted_banner_goes_when_grading_ends(browser, quiet_site, app):
    page = logged_in(browser, quiet_site)
    submission_id = submit(page, quiet_site)
    assert "Submitted." in page.inner_text("main")
    finish_grading(app, submission_id)
    page.wait_for_selector("#feedback[data-final=true]", timeout=15_000)
    assert "Submitted." not in page.inner_text("main")
    assert "✗ failed" in page.inner_text("#feedback")
    page.reload()  # and it does not come back
    assert "Submitted." not in page.inner_text("main")
    assert page.errors == []


def test_times_show_utc_and_the_readers_own_time(browser, quiet_site):
    page = logged_in(browser, quiet_site, timezone_id="America/New_York")
    page.goto(quiet_site + "/assignments/numerical")
    meta = page.inner_text(".meta")
    assert re.search(r"Due \d{4}-\d\d-\d\d \d\d:\d\d UTC \(.+ your time\)", meta), meta
    utc = page.get_attribute(".meta time", "datetime")
    local = page.inner_text(".meta .local-time")
    expected = page.evaluate(
        """iso => new Date(iso).toLocaleString(undefined, {month: "short", day: "numeric",
           hour: "2-digit", minute: "2-digit"})""", utc)
    assert local.strip() == f"({expected} your time)"
    in_utc = logged_in(browser, quiet_site, timezone_id="UTC")
    in_utc.goto(quiet_site + "/assignments/numerical")
    assert "your time" not in in_utc.inner_text(".meta")  # nothing to add


def test_disabling_an_account_asks_first(browser, quiet_site, app):
    page = logged_in(browser, quiet_site, "prof")
    page.goto(quiet_site + "/instructor/people")
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.click("tr[data-user=alice] button:has-text('Disable')")
    page.wait_for_timeout(300)
    assert "Disable alice?" in questions[0]
    assert "disabled" not in page.inner_text("tr[data-user=alice]")
    page.once("dialog", lambda dialog: answer(dialog, True))
    page.click("tr[data-user=alice] button:has-text('Disable')")
    page.wait_for_selector("tr[data-user=alice] .badge-error")


def test_a_whole_class_regrade_asks_first_a_students_does_not(browser, quiet_site):
    page = logged_in(browser, quiet_site, "prof")
    page.goto(quiet_site + "/instructor/assignments/numerical")
    questions = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.click("#regrades input[value=Regrade]")
    page.wait_for_timeout(300)
    assert len(questions) == 1 and "every student" in questions[0]
    assert "/instructor/assignments/numerical" in page.url and "Regrade #" not in page.content()
    page.fill("#regrades input[name=username]", "alice")
    page.click("#regrades input[value=Regrade]")
    page.wait_for_selector(".flash")
    assert len(questions) == 1  # one student: no question
    assert "student alice" in page.inner_text(".flash")


def test_the_form_says_at_once_when_a_file_is_too_large_or_misnamed(browser, quiet_site):
    page = logged_in(browser, quiet_site)
    page.goto(quiet_site + "/assignments/numerical")
    page.set_input_files("input[name=file]", files=[{
        "name": "numerical.py", "mimeType": "text/x-python", "buffer": b"#" * 200_000}])
    problem = page.locator("[data-upload-problem]")
    assert "the limit is 64 KiB" in problem.inner_text()
    assert page.evaluate("document.querySelector('input[name=file]').validity.valid") is False
    page.set_input_files("input[name=file]", files=[{
        "name": "numerics_v2.py", "mimeType": "text/x-python", "buffer": CODE.encode()}])
    assert "the assignment expects numerical.py" in problem.inner_text()
    assert page.evaluate("document.querySelector('input[name=file]').validity.valid") is True


def test_pass_rate_labels_are_readable_at_their_size(browser, quiet_site, app, make_submission):
    names = [f"engine graph: a test with a long descriptive name {i}" for i in range(14)]
    make_submission("alice", result=graded_result(names[:7], dict.fromkeys(names[7:], "wrong_value")))
    page = logged_in(browser, quiet_site, "prof")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(quiet_site + "/instructor/assignments/numerical")
    for name in ("pass-rates", "histogram", "categories"):
        page.wait_for_function(
            f"document.querySelector('img[data-chart={name}]').naturalWidth > 0")
        svg = page.request.get(quiet_site + page.get_attribute(f"img[data-chart={name}]", "src")).text()
        view_width = float(re.search(r'viewBox="0 0 ([\d.]+)', svg).group(1))
        font = min(float(size) for size in re.findall(r"font-size: ([\d.]+)px", svg))
        shown = page.evaluate(f"document.querySelector('img[data-chart={name}]').clientWidth")
        assert font * shown / view_width >= 11, (name, font, shown, view_width)


def test_on_a_phone_log_out_and_the_submit_form_are_on_the_first_screen(browser, quiet_site):
    page = logged_in(browser, quiet_site, viewport={"width": 390, "height": 844})
    page.goto(quiet_site + "/assignments/numerical")
    logout = page.locator("button:has-text('Log out')").bounding_box()
    assert logout["x"] >= 0 and logout["x"] + logout["width"] <= 390
    assert page.locator("#submit").bounding_box()["y"] < 844  # not thousands of pixels down
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
