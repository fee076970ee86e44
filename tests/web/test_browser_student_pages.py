"""Student pages in Chromium on a 390 px phone and a 1280 px screen: the student package's pip
command where students look, and the live partial results with every column in view."""

from __future__ import annotations

import pytest

from grader import student_wheel
from grader.grading.assignments import get_assignment
from tests.support.live import ServerThread
from tests.support.pages import PageWatcher, axe_script, log_in

WIDTHS = [390, 1280]
SLUG = "backprop"


@pytest.fixture(scope="module")
def axe() -> str:
    return axe_script()


@pytest.fixture
def site(app):
    """The app over HTTP on SQLite, serving the real backprop assignment; nobody grades."""
    app.extensions["grader.course"] = {SLUG: get_assignment(SLUG)}
    app.config["SERVER_NAME"] = None
    server = ServerThread(app)
    yield server.url
    server.stop()


def student_page(browser, site: str, axe: str, width: int) -> PageWatcher:
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  permissions=["clipboard-read", "clipboard-write"])
    watcher = PageWatcher(context, site, axe)
    page = watcher.page
    log_in(page, site, "alice")
    return watcher


@pytest.mark.parametrize("width", WIDTHS)
def test_the_pip_command_is_offered_and_copied(browser, site, axe, width):
    watcher = student_page(browser, site, axe, width)
    page = watcher.page
    expected = f"python -m pip install {site}/student-package/{student_wheel.WHEEL_NAME}"
    for name, path in (("assignment", f"/assignments/{SLUG}"), ("account", "/auth/account")):
        problems = watcher.check(path, f"package-{name}", width)
        assert problems == []
        command = page.locator("[data-install-command]")
        box = command.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width  # wraps, never cut off
        assert command.inner_text() == expected
        page.click("button[data-copy='#install-command']")
        assert page.evaluate("navigator.clipboard.readText()") == expected
        wheel = page.request.get(expected.removeprefix("python -m pip install "))
        assert wheel.status == 200 and wheel.body()[:2] == b"PK"


def partial_document() -> dict:
    """The public tests judged (one failed), the hidden and scale ones still running, as the
    grader writes it for backprop: its real test names, numbers and points."""
    tests, pending = [], []
    for number, case in enumerate(get_assignment(SLUG).cases(), start=1):
        entry = {"name": case.name, "number": str(number), "max_score": case.points,
                 "visibility": case.visibility}
        if case.visibility == "visible":
            passed = number != 2
            tests.append(entry | {"status": "passed" if passed else "failed",
                                  "score": case.points if passed else 0.0, "output": "",
                                  "tags": [] if passed else ["wrong-order"], "extra_data": {}})
        else:
            pending.append(entry | {"status": "pending"})
    return {"score": sum(t["score"] for t in tests), "max_score": sum(t["max_score"] for t in tests),
            "output": f"Public tests: {len(tests) - 1}/{len(tests)} passed — hidden and scale "
                      "tests are running", "tests": tests, "partial": True,
            "pending_tests": pending, "extra_data": {}}


# Where each column of the tests table ends, against the box the table scrolls in.
COLUMNS = """() => {
  const box = document.querySelector('#feedback .table-scroll');
  const right = box.getBoundingClientRect().right;
  return {overflow: box.scrollWidth - box.clientWidth,
          beyond: [...document.querySelectorAll('#feedback table.tests th')]
            .filter(th => th.getBoundingClientRect().right > right + 1).map(th => th.textContent)};
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_the_live_partial_results_show_every_column(browser, site, axe, make_submission, width):
    submission = make_submission("alice", slug=SLUG, status="running",
                                 partial_result=partial_document(), progress="hidden tests")
    watcher = student_page(browser, site, axe, width)
    problems = watcher.check(f"/submissions/{submission}", "partial-results", width)
    assert problems == []
    page = watcher.page
    assert page.locator("#feedback [data-partial]").count() == 1
    assert page.evaluate(COLUMNS) == {"overflow": 0, "beyond": []}
    assert page.locator("#feedback [data-pending]").count() > 0
