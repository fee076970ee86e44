"""The late-day bank and standing accommodations on a seeded course (PostgreSQL): days go
where they help most, come back when a regrade makes them useless, show the same on every
surface; an accommodation applies to an assignment added after it was granted."""

from __future__ import annotations

from datetime import timedelta

import pytest

from grader.cli.report import late_day_line
from grader.db import get_session
from grader.late_days import spend
from grader.models import ApiToken, AuditEntry, User, utcnow
from tests.support.accounts import AuthActions
from tests.support.course import CourseAssignment
from tests.support.documents import case, result_document
from tests.support.forms import post_file
from tests.support.grades import graded_work
from tests.support.rules import (
    agreed,
    every_surface,
    grant_late_days,
    late_day_table,
    set_accommodation,
    set_late_days,
)

ON_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def three_late_assignments(course, now):
    """Three assignments past due, 0.1 of the score lost per started day (cap 0.5)."""
    course["numerical"] = CourseAssignment("numerical", "Numerical", submit_file="numerical.py",
                                           due=now - 5 * DAY)
    course["backprop"] = CourseAssignment("backprop", "Backprop", submit_file="backprop.py",
                                          due=now - 5 * DAY)
    course["autodiff"] = CourseAssignment("autodiff", "Autodiff", due=now - 5 * DAY)


def logged_in(app, name):
    client = app.test_client()
    assert AuthActions(client).login(name).status_code == 302
    return client


def finish_regrade(app, staff, submission_id: int, raw: float) -> None:
    """An instructor regrades the submission; the grading gives it raw (a worker's two steps:
    claim the row, then store the result document in one write)."""
    from workers import lifecycle

    token = AuthActions(staff).csrf(f"/submissions/{submission_id}")
    assert staff.post(f"/instructor/submissions/{submission_id}/regrade",
                      data={"csrf_token": token}).status_code == 302
    with app.app_context():
        session = get_session()
        claim = lifecycle.claim(session, submission_id, timedelta(minutes=5), 3)
        document = result_document([case("test 1", points=10.0)], score=raw)
        assert lifecycle.finish(session, claim, document)


def test_spending_is_the_best_and_the_fewest_days():
    # numerical gains 1 a day, backprop 0.4 for one day, autodiff 1 a day: the bank of 3
    # goes to the two that gain most, the earlier first among equals.
    scores = {"numerical": [8, 9, 10], "backprop": [3.6, 4.0, 4.0], "autodiff": [7, 8, 9]}
    assert spend(scores, 3) == {"numerical": 2, "backprop": 0, "autodiff": 1}
    assert spend(scores, 0) == {"numerical": 0, "backprop": 0, "autodiff": 0}
    # a day that gains nothing is never spent
    assert spend({"numerical": [10, 10, 10]}, 5) == {"numerical": 0}
    assert spend(scores, 10) == {"numerical": 2, "backprop": 1, "autodiff": 2}


@ON_POSTGRESQL
def test_late_days_go_where_they_help_most_and_come_back(app, client, course):
    now = utcnow()
    three_late_assignments(course, now)
    with app.app_context():
        session = get_session()
        alice, bob = (User.by_username(session, n) for n in ("alice", "bob"))
        # alice: 2, 1 and 3 started days late
        graded_work(session, alice, "numerical", now - 3 * DAY - HOUR, [10])
        graded_work(session, alice, "backprop", now - 4 * DAY - HOUR, [4])
        autodiff = graded_work(session, alice, "autodiff", now - 2 * DAY - HOUR, [10])
        # bob: on time 9, then 2 days late 10 (8 without late days)
        graded_work(session, bob, "numerical", now - 6 * DAY, [9])
        late = graded_work(session, bob, "numerical", now - 3 * DAY - HOUR, [10])
        session.commit()
        late_id, autodiff_id = late.id, autodiff.id
    staff = client
    AuthActions(staff).login("prof")
    assert set_late_days(staff, 3, numerical=2, backprop=2, autodiff=2).status_code == 302
    students = {name: logged_in(app, name) for name in ("alice", "bob")}

    def standing(name):
        return {slug: agreed(every_surface(app, staff, students[name], app.tokens[name], slug))
                for slug in course}

    # 8 + 3.6 + 7 with none; 2 on numerical and 1 on autodiff give 10 + 3.6 + 8, the most.
    assert standing("alice") == {"numerical": (10.0, 2), "backprop": (3.6, 0),
                                 "autodiff": (8.0, 1)}
    assert standing("bob")["numerical"] == (10.0, 2)
    listed = students["alice"].get("/assignments").get_data(as_text=True)
    assert 'data-late-days-left="0"' in listed
    assert "0 of 3 left for the term. Spent: 2 on Numerical; 1 on Autodiff." in listed
    table = late_day_table(staff)
    assert table["alice"] == {"numerical": 2, "backprop": 0, "autodiff": 1, "left": 0}
    assert table["bob"]["left"] == 1
    prof = {"Authorization": f"Bearer {app.tokens['bob']}"}
    assert client.get("/api/v1/assignments/numerical", headers=prof).json["late_days_left"] == 1

    # The late submission regraded to 8: 8 with both days is less than the 9 on time, so the
    # days help no more and come back.
    finish_regrade(app, staff, late_id, 8.0)
    assert standing("bob")["numerical"] == (9.0, 0)
    assert late_day_table(staff)["bob"]["left"] == 3

    # The student sees it before submitting late, and after.
    page = students["alice"].get("/assignments/numerical").get_data(as_text=True)
    assert 'data-late-days-left="0"' in page and 'data-would-use="2"' in page
    assert "it uses 2 of your 2 remaining late days" in page
    document = students["alice"].get(f"/api/v1/submissions/{autodiff_id}", headers={
        "Authorization": f"Bearer {app.tokens['alice']}"}).json
    assert (document["late_days"], document["late_days_left"]) == (1, 0)
    assert late_day_line(document) == (
        "late days: your grade on this assignment spends 1 late day; 0 left for the term")
    submission_page = students["alice"].get(f"/submissions/{autodiff_id}").get_data(as_text=True)
    assert 'data-late-days-spent="1"' in submission_page
    assert "spends\n    1 late day on this submission;\n    0 of 3 left" in submission_page

    # A grant of two more days goes to backprop (1) and autodiff (the second): 22.6 points.
    assert grant_late_days(staff, "alice", 2, "illness").status_code == 302
    assert standing("alice") == {"numerical": (10.0, 2), "backprop": (4.0, 1),
                                 "autodiff": (9.0, 2)}
    with app.app_context():
        actions = [e.action for e in get_session().query(AuditEntry).order_by(AuditEntry.id)]
    assert actions.count("late_days.update") == 1 and actions.count("late_days.grant") == 1


@ON_POSTGRESQL
def test_an_accommodation_applies_to_an_assignment_added_after_it(app, client, course):
    now = utcnow()
    course["numerical"] = CourseAssignment("numerical", "Numerical", submit_file="numerical.py",
                                           due=now - 2 * DAY - HOUR, max_submissions_per_day=1)
    AuthActions(client).login("prof")
    assert set_accommodation(client, "alice", 3, 2, "DRC letter 42").status_code == 302
    # An assignment the course adds afterwards: due a day ago, closed an hour ago.
    course["backprop"] = CourseAssignment("backprop", "Backprop", submit_file="backprop.py",
                                          due=now - DAY, hard_close=now - HOUR,
                                          max_submissions_per_day=1)
    with app.app_context():
        session = get_session()
        alice, bob = (User.by_username(session, n) for n in ("alice", "bob"))
        for user in (alice, bob):
            graded_work(session, user, "backprop", now - 2 * HOUR, [10])
            graded_work(session, user, "numerical", now - 2 * HOUR, [10])
        session.commit()
    students = {name: logged_in(app, name) for name in ("alice", "bob")}
    # alice's due dates moved three days: on time on both; bob loses a day on backprop and
    # two on numerical.
    assert agreed(every_surface(app, client, students["alice"], app.tokens["alice"],
                                "backprop")) == (10.0, 0)
    assert agreed(every_surface(app, client, students["alice"], app.tokens["alice"],
                                "numerical")) == (10.0, 0)
    assert agreed(every_surface(app, client, students["bob"], app.tokens["bob"],
                                "backprop")) == (9.0, 0)
    assert agreed(every_surface(app, client, students["bob"], app.tokens["bob"],
                                "numerical")) == (8.0, 0)
    # Its hard close moved too, and the daily limit of 1 is 3 for alice: she may submit
    # twice more today, bob not at all.
    alice_api = {"Authorization": f"Bearer {app.tokens['alice']}"}
    bob_api = {"Authorization": f"Bearer {app.tokens['bob']}"}
    assert [post_file(client, alice_api, slug="backprop").status_code for _ in range(3)] == [
        201, 201, 429]
    assert post_file(client, bob_api, slug="backprop").status_code == 403  # closed for bob
    document = client.get("/api/v1/assignments/backprop", headers=alice_api).json
    assert document["max_submissions_per_day"] == 3
    assert document["due"] == (now - DAY + 3 * DAY).isoformat()
    with app.app_context():
        entry = get_session().query(AuditEntry).filter_by(action="accommodation.grant").one()
        assert (entry.actor.username, entry.target) == ("prof", "alice")
        assert entry.details["changes"]["extra days"] == [0, 3]
        assert entry.details["note"] == "DRC letter 42"
    listed = client.get("/instructor/accommodations").get_data(as_text=True)
    assert 'data-accommodation-of="alice"' in listed


@pytest.mark.parametrize("form", [
    {"username": "nobody", "extra_days": "2", "extra_submissions_per_day": "0"},
    {"username": "alice", "extra_days": "-1", "extra_submissions_per_day": "0"},
    {"username": "prof", "extra_days": "1", "extra_submissions_per_day": "0"},
])
def test_a_wrong_accommodation_is_refused_with_a_reason(app, client, form):
    AuthActions(client).login("prof")
    token = AuthActions(client).csrf("/instructor/accommodations")
    response = client.post("/instructor/accommodations", data={"csrf_token": token} | form)
    assert response.status_code == 400
    assert 'role="alert"' in response.get_data(as_text=True)


def test_students_cannot_change_the_rules(app, client):
    AuthActions(client).login("alice")
    assert set_late_days(client, 9).status_code in (403, 404)
    assert client.get("/instructor/accommodations").status_code in (403, 404)
    with app.app_context():
        assert get_session().query(ApiToken).count() == 3
