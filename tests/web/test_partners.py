"""Partners on a seeded course (PostgreSQL): a group of three formed with each member's
confirmation; one member submits (web, API or the `autograder submit` command) and all three
see the submission and the same grade on the pages, in the API and in grades.csv; each
member's counted grade stays their own (deadline, extension, late days); partners are not
flagged to each other as similar."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.db import get_session
from grader.models import ApiToken, AuditEntry, Submission, User, utcnow
from tests.support.accounts import AuthActions, add_students
from tests.support.course import CourseAssignment
from tests.support.documents import case, result_document
from tests.support.forms import GOOD, post_file, set_policy, submit_form
from tests.support.grades import rounded
from tests.support.live import ServerThread
from tests.support.live_grading import SLUG, SOLUTION, graded, submit
from tests.support.rules import agreed, every_surface, set_late_days

ON_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
PASSWORD = "class-pass-1234"
GROUP = ("alice", "bob", "student000")
# Ten points of ten: what the grading gives every submission of the group here.
FULL_MARKS = result_document([case("case 1", points=5.0), case("case 2", points=5.0)])


def logged_in(app, name):
    client = app.test_client()
    password = PASSWORD if name.startswith("student") else None
    assert AuthActions(client).login(name, password).status_code == 302
    return client


def change_group(client, change, **data):
    token = AuthActions(client).csrf("/assignments/numerical")
    return client.post(f"/assignments/numerical/group/{change}",
                       data={"csrf_token": token} | data)


def invite(client, username):
    return change_group(client, "invite", username=username)


def set_group_size(staff, size):
    token = AuthActions(staff).csrf("/instructor/assignments/numerical/policy")
    return staff.post("/instructor/assignments/numerical/groups",
                      data={"csrf_token": token, "groups-max_size": str(size)})


def grade_all_queued(app) -> None:
    """What a worker does with each queued submission: claim it, store its result."""
    from workers import lifecycle

    with app.app_context():
        session = get_session()
        for row in session.query(Submission).filter_by(status="queued").all():
            claim = lifecycle.claim(session, row.id, timedelta(minutes=5), 3)
            assert lifecycle.finish(session, claim, FULL_MARKS)


def form_the_group(app, staff, students):
    """alice invites bob and student000; both confirm on their pages."""
    assert set_group_size(staff, 3).status_code == 302
    assert invite(students["alice"], "bob").status_code == 302
    assert invite(students["alice"], "student000").status_code == 302
    # Three with the invitations: no fourth, and no one in two groups.
    refused = invite(students["alice"], "student001")
    assert refused.status_code == 400 and "at most 3 students" in refused.get_data(as_text=True)
    assert invite(students["student001"], "bob").status_code == 400
    page = students["bob"].get("/assignments/numerical").get_data(as_text=True)
    assert "alice invited you to work together" in page
    for name in ("bob", "student000"):
        assert change_group(students[name], "confirm").status_code == 302


@ON_POSTGRESQL
def test_one_submits_and_the_group_of_three_sees_the_same_grade(app, client, course):
    add_students(app, 2, PASSWORD)
    now = utcnow()
    course["numerical"] = CourseAssignment("numerical", "Numerical", submit_file="numerical.py",
                                           due=now + timedelta(days=2))
    staff = client
    AuthActions(staff).login("prof")
    students = {name: logged_in(app, name) for name in (*GROUP, "student001")}
    tokens = dict(app.tokens)
    with app.app_context():
        session = get_session()
        for name in ("student000", "student001"):
            row, tokens[name] = ApiToken.issue(User.by_username(session, name), "tests")
            session.add(row)
        session.commit()
    form_the_group(app, staff, students)
    page = students["alice"].get("/assignments/numerical").get_data(as_text=True)
    assert all(f'data-member="{name}"' in page for name in GROUP)

    # alice submits through the API; the grading gives 10 of 10.
    response = post_file(client, {"Authorization": f"Bearer {tokens['alice']}"},
                         payload=GOOD.encode())
    assert response.status_code == 201
    submission_id = response.json["id"]
    grade_all_queued(app)

    for name in GROUP:
        assert agreed(every_surface(app, staff, students[name], tokens[name],
                                    "numerical")) == (10.0, 0)
        own = {"Authorization": f"Bearer {tokens[name]}"}
        document = client.get(f"/api/v1/submissions/{submission_id}", headers=own).json
        assert document["group"] == sorted(GROUP) and document["counts"] is True
        listed = client.get("/api/v1/assignments/numerical/submissions", headers=own).json
        assert [s["id"] for s in listed["submissions"]] == [submission_id]
        assert client.get("/api/v1/assignments/numerical", headers=own).json["group"] == sorted(
            GROUP)
        page = students[name].get(f"/submissions/{submission_id}").get_data(as_text=True)
        assert "Handed in by alice for the group alice, bob, student000" in page
    # Not a member: neither the page nor the document.
    assert students["student001"].get(f"/submissions/{submission_id}").status_code == 404
    outsider = {"Authorization": f"Bearer {tokens['student001']}"}
    assert client.get(f"/api/v1/submissions/{submission_id}",
                      headers=outsider).status_code == 404
    assert agreed(every_surface(app, staff, students["student001"], tokens["student001"],
                                "numerical")) == (None, 0)

    # bob hands in through the web form, student000 with `autograder submit`: both the
    # group's. A group that has handed in cannot be left.
    assert submit_form(students["bob"], code=GOOD).status_code == 302
    app.config["SERVER_NAME"] = None
    server = ServerThread(app)
    try:
        path = app.instance_path + "/numerical.py"
        with open(path, "w") as file:
            file.write(GOOD)
        result = CliRunner().invoke(cli, ["submit", "numerical", path, "--server", server.url,
                                          "--token", tokens["student000"], "--no-wait",
                                          "--json"])
    finally:
        server.stop()
        app.config["SERVER_NAME"] = "grader.test"
    assert result.exit_code == 0, result.output
    by_cli = json.loads(result.output.splitlines()[-1])["id"]  # its last line: the JSON
    with app.app_context():
        rows = get_session().query(Submission).order_by(Submission.id).all()
        assert len({row.group_id for row in rows}) == 1 and rows[0].group_id is not None
        assert rows[-1].id == by_cli and rows[-1].user.username == "student000"
    grade_all_queued(app)
    for name in GROUP:
        listed = client.get("/api/v1/assignments/numerical/submissions",
                            headers={"Authorization": f"Bearer {tokens[name]}"}).json
        assert len(listed["submissions"]) == 3
    left = change_group(students["bob"], "leave")
    assert left.status_code == 400 and "handed in work" in left.get_data(as_text=True)

    # Each member's counted grade is their own: the due date moves a day and an hour into the
    # past (two started days late, 0.1 a day); student000 has an extension, and one late day
    # each takes one of the days off.
    assert set_policy(staff, AuthActions(staff), due=(now - timedelta(days=1, hours=1))
                      .strftime("%Y-%m-%dT%H:%M"), late_penalty_per_day="0.1").status_code == 302
    token = AuthActions(staff).csrf("/instructor/assignments/numerical/policy")
    assert staff.post("/instructor/assignments/numerical/extensions", data={
        "csrf_token": token, "extension-username": "student000",
        "extension-due": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")}).status_code == 302
    assert set_late_days(staff, 1, numerical=1).status_code == 302
    expected = {"alice": (9.0, 1), "bob": (9.0, 1), "student000": (10.0, 0)}
    for name in GROUP:
        assert agreed(every_surface(app, staff, students[name], tokens[name],
                                    "numerical")) == expected[name]
    with app.app_context():
        assert get_session().query(AuditEntry).filter_by(action="groups.update").count() == 1


@ON_POSTGRESQL
def test_partners_are_not_flagged_as_similar_to_each_other(app, client, course):
    add_students(app, 2, PASSWORD)
    staff = client
    AuthActions(staff).login("prof")
    students = {name: logged_in(app, name) for name in (*GROUP, "student001")}
    form_the_group(app, staff, students)
    solution = ("import numpy as np\n\n\ndef numerical_gradient(f, x, h=1e-6):\n"
                "    grad = np.zeros_like(x, dtype=float)\n"
                "    for index in np.ndindex(x.shape):\n"
                "        saved = x[index]\n        x[index] = saved + h\n        up = f(x)\n"
                "        x[index] = saved - h\n        down = f(x)\n        x[index] = saved\n"
                "        grad[index] = (up - down) / (2 * h)\n    return grad\n")
    for name in ("alice", "bob", "student001"):
        assert submit_form(students[name], code=solution).status_code == 302
    page = staff.get("/instructor/assignments/numerical/similar?threshold=30").get_data(
        as_text=True)
    with app.app_context():
        ids = {row.user.username: row.id for row in get_session().query(Submission)}
    pairs = {tuple(sorted(map(int, pair))) for pair in
             re.findall(r"/instructor/similar/(\d+)/(\d+)", page)}
    assert pairs == {tuple(sorted((ids["alice"], ids["student001"]))),
                     tuple(sorted((ids["bob"], ids["student001"])))}


def test_groups_need_an_assignment_that_takes_them(app, client):
    alice = logged_in(app, "alice")
    response = invite(alice, "bob")
    assert response.status_code == 400
    assert "takes no groups" in response.get_data(as_text=True)


def test_a_real_grading_of_one_members_submission_is_the_groups(live_env, web, worker_factory):
    """The same with a real worker grading the reference solution alice hands in."""
    worker_factory(live_env)
    app = web(live_env)
    add_students(app, 2, PASSWORD)
    staff = logged_in(app, "prof")
    students = {name: logged_in(app, name) for name in (*GROUP, "student001")}
    tokens = dict(app.tokens)
    with app.app_context():
        session = get_session()
        row, tokens["student000"] = ApiToken.issue(User.by_username(session, "student000"), "t")
        session.add(row)
        session.commit()
    form_the_group(app, staff, students)
    submission_id = submit(students["alice"], app, SOLUTION)
    document = graded(students["alice"], app, submission_id)
    assert document["status"] == "graded" and document["group"] == sorted(GROUP)
    full = rounded(document["max_score"])
    for name in GROUP:
        assert agreed(every_surface(app, staff, students[name], tokens[name], SLUG)) == (full, 0)
