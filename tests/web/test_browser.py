"""A student in a real browser (Chromium via Playwright): log in, submit, watch, read feedback."""

from __future__ import annotations

from tests.support.accounts import PASSWORDS
from tests.support.live import REPOSITORY

# Forward instead of central differences: some tests pass, others fail with a diagnosis.
MUTANT = (REPOSITORY / "assignments" / "numerical" / "mutants" / "forward_difference.py"
          ).read_text()

# The badge texts the page showed, recorded in the page without reloading it.
RECORD_STATUSES = """() => {
  window.__statuses = [document.querySelector('[data-status-badge]').textContent.trim()];
  const box = document.querySelector('#feedback');
  new MutationObserver(() => {
    const badge = box.querySelector('[data-status-badge]');
    if (badge) window.__statuses.push(badge.textContent.trim());
  }).observe(box, {childList: true, subtree: true});
}"""


def test_student_submits_and_watches_feedback(browser, live_site, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_site + "/")
    assert "/auth/login" in page.url
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORDS["alice"])
    page.click("input[type=submit]")
    page.wait_for_url("**/assignments")
    page.screenshot(path=tmp_path / "1-assignments.png", full_page=True)

    page.click("text=Numerical differentiation")
    page.wait_for_selector(".readme h1, .readme h2")
    page.fill("textarea[name=code]", MUTANT)
    page.click("input[value='Submit for grading']")
    page.wait_for_url("**/submissions/*")
    page.evaluate(RECORD_STATUSES)
    page.evaluate("window.__sameDocument = true")
    page.screenshot(path=tmp_path / "2-submitted.png", full_page=True)

    page.wait_for_selector("#feedback[data-final=true]", timeout=90_000)
    assert page.evaluate("window.__sameDocument") is True  # updated live, never reloaded
    statuses = page.evaluate("window.__statuses")
    assert statuses[0] in ("queued", "running")
    assert statuses[-1] == "graded"

    feedback = page.inner_text("#feedback")
    assert "✗ failed" in feedback and "✓ passed" in feedback
    assert "Expected" in feedback and "Received" in feedback and "Hint" in feedback
    assert page.inner_text(".code")  # the submitted code, highlighted
    assert "graded" in page.inner_text("#history").lower()  # the history follows along
    page.screenshot(path=tmp_path / "3-graded.png", full_page=True)


def test_login_error_is_shown(browser, live_site):
    page = browser.new_page()
    page.goto(live_site + "/auth/login")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "wrong")
    page.click("input[type=submit]")
    assert "Wrong username or password." in page.inner_text("main")
