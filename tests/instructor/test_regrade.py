"""Regrades through the real queue: one submission, a student's, the whole assignment."""

from __future__ import annotations

from tests.support.accounts import AuthActions
from tests.support.live import wait_for
from tests.support.live_grading import SOLUTION, graded, gradings, submit

TIMEOUT = 120


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
