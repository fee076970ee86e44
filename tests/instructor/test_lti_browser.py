"""The LTI pages in Chromium at 390 and 1280 px, with axe: the instructor's LMS page (with a
registration, an LMS course and grades posted and waiting), the deep-linking picker reached by a
real launch from the test platform, and the page of a refused launch."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from grader.db import get_session
from grader.lti import registrations
from grader.models import LtiContext, LtiGradePost, LtiLineItem, User, utcnow
from tests.support.live import ServerThread
from tests.support.lti_platform import INSTRUCTOR, LEARNER, TestPlatform
from tests.support.pages import PageWatcher, axe_script, log_in

WIDTHS = (390, 1280)


@pytest.fixture
def site(app):
    """The app over HTTP with a registered platform, one launch done and two grade posts."""
    app.config["SERVER_NAME"] = None
    server = ServerThread(app)
    platform = TestPlatform(server.url)
    platform.add_person("learner-1", "Ada Lovelace", "ada@example.edu", [LEARNER])
    platform.add_person("teacher-1", "Grace Hopper", "grace@example.edu", [INSTRUCTOR])
    with app.app_context():
        session = get_session()
        registrations.add_platform(session, registrations.PlatformFields(
            platform.issuer, platform.client_id, (platform.deployment_id, "deployment-2"),
            platform.url + "/auth", platform.url + "/token", platform.url + "/jwks"))
        session.commit()
    assert platform.launch(requests.Session(), "learner-1").ok
    with app.app_context():
        session = get_session()
        context = session.scalar(select(LtiContext))
        item = LtiLineItem(context=context, assignment_slug="numerical",
                           url=platform.lineitems_url() + "/1")
        ada = session.scalar(select(User).where(User.email == "ada@example.edu"))
        alice = User.by_username(session, "alice")
        session.add_all([
            item,
            LtiGradePost(line_item=item, user=ada, score=3.2, max_score=4.0, posted_at=utcnow(),
                         status="posted", attempts=1, attempted_at=utcnow(),
                         lms_answer="accepted: {}"),
            LtiGradePost(line_item=item, user=alice, status="retrying", attempts=3,
                         attempted_at=utcnow(),
                         lms_answer="HTTP 503: " + "the gradebook is down for maintenance " * 12),
        ])
        session.commit()
    yield server.url, platform
    platform.stop()
    server.stop()


def test_the_lti_pages_fit_and_pass_axe(browser, site):
    url, platform = site
    problems = []
    axe = axe_script()
    context = browser.new_context()
    watcher = PageWatcher(context, url, axe)
    log_in(watcher.page, url, "prof")
    for width in WIDTHS:
        problems += watcher.check("/instructor/lti", "instructor-lti", width)
    page = watcher.page
    assert page.locator("[data-grade-post]").count() == 2
    assert page.locator("[data-tool-urls]").inner_text().count(url) == 5
    # The deep-linking picker, reached as the LMS sends an instructor to it.
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(platform.login_url("teacher-1", deep_link=True))  # to the platform's form
        with page.expect_navigation():
            page.evaluate("document.forms[0].submit()")
        page.wait_for_selector("input[name=assignment]")
        problems += watcher.inspect(page.url, "lti-deep-link", width)
        problems += watcher.check("/lti/login?iss=unknown&login_hint=x&lti1p3_new_window=1",
                                  "lti-refused", width)
    context.close()
    assert problems == [], "\n".join(problems)
