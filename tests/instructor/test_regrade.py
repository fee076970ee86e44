"""Regrades through the real queue: one submission, a student's, the whole assignment."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select

from grader.db import get_session
from grader.models import Submission, User, utcnow
from tests.support.accounts import AuthActions
from tests.support.grades import graded_work, rounded, student_page_grades
from tests.support.live import REPOSITORY, wait_for
from tests.support.live_grading import SLUG, SOLUTION, graded, gradings, submit

TIMEOUT = 120
# Scores 10 of 21 when graded (its forward differences fail the accuracy tests).
MUTANT = (REPOSITORY / "assignments" / SLUG / "mutants" / "forward_difference.py").read_text()


def test_regrades_keep_every_earlier_grading(live_env, web, worker_factory):
    worker_factory(live_env)
    app = web(live_env)
    client = app.test_client()
    alice = [submit(client, app, SOLUTION), submit(client, app, "x = 1\n")]
    bob = [submit(client, app, SOLUTION, user="bob")]
    for submission_id in alice:
        graded(client, app, submission_id)
    graded(client, app, bob[0], user="bob")

    auth = AuthActions(client)
    auth.login("prof")

    def post(path: str, **data):
        token = auth.csrf("/instructor/assignments/numerical")
        response = client.post(path, data={"csrf_token": token, **data})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]

    def runs(submission_id: int) -> int:
        return len(gradings(app, submission_id))

    def batches_done() -> bool:
        state = client.get("/instructor/queue.json?assignment=numerical").json
        return all(b["done"] == b["total"] for b in state["batches"]) and state

    post(f"/instructor/submissions/{alice[0]}/regrade")
    wait_for(lambda: runs(alice[0]) == 2 and batches_done(), TIMEOUT, "one regrade")
    post("/instructor/assignments/numerical/regrade", username="alice")
    wait_for(lambda: runs(alice[0]) == 3 and runs(alice[1]) == 2 and batches_done(), TIMEOUT,
             "alice's regrade")
    assert runs(bob[0]) == 1
    post("/instructor/assignments/numerical/regrade", username="")
    state = wait_for(lambda: [runs(i) for i in alice + bob] == [4, 3, 2] and batches_done(),
                     TIMEOUT, "the assignment's regrade")

    # Every run is kept with its result; the reasons say which were regrades.
    history = gradings(app, alice[0])
    assert [status for status, _ in history] == ["graded"] * 4
    assert len({score for _, score in history}) == 1  # same code, same score each time
    assert [(b["scope"], b["total"], b["done"]) for b in state["batches"]] == [
        ("all submissions", 3, 3), ("student alice", 2, 2), (f"submission {alice[0]}", 1, 1)]
    page = client.get("/instructor/assignments/numerical").get_data(as_text=True)
    assert "3 / 3 done" in page
    audit = client.get("/instructor/audit?action=regrade.start").get_data(as_text=True)
    assert audit.count('data-action="regrade.start"') == 3


def all_final(app) -> bool:
    with app.app_context():
        return all(row.is_final for row in get_session().scalars(select(Submission)))


def test_a_students_grade_is_the_old_or_the_new_one_while_the_class_is_regraded(
        live_env, web, worker_factory):
    """Seeded scores that the real grading will change: alice's best drops from 15 (a mutant
    scored too high) to the reference's 21 only once both of hers are regraded; regraded
    first, the mutant alone would show 10 for a while. Her grade is read, on her page and
    through the API, as fast as the test can while the class is regraded."""
    worker_factory(live_env)
    app = web(live_env)
    earlier = utcnow() - timedelta(hours=1)
    with app.app_context():
        session = get_session()
        alice, bob = (User.by_username(session, name) for name in ("alice", "bob"))
        graded_work(session, alice, SLUG, earlier, [15.0], max_score=21.0, source=MUTANT)
        graded_work(session, alice, SLUG, earlier, [5.0], max_score=21.0, source=SOLUTION)
        graded_work(session, bob, SLUG, earlier, [3.0], max_score=21.0, source=SOLUTION)
        session.commit()
    staff, student = app.test_client(), app.test_client()
    AuthActions(staff).login("prof")
    AuthActions(student).login("alice")
    token = {"Authorization": f"Bearer {app.tokens['alice']}"}

    def read() -> list[float | None]:
        """Her grade through the API, then on her page: two reads, in that order."""
        document = student.get(f"/api/v1/assignments/{SLUG}", headers=token).json
        return [rounded(document["counted_score"]), student_page_grades(student)[SLUG]]

    assert read() == [15.0, 15.0]
    response = staff.post(f"/instructor/assignments/{SLUG}/regrade", data={
        "csrf_token": AuthActions(staff).csrf(f"/instructor/assignments/{SLUG}"), "username": ""})
    assert response.status_code == 302
    seen = []
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and not all_final(app):
        seen += read()
    seen += read()
    assert set(seen) == {15.0, 21.0}, sorted(set(seen))
    changed = [i for i in range(1, len(seen)) if seen[i] != seen[i - 1]]
    assert len(changed) == 1  # one step, never back
