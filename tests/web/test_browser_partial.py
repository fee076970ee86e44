"""In Chromium, with a real worker: the submission page shows the public tests' verdict
while the hidden and scale tests run, then the final feedback, without a reload."""

from __future__ import annotations

from grader.grading.assignments import get_assignment
from tests.support.accounts import PASSWORDS
from tests.support.live_grading import SLOW_HIDDEN_TESTS, SLOW_HIDDEN_TESTS_SLUG

# What the page showed, in order, recorded inside the page as the feedback box changes.
RECORD_VIEWS = """() => {
  const box = document.querySelector('#feedback');
  window.__views = [];
  const note = () => window.__views.push({
    partial: box.querySelector('[data-partial]') !== null,
    pending: box.querySelectorAll('[data-pending]').length,
    failed: box.querySelectorAll('.fail').length,
    score: box.querySelector('.big-score') !== null,
  });
  note();
  new MutationObserver(note).observe(box, {childList: true, subtree: true});
}"""


def test_the_page_shows_public_results_before_the_final_ones(browser, live_site):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_site + "/auth/login")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORDS["alice"])
    page.click("input[type=submit]")
    page.wait_for_url("**/assignments")
    page.goto(live_site + f"/assignments/{SLOW_HIDDEN_TESTS_SLUG}")
    page.fill("textarea[name=code]", SLOW_HIDDEN_TESTS)
    page.click("input[value='Submit for grading']")
    page.wait_for_url("**/submissions/*")
    page.evaluate(RECORD_VIEWS)

    page.wait_for_selector("#feedback [data-partial]", timeout=90_000)
    early = page.inner_text("#feedback")
    public = sum(case.visibility == "visible"
                 for case in get_assignment(SLOW_HIDDEN_TESTS_SLUG).cases())
    assert f"Public tests: {public}/{public} passed — hidden and scale tests are running" in early
    assert "running" in page.inner_text("#feedback tr[data-pending], #feedback [data-pending]")
    assert "✗ failed" not in early  # the pending hidden tests are not failures

    page.wait_for_selector("#feedback[data-final=true]", timeout=90_000)
    final = page.inner_text("#feedback")
    points = f"{get_assignment(SLOW_HIDDEN_TESTS_SLUG).points:g}"
    assert "Public tests" not in final and f"{points} / {points}" in final
    views = page.evaluate("window.__views")
    first_partial = next(i for i, view in enumerate(views) if view["partial"])
    first_score = next(i for i, view in enumerate(views) if view["score"])
    assert first_partial < first_score
    assert all(view["pending"] > 0 and not view["score"] for view in views if view["partial"])
    assert not any(view["failed"] for view in views)
