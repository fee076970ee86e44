"""Regrade requests on a seeded course (PostgreSQL): a student asks about one test, the
instructor answers with points; every surface counts them, and they still stand after a
regrade of the whole assignment, seeded and through a real worker (or the instructor is told a
regrade replaced them)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from grader.db import get_session
from grader.models import AuditEntry, RegradeRequest, Submission, User, utcnow
from tests.support.accounts import AuthActions
from tests.support.documents import case, result_document
from tests.support.grades import graded_work, rounded
from tests.support.live import REPOSITORY, wait_for
from tests.support.live_grading import SLUG, graded, gradings, poll, submit
from tests.support.rules import agreed, every_surface

# Scores 10 of 21 when graded (its forward differences fail the accuracy tests).
MUTANT = (REPOSITORY / "assignments" / SLUG / "mutants" / "forward_difference.py").read_text()
ON_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
# Two tests of 5 points: the first passed, the second failed.
FIRST_GRADING = result_document([case("case 1", points=5.0),
                                 case("case 2", status="failed", points=5.0)])


def graded_submission(app) -> int:
    with app.app_context():
        session = get_session()
        alice = User.by_username(session, "alice")
        row = graded_work(session, alice, "numerical", utcnow() - timedelta(hours=2), [5.0])
        row.result = FIRST_GRADING
        session.commit()
        return row.id


def logged_in(app, name):
    client = app.test_client()
    assert AuthActions(client).login(name).status_code == 302
    return client


def ask(student, submission_id, test, message):
    token = AuthActions(student).csrf(f"/submissions/{submission_id}")
    return student.post(f"/submissions/{submission_id}/regrade-requests",
                        data={"csrf_token": token, "test": test, "message": message})


def answer(staff, request_id, text, points="", reason=""):
    token = AuthActions(staff).csrf("/instructor/regrade-requests")
    prefix = f"r{request_id}-"
    return staff.post(f"/instructor/regrade-requests/{request_id}/answer", data={
        "csrf_token": token, prefix + "answer": text, prefix + "points": points,
        prefix + "reason": reason})


def regrade_all(app, staff, document) -> None:
    """The instructor regrades the whole assignment; each grading gives document (a worker's
    two steps: claim the row, then store the result in one write)."""
    from workers import lifecycle

    token = AuthActions(staff).csrf("/instructor/assignments/numerical")
    assert staff.post("/instructor/assignments/numerical/regrade",
                      data={"csrf_token": token, "username": ""}).status_code == 302
    with app.app_context():
        session = get_session()
        for row in session.query(Submission).filter_by(status="queued").all():
            claim = lifecycle.claim(session, row.id, timedelta(minutes=5), 3)
            assert lifecycle.finish(session, claim, document)


@ON_POSTGRESQL
def test_points_set_in_an_answer_count_everywhere_and_survive_a_regrade(app, client):
    submission_id = graded_submission(app)
    student, staff = logged_in(app, "alice"), client
    AuthActions(staff).login("prof")

    def grade():
        return agreed(every_surface(app, staff, student, app.tokens["alice"], "numerical"))[0]

    assert grade() == 5.0
    assert ask(student, submission_id, "case 3", "?").status_code == 400
    assert ask(student, submission_id, "case 2", "  ").status_code == 400
    assert ask(student, submission_id, "case 2",
               "My gradient is right to 1e-5; the tolerance seems tighter than the README says."
               ).status_code == 302
    assert ask(student, submission_id, "case 2", "again").status_code == 400  # one open each
    queue = staff.get("/instructor/regrade-requests").get_data(as_text=True)
    assert "tighter than the README says" in queue and 'data-request="open"' in queue
    with app.app_context():
        request_id = get_session().query(RegradeRequest).one().id

    assert answer(staff, request_id, "Right: the README says 1e-4.", "9", "x").status_code == 400
    assert answer(staff, request_id, "Right: the README says 1e-4.", "4").status_code == 400
    assert answer(staff, request_id, "Right: the README says 1e-4.", "4",
                  "the README's tolerance is 1e-4").status_code == 302
    assert grade() == 9.0
    page = student.get(f"/submissions/{submission_id}").get_data(as_text=True)
    assert "Right: the README says 1e-4." in page and 'data-adjusted-points="4"' in page
    assert 'data-adjusted-test="4"' in page  # beside the test's own points in the table

    regrade_all(app, staff, FIRST_GRADING)  # the grading still gives case 2 nothing
    assert grade() == 9.0
    with app.app_context():
        runs = get_session().get(Submission, submission_id).gradings
        assert [run.reason for run in runs] == ["submitted", "regrade"]
        entries = {e.action: e for e in get_session().query(AuditEntry)}
    assert entries["regrade_request.answer"].details["changes"] == {"points": [0.0, 4.0]}
    assert entries["regrade_request.answer"].details["reason"] == "the README's tolerance is 1e-4"
    assert 'id="replaced"' not in staff.get("/instructor/regrade-requests").get_data(as_text=True)

    # A grading whose tests were renamed cannot keep the points: the instructor is told.
    renamed = result_document([case("case 1", points=5.0),
                               case("case 3", status="failed", points=5.0)])
    regrade_all(app, staff, renamed)
    assert grade() == 5.0
    queue = staff.get("/instructor/regrade-requests").get_data(as_text=True)
    assert f'data-replaced="{submission_id}"' in queue


def test_only_the_owner_asks_and_only_instructors_answer(app, client):
    submission_id = graded_submission(app)
    bob = logged_in(app, "bob")
    token = AuthActions(bob).csrf("/assignments")
    response = bob.post(f"/submissions/{submission_id}/regrade-requests",
                        data={"csrf_token": token, "test": "case 2", "message": "mine?"})
    assert response.status_code == 404
    alice = logged_in(app, "alice")
    assert ask(alice, submission_id, "case 2", "please look").status_code == 302
    assert alice.get("/instructor/regrade-requests").status_code in (403, 404)
    token = AuthActions(alice).csrf("/assignments")
    assert alice.post("/instructor/regrade-requests/1/answer",
                      data={"csrf_token": token, "r1-answer": "yes", "r1-points": "5",
                            "r1-reason": "me"}).status_code in (403, 404)


def test_points_set_in_an_answer_survive_a_real_regrade_of_the_assignment(
        live_env, web, worker_factory):
    """The same through a real worker: the forward-difference mutant graded, one failed test's
    points set in an answer, then "regrade all" through the queue."""
    worker_factory(live_env)
    app = web(live_env)
    student, staff = logged_in(app, "alice"), logged_in(app, "prof")
    submission_id = submit(student, app, MUTANT)
    first = graded(student, app, submission_id)
    failed = next(test for test in first["result"]["tests"] if test["status"] == "failed")
    assert ask(student, submission_id, failed["name"], "Central differences, I think."
               ).status_code == 302
    with app.app_context():
        request_id = get_session().query(RegradeRequest).one().id
    assert answer(staff, request_id, "Agreed.", f"{failed['max_score']:g}",
                  "full marks on review").status_code == 302
    expected = rounded(first["score"] + failed["max_score"] - failed["score"])

    def grade():
        return agreed(every_surface(app, staff, student, app.tokens["alice"], SLUG))[0]

    assert grade() == expected
    token = AuthActions(staff).csrf(f"/instructor/assignments/{SLUG}")
    assert staff.post(f"/instructor/assignments/{SLUG}/regrade",
                      data={"csrf_token": token, "username": ""}).status_code == 302
    wait_for(lambda: len(gradings(app, submission_id)) == 2
             and poll(student, app, submission_id)["status"] == "graded", 120, "the regrade")
    assert [status for status, _ in gradings(app, submission_id)] == ["graded", "graded"]
    assert grade() == expected
