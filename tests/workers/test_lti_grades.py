"""Grades to the LMS (LTI AGS) with real workers on Redis and PostgreSQL, against the test
platform (tests/support/lti_platform.py): a learner launched from the LMS submits, and the
counted grade (the number grades.csv shows) arrives at the platform's score endpoint; an extension
granted or revoked and a policy change post the new one; an LMS that is down delays only its own
copy, which arrives once."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from grader.db import get_session
from grader.lti import registrations
from grader.lti.passback import post_grade
from grader.models import (
    Accommodation,
    AssignmentPolicy,
    Extension,
    LtiGradePost,
    LtiIdentity,
    LtiLineItem,
    Submission,
    User,
    utcnow,
)
from tests.support.accounts import AuthActions, csrf_from
from tests.support.forms import set_policy
from tests.support.live import ServerThread, wait_for
from tests.support.live_grading import GRADING_TIMEOUT, SLUG, SOLUTION
from tests.support.lti_platform import LEARNER, TestPlatform

RETRY_SECONDS = 1  # the first retry of a grade post; 3x longer each time


@pytest.fixture
def lms(live_env, web, worker_factory, monkeypatch):
    """A worker, the web over HTTP and a registered platform; numerical due yesterday."""
    env = {**live_env, "LTI_RETRY_SECONDS": str(RETRY_SECONDS)}
    monkeypatch.setenv("LTI_RETRY_SECONDS", str(RETRY_SECONDS))
    worker_factory(env)
    app = web(env)
    app.config["SERVER_NAME"] = None
    server = ServerThread(app)
    platform = TestPlatform(server.url)
    platform.add_person("learner-1", "Ada Lovelace", "ada@example.edu", [LEARNER])
    now = utcnow()
    with app.app_context():
        session = get_session()
        registrations.add_platform(session, registrations.PlatformFields(
            platform.issuer, platform.client_id, (platform.deployment_id,),
            platform.url + "/auth", platform.url + "/token", platform.url + "/jwks"))
        # Late by a day and a bit: two started days at 0.1 each (the manifest's rate).
        session.add(AssignmentPolicy(assignment_slug=SLUG, due=now - timedelta(days=1),
                                     hard_close=now + timedelta(days=10)))
        session.commit()
    yield app, platform
    platform.stop()
    server.stop()


def submit_as_learner(platform: TestPlatform, browser: requests.Session) -> None:
    page = browser.get(f"{platform.tool_url}/assignments/{SLUG}", timeout=30)
    answer = browser.post(f"{platform.tool_url}/assignments/{SLUG}/submissions", timeout=60,
                          data={"csrf_token": csrf_from(page.text), "code": SOLUTION})
    assert answer.status_code == 200, answer.text[-2000:]


def csv_score(app, username: str) -> float:
    """The learner's score in the instructor's grades.csv."""
    client = app.test_client()
    AuthActions(client).login("prof")
    export = client.get(f"/instructor/assignments/{SLUG}/grades.csv").get_data(as_text=True)
    (row,) = [r for r in csv.DictReader(io.StringIO(export)) if r["username"] == username]
    return float(row["score"])


def learner(app) -> User:
    with app.app_context():
        session = get_session()
        user = session.scalar(select(User).join(LtiIdentity, LtiIdentity.user_id == User.id))
        session.expunge(user)
        return user


def post_record(app) -> LtiGradePost | None:
    with app.app_context():
        session = get_session()
        record = session.scalar(select(LtiGradePost))
        if record is not None:
            session.expunge(record)
        return record


def test_the_counted_grade_reaches_the_lms_and_follows_extensions_and_policy(lms):
    app, platform = lms
    browser = requests.Session()
    assert platform.launch(browser, "learner-1", custom={"assignment": SLUG}).ok
    submit_as_learner(platform, browser)
    (score,) = wait_for(lambda: platform.scores("learner-1"), GRADING_TIMEOUT,
                        "the grade at the platform's score endpoint")
    user = learner(app)
    assert score["scoreGiven"] == pytest.approx(csv_score(app, user.username))
    assert score["scoreGiven"] == pytest.approx(0.8 * score["scoreMaximum"])  # two days late
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")
    record = wait_for(lambda: (r := post_record(app)) and r.status == "posted" and r,
                      30, "the post to be recorded")
    assert record.score == pytest.approx(score["scoreGiven"]) and record.lms_answer

    # An extension lifts the learner's late penalty; revoked, it comes back: each goes out.
    client = app.test_client()
    auth = AuthActions(client)
    auth.login("prof")
    later = utcnow() + timedelta(days=3)
    granted = client.post(f"/instructor/assignments/{SLUG}/extensions", data={
        "csrf_token": auth.csrf(f"/instructor/assignments/{SLUG}/policy"),
        "extension-username": user.username,
        "extension-due": later.strftime("%Y-%m-%dT%H:%M")})
    assert granted.status_code == 302
    scores = wait_for(lambda: len(s := platform.scores("learner-1")) == 2 and s, 60,
                      "the grade with the extension at the platform")
    assert scores[1]["scoreGiven"] == pytest.approx(scores[1]["scoreMaximum"])
    assert scores[1]["scoreGiven"] == pytest.approx(csv_score(app, user.username))
    with app.app_context():
        extension_id = get_session().scalar(select(Extension.id))
    revoked = client.post(f"/instructor/assignments/{SLUG}/extensions/{extension_id}/revoke",
                          data={"csrf_token": auth.csrf(f"/instructor/assignments/{SLUG}/policy")})
    assert revoked.status_code == 302
    scores = wait_for(lambda: len(s := platform.scores("learner-1")) == 3 and s, 60,
                      "the grade without the extension at the platform")
    assert scores[2]["scoreGiven"] == pytest.approx(score["scoreGiven"])

    # A standing accommodation (a rule of the whole course) moves every deadline: its grade
    # goes out too, and so does the grade once it ends.
    accommodated = client.post("/instructor/accommodations", data={
        "csrf_token": auth.csrf("/instructor/accommodations"), "username": user.username,
        "extra_days": "3", "extra_submissions_per_day": "0", "note": "office ref 12"})
    assert accommodated.status_code == 302
    scores = wait_for(lambda: len(s := platform.scores("learner-1")) == 4 and s, 60,
                      "the grade with the accommodation at the platform")
    assert scores[3]["scoreGiven"] == pytest.approx(scores[3]["scoreMaximum"])
    assert scores[3]["scoreGiven"] == pytest.approx(csv_score(app, user.username))
    with app.app_context():
        accommodation_id = get_session().scalar(select(Accommodation.id))
    ended = client.post(f"/instructor/accommodations/{accommodation_id}/revoke",
                        data={"csrf_token": auth.csrf("/instructor/accommodations")})
    assert ended.status_code == 302
    scores = wait_for(lambda: len(s := platform.scores("learner-1")) == 5 and s, 60,
                      "the grade without the accommodation at the platform")
    assert scores[4]["scoreGiven"] == pytest.approx(score["scoreGiven"])

    # The instructor moves the due date: the late penalty goes, the new grade goes to the LMS.
    close = later + timedelta(days=7)  # the form, as the browser posts it, sends every field
    assert set_policy(client, auth, due=later.strftime("%Y-%m-%dT%H:%M"),
                      hard_close=close.strftime("%Y-%m-%dT%H:%M"),
                      late_penalty_per_day="0.1", late_penalty_cap="0.5").status_code == 302
    scores = wait_for(lambda: len(s := platform.scores("learner-1")) == 6 and s, 60,
                      "the new grade at the platform")
    assert scores[5]["scoreGiven"] == pytest.approx(scores[5]["scoreMaximum"])
    assert scores[5]["scoreGiven"] == pytest.approx(csv_score(app, user.username))
    assert platform.line_items_created == 1  # one column in the gradebook, made once
    (item,) = platform.line_items.values()
    assert item.body["resourceId"] == SLUG

    # Posting the same grade again sends nothing: the LMS has it.
    with app.app_context():
        assert post_grade(get_session(), user.id, SLUG) == ["unchanged"]
    assert len(platform.scores("learner-1")) == 6
    page = client.get("/instructor/lti").get_data(as_text=True)
    assert f'data-grade-post="{user.username}:{SLUG}" data-state="posted"' in page


def test_an_lms_that_is_down_delays_only_its_copy_which_arrives_once(lms):
    app, platform = lms
    platform.scores_failing = True  # the gradebook answers 503
    browser = requests.Session()
    assert platform.launch(browser, "learner-1", custom={"assignment": SLUG}).ok
    submit_as_learner(platform, browser)
    record = wait_for(lambda: (r := post_record(app)) and r.status == "retrying" and r,
                      GRADING_TIMEOUT, "a failed post to be recorded")
    assert "HTTP 503" in record.lms_answer and "maintenance" in record.lms_answer
    with app.app_context():
        graded = get_session().scalar(select(Submission))
        # The grading was stored before the LMS ever answered: it did not wait for it.
        assert graded.status == "graded" and graded.finished_at <= record.attempted_at
    wait_for(lambda: platform.failed_score_posts >= 2, 30, "a retry while the LMS is down")
    assert platform.scores() == []

    platform.scores_failing = False
    (score,) = wait_for(lambda: platform.scores("learner-1"), 60, "the grade after the LMS is back")
    assert score["scoreGiven"] == pytest.approx(csv_score(app, learner(app).username))
    wait_for(lambda: post_record(app).status == "posted", 30, "the post to be recorded")
    # Each grade once: nothing else is waiting to post it again.
    with app.app_context():
        assert post_grade(get_session(), learner(app).id, SLUG) == ["unchanged"]
        assert len(get_session().scalars(select(LtiLineItem)).all()) == 1
    assert len(platform.scores("learner-1")) == 1
