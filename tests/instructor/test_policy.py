"""Deadlines and policy: overrides edited by an instructor, extensions, late penalty, limits."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from grader.course import assignments_in_force
from grader.db import get_session
from grader.grades import class_grades
from grader.models import AssignmentPolicy, Extension, utcnow
from tests.support.documents import FULL, graded_result
from tests.support.forms import post_file, set_policy, submit_form


def grant(client, auth, username, due, slug="numerical"):
    data = {"csrf_token": auth.csrf(f"/instructor/assignments/{slug}/policy"),
            "extension-username": username, "extension-due": due.strftime("%Y-%m-%dT%H:%M")}
    return client.post(f"/instructor/assignments/{slug}/extensions", data=data)


def grades(app, slug):
    """Return {username: (score, late_penalty, submission id)} as the CSV export has it."""
    with app.test_request_context():
        rows = class_grades(get_session(), assignments_in_force()[slug])
        return {g.user.username: (g.score, round(g.late_penalty, 6),
                                  g.submission.id if g.submission else None) for g in rows}


def test_late_penalty_per_started_day_with_its_cap(app, make_submission, course):
    due = course["backprop"].due  # 0.1 per started day, capped at 0.5, no hard close
    make_submission("alice", slug="backprop", result=graded_result(FULL, {}),
                    submitted_at=due + timedelta(days=1, minutes=1))  # 2 started days
    make_submission("bob", slug="backprop", result=graded_result(FULL, {}),
                    submitted_at=due + timedelta(days=9))  # 9 days: capped
    found = grades(app, "backprop")
    assert found["alice"][:2] == (pytest.approx(4 * 0.8), 0.2)
    assert found["bob"][:2] == (pytest.approx(4 * 0.5), 0.5)


def test_best_or_last_counts_and_the_instructor_switches(app, client, auth, make_submission):
    first = make_submission("alice", result=graded_result(FULL, {}),
                            submitted_at=utcnow() - timedelta(hours=2))
    last = make_submission("alice", result=graded_result(["a"], {"b": "x", "c": "x", "d": "x"}))
    assert grades(app, "numerical")["alice"] == (4.0, 0.0, first)
    auth.login("prof")
    assert set_policy(client, auth, score_policy="last").status_code == 302
    assert grades(app, "numerical")["alice"] == (1.0, 0.0, last)


def test_policy_override_edits_and_reset(app, client, auth, audit_actions):
    auth.login("prof")
    response = set_policy(client, auth, due="2030-01-02T03:04", late_penalty_per_day="0.25",
                          late_penalty_cap="0.75", max_submissions_per_day="3")
    assert response.status_code == 302
    with app.test_request_context():
        numerical = assignments_in_force()["numerical"]
        assert numerical.due.isoformat() == "2030-01-02T03:04:00+00:00"
        assert (numerical.late_penalty_per_day, numerical.late_penalty_cap) == (0.25, 0.75)
        assert numerical.max_submissions_per_day == 3
        assert assignments_in_force()["backprop"].late_penalty_per_day == 0.1  # others untouched
    page = client.get("/instructor/assignments/numerical/policy").get_data(as_text=True)
    assert 'value="2030-01-02 03:04"' in page  # 24-hour UTC, as typed
    bad = set_policy(client, auth, due="2030-01-02T03:04", hard_close="2030-01-01T00:00")
    assert bad.status_code == 400 and "must not come before" in bad.get_data(as_text=True)
    token = auth.csrf("/instructor/assignments/numerical/policy")
    client.post("/instructor/assignments/numerical/policy/reset", data={"csrf_token": token})
    with app.app_context():
        assert get_session().query(AssignmentPolicy).count() == 0
    assert [a[1] for a in audit_actions()] == ["policy.update", "policy.reset"]


def test_hard_close_refuses_and_an_extension_reopens(app, client, auth, bearer, course,
                                                     audit_actions):
    assert post_file(client, bearer("alice"), slug="autodiff").status_code == 403
    auth.login("prof")
    assert grant(client, auth, "alice", utcnow() + timedelta(days=2),
                 slug="autodiff").status_code == 302
    assert post_file(client, bearer("alice"), slug="autodiff").status_code == 201
    assert post_file(client, bearer("bob"), slug="autodiff").status_code == 403
    assert audit_actions() == [("prof", "extension.grant", "autodiff")]


def test_an_extension_removes_the_late_penalty(app, client, auth, make_submission, course):
    due = course["backprop"].due
    submitted = due + timedelta(days=1)
    make_submission("alice", slug="backprop", result=graded_result(FULL, {}),
                    submitted_at=submitted, late_penalty=0.1)
    assert grades(app, "backprop")["alice"][1] == 0.1
    auth.login("prof")
    grant(client, auth, "alice", submitted + timedelta(hours=1), slug="backprop")
    assert grades(app, "backprop")["alice"][:2] == (4.0, 0.0)
    refused = grant(client, auth, "nobody", submitted, slug="backprop")
    assert refused.status_code == 400 and "No student called" in refused.get_data(as_text=True)


def test_an_instructor_revokes_an_extension(app, client, auth, bearer, audit_actions):
    auth.login("prof")
    grant(client, auth, "alice", utcnow() + timedelta(days=2), slug="autodiff")
    with app.app_context():
        extension_id = get_session().scalars(select(Extension.id)).one()
    token = auth.csrf("/instructor/assignments/autodiff/policy")
    wrong_slug = client.post(f"/instructor/assignments/numerical/extensions/{extension_id}/revoke",
                             data={"csrf_token": token})
    assert wrong_slug.status_code == 404
    revoked = client.post(f"/instructor/assignments/autodiff/extensions/{extension_id}/revoke",
                          data={"csrf_token": token})
    assert revoked.status_code == 302
    with app.app_context():
        assert get_session().scalars(select(Extension)).all() == []
    assert audit_actions()[-1] == ("prof", "extension.revoke", "autodiff")
    assert post_file(client, bearer("alice"), slug="autodiff").status_code == 403  # closed again


def test_submissions_after_the_hard_close_never_count(app, make_submission, course):
    close = course["autodiff"].hard_close
    make_submission("alice", slug="autodiff", result=graded_result(FULL, {}),
                    submitted_at=close + timedelta(minutes=1))
    assert grades(app, "autodiff")["alice"] == (None, 0.0, None)


def test_daily_limit_set_by_the_instructor_applies_to_web_and_api(app, client, auth, bearer):
    auth.login("prof")
    set_policy(client, auth, max_submissions_per_day="2")
    auth.logout()
    assert post_file(client, bearer("alice")).status_code == 201
    assert post_file(client, bearer("alice")).status_code == 201
    refused = post_file(client, bearer("alice"))
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "daily_limit"
    assert "the limit is 2" in refused.json["error"]["message"]
    auth.login("alice")
    page = submit_form(client, code="def numerical_gradient(f, x):\n    return x\n")
    assert page.status_code == 429
    assert "the limit is 2" in page.get_data(as_text=True)
    assert post_file(client, bearer("bob")).status_code == 201  # per student


def test_grades_csv_uses_the_policy_in_force(app, client, auth, make_submission, course):
    due = course["backprop"].due
    make_submission("alice", slug="backprop", result=graded_result(FULL, {}),
                    submitted_at=due + timedelta(hours=1))
    auth.login("prof")
    set_policy(client, auth, slug="backprop", late_penalty_per_day="0.3")
    body = client.get("/instructor/assignments/backprop/grades.csv").get_data(as_text=True)
    rows = {r["username"]: r for r in csv.DictReader(io.StringIO(body))}
    assert rows["alice"]["late_penalty"] == "0.3"
    assert float(rows["alice"]["score"]) == pytest.approx(2.8)


def test_a_student_sees_the_dates_of_their_extension(app, client, auth, course):
    auth.login("alice")
    assert "no longer accepts submissions" in client.get("/assignments/autodiff").get_data(
        as_text=True)
    auth.logout()
    auth.login("prof")
    grant(client, auth, "alice", utcnow() + timedelta(days=2), slug="autodiff")
    auth.logout()
    auth.login("alice")
    page = client.get("/assignments/autodiff").get_data(as_text=True)
    assert "no longer accepts submissions" not in page
    assert "badge-closed" not in client.get("/").get_data(as_text=True).split("autodiff")[0][-400:]
    auth.logout()
    auth.login("bob")
    assert "no longer accepts submissions" in client.get("/assignments/autodiff").get_data(
        as_text=True)


def test_a_post_that_leaves_out_the_stored_hard_close_is_judged_not_a_server_error(client, auth):
    """A scripted post (a browser sends every field) that omits hard_close is compared with
    the stored one: before it, a refusal; after it, saved."""
    auth.login("prof")
    assert set_policy(client, auth, due="2030-01-02T03:04",
                      hard_close="2030-01-09T00:00").status_code == 302
    data = {"csrf_token": auth.csrf("/instructor/assignments/numerical/policy"),
            "score_policy": "", "due": "2030-01-05T00:00"}
    assert client.post("/instructor/assignments/numerical/policy", data=data).status_code == 302
    data["due"] = "2030-02-01T00:00"  # after the stored hard close
    refused = client.post("/instructor/assignments/numerical/policy", data=data)
    assert refused.status_code == 400 and "must not come before" in refused.get_data(as_text=True)
