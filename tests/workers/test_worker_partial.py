"""Live public-first grading: a real Celery worker on Redis and PostgreSQL shows the public
tests' verdict through the API while the hidden and scale tests run, then the final one."""

from __future__ import annotations

from tests.support.live import require_redis, wait_for
from tests.support.live_grading import (
    GRADING_TIMEOUT,
    SLOW_HIDDEN_TESTS,
    SLOW_HIDDEN_TESTS_SLUG,
    graded,
    poll,
    row,
    submit,
)


def test_the_api_shows_the_public_verdict_until_the_final_result(live_env, web,
                                                                  worker_factory):
    require_redis()
    worker_factory(live_env)
    app = web(live_env)
    client = app.test_client()
    submission_id = submit(client, app, SLOW_HIDDEN_TESTS, slug=SLOW_HIDDEN_TESTS_SLUG)

    early = wait_for(lambda: (doc := poll(client, app, submission_id))["partial_result"] and doc,
                     GRADING_TIMEOUT, "the public tests' verdict")
    assert early["status"] == "running"
    assert early["result"] is None and early["score"] is None
    partial = early["partial_result"]
    assert partial["partial"] is True
    assert partial["tests"] and all(t["visibility"] == "visible" for t in partial["tests"])
    assert all(t["status"] == "passed" for t in partial["tests"])
    assert partial["pending_tests"]
    assert all(t["status"] == "pending" for t in partial["pending_tests"])
    assert partial["output"].startswith(f"Public tests: {len(partial['tests'])}/"
                                        f"{len(partial['tests'])} passed")

    final = graded(client, app, submission_id)
    assert final["status"] == "graded" and final["partial_result"] is None
    assert "partial" not in final["result"]
    numbers = [t["number"] for t in final["result"]["tests"]]
    assert numbers == [str(n) for n in range(1, len(partial["tests"])
                                             + len(partial["pending_tests"]) + 1)]
    assert final["score"] == final["result"]["score"] == final["result"]["max_score"]
    assert row(app, submission_id).partial_result is None
