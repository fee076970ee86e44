"""One grade everywhere: a course with late, extended, regraded, held and policy-changed work,
on PostgreSQL; for every student and assignment, the counted grade on the student's pages, the
instructor's pages, every API document and grades.csv is the same number."""

from __future__ import annotations

from datetime import timedelta

import pytest

from grader.db import get_session
from grader.models import ApiToken, RegradeBatch, User, utcnow
from tests.support.accounts import AuthActions, add_students
from tests.support.forms import set_policy
from tests.support.grades import (
    csv_grades,
    dashboard_grades,
    graded_work,
    page_counted,
    rounded,
    student_page_grades,
)

NOW = utcnow()
CLASS_PASSWORD = "class-pass-1234"
ON_POSTGRESQL = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)

# What each student's grade must be (every surface agrees, and agrees with this).
EXPECTED = {
    # numerical, after the policy change: due 3 days ago, 0.2 a started day, the last counts
    ("alice", "numerical"): 9 * (1 - 0.4),  # the last one, 2 started days late
    ("bob", "numerical"): 7.0,  # after the due date, within his extension
    ("student000", "numerical"): 9.0,  # regraded from 6 to 9
    ("student001", "numerical"): None,
    # backprop: due 2 days 1 hour ago, 0.1 a started day, the best counts
    ("alice", "backprop"): 6.0,
    ("bob", "backprop"): 10 * (1 - 0.2),
    ("student000", "backprop"): 10.0,  # extension
    # held: a regrade of both submissions runs; one already regraded (5 -> 9) does not show
    ("student001", "backprop"): 7.0,
    # autodiff: due 10 days ago, closed a day ago, its cap lowered to 0.3
    ("alice", "autodiff"): 3 * (1 - 0.2),  # the one after the hard close never counts
    ("bob", "autodiff"): None,
    ("student000", "autodiff"): 10 * (1 - 0.3),
    ("student001", "autodiff"): None,  # grading failed: no grade
}


def grant(client, auth, username, slug, due):
    data = {"csrf_token": auth.csrf(f"/instructor/assignments/{slug}/policy"),
            "extension-username": username, "extension-due": due.strftime("%Y-%m-%dT%H:%M")}
    assert client.post(f"/instructor/assignments/{slug}/extensions", data=data).status_code == 302


def seed(app) -> dict[str, str]:
    """The class's work; return an API token per student."""
    add_students(app, 2, CLASS_PASSWORD)
    tokens = dict(app.tokens)
    day = timedelta(days=1)
    with app.app_context():
        session = get_session()
        users = {name: User.by_username(session, name)
                 for name in ("alice", "bob", "student000", "student001")}
        for name in ("student000", "student001"):
            row, tokens[name] = ApiToken.issue(users[name], "tests")
            session.add(row)

        def work(name, slug, days_ago, runs, **fields):
            return graded_work(session, users[name], slug, NOW - days_ago * day, runs, **fields)

        work("alice", "numerical", 5, [8])
        work("alice", "numerical", 1.5, [9])
        work("bob", "numerical", 2, [7])
        work("student000", "numerical", 4, [6, 9])

        work("alice", "backprop", 3, [6])
        work("bob", "backprop", 1, [10])
        work("student000", "backprop", 1, [10])
        first = work("student001", "backprop", 4, [5, 9],
                     finished=[NOW - 4 * day + timedelta(minutes=1), NOW - timedelta(minutes=30)])
        second = work("student001", "backprop", 3, [7], status="queued")
        session.add(RegradeBatch(assignment_slug="backprop", scope="student student001",
                                 submission_ids=[first.id, second.id],
                                 started_at=NOW - timedelta(hours=1)))

        work("alice", "autodiff", 8, [3])
        work("alice", "autodiff", 0.5, [10])
        work("student000", "autodiff", 2, [10])
        work("student001", "autodiff", 3, [], status="error")
        session.commit()
    return tokens


def change_the_rules(client, auth):
    auth.login("prof")
    assert set_policy(client, auth, due=(NOW - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
                      late_penalty_per_day="0.2", score_policy="last").status_code == 302
    assert set_policy(client, auth, slug="autodiff", late_penalty_cap="0.3").status_code == 302
    grant(client, auth, "bob", "numerical", NOW)
    grant(client, auth, "student000", "backprop", NOW + timedelta(days=1))


@ON_POSTGRESQL
def test_every_surface_shows_the_same_counted_grade(app, client, course):
    tokens = seed(app)
    staff = AuthActions(client)
    change_the_rules(client, staff)
    slugs = list(course)
    prof = {"Authorization": f"Bearer {tokens['prof']}"}

    dashboards = {slug: dashboard_grades(client, slug) for slug in slugs}
    exports = {slug: csv_grades(client.get(f"/instructor/assignments/{slug}/grades.csv")
                                .get_data(as_text=True)) for slug in slugs}
    api_exports = {slug: csv_grades(client.get(f"/api/v1/assignments/{slug}/grades.csv",
                                               headers=prof).get_data(as_text=True))
                   for slug in slugs}
    shown = {}  # (student, slug): {surface: counted grade}
    for name in ("alice", "bob", "student000", "student001"):
        own = {"Authorization": f"Bearer {tokens[name]}"}
        browser = app.test_client()
        password = CLASS_PASSWORD if name.startswith("student") else None
        assert AuthActions(browser).login(name, password).status_code == 302
        student_page = student_page_grades(browser)
        listed = {a["slug"]: a for a in
                  browser.get("/api/v1/assignments", headers=own).json["assignments"]}
        for slug in slugs:
            one = browser.get(f"/api/v1/assignments/{slug}", headers=own).json
            found = {
                "student page": student_page[slug],
                "dashboard": dashboards[slug][name],
                "grades.csv": exports[slug][name][0],
                "grades.csv (API)": api_exports[slug][name][0],
                "API assignments": listed[slug]["counted_score"],
                "API assignments best_score": listed[slug]["best_score"],
                "API assignment": one["counted_score"],
            }
            raw = {"grades.csv": exports[slug][name][1], "API": one["counted_raw_score"]}
            assert len(set(raw.values())) == 1, (name, slug, raw)
            mine = browser.get(f"/api/v1/assignments/{slug}/submissions", headers=own).json
            counting = [s for s in mine["submissions"] if s["counts"]]
            assert [s["id"] for s in counting] == (
                [one["counted_submission"]] if one["counted_submission"] else [])
            for summary in counting:  # the submission that counts, in every document of it
                document = browser.get(summary["url"], headers=own).json
                everyone = client.get(f"/api/v1/submissions?assignment={slug}&user={name}",
                                      headers=prof).json["submissions"]
                found |= {
                    "API submissions list": summary["score"],
                    "API submission": document["score"] if document["counts"] else "not counted",
                    "API submissions (instructors)": next(
                        s["score"] for s in everyone if s["id"] == summary["id"] and s["counts"]),
                    "submission page": page_counted(
                        browser.get(f"/submissions/{summary['id']}").get_data(as_text=True)),
                    "submission page (instructor)": page_counted(
                        client.get(f"/submissions/{summary['id']}").get_data(as_text=True)),
                }
            shown[name, slug] = {surface: rounded(value) for surface, value in found.items()}

    disagreements = {key: values for key, values in shown.items()
                     if set(values.values()) != {rounded(EXPECTED[key])}}
    assert disagreements == {}


@ON_POSTGRESQL
def test_the_api_gives_the_students_own_dates_and_policy(app, client, course):
    tokens = seed(app)
    change_the_rules(client, AuthActions(client))
    own = {"Authorization": f"Bearer {tokens['bob']}"}
    document = client.get("/api/v1/assignments/numerical", headers=own).json
    assert document["extended"] is True
    assert document["due"] == NOW.replace(second=0, microsecond=0).isoformat()
    assert (document["late_penalty_per_day"], document["score_policy"]) == (0.2, "last")
    other = client.get("/api/v1/assignments/numerical",
                       headers={"Authorization": f"Bearer {tokens['alice']}"}).json
    assert other["extended"] is False and other["due"] != document["due"]
    held = client.get("/api/v1/assignments/backprop",
                      headers={"Authorization": f"Bearer {tokens['student001']}"}).json
    assert held["grade_held"] is True
