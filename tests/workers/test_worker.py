"""Live grading: the API, a real Celery worker, Redis and PostgreSQL (or the embedded broker)."""

from __future__ import annotations

import os
import signal

from grader.db import upgrade
from tests.support.live import RedisServer, require_redis, wait_for
from tests.support.live_grading import SOLUTION, graded, gradings, poll, row, submit

# Sleeping at import keeps the grading running long enough to kill its worker mid-task.
SLOW_SOLUTION = "import time\ntime.sleep(4)\n" + SOLUTION


def test_submit_grade_and_store(live_env, web, worker_factory):
    require_redis()
    worker_factory(live_env)
    app = web(live_env)
    client = app.test_client()
    submission_id = submit(client, app, SOLUTION)
    answer = graded(client, app, submission_id)
    assert answer["status"] == "graded"
    assert answer["result"]["score"] == answer["result"]["max_score"] > 0
    assert answer["score"] == answer["result"]["score"]
    stored = row(app, submission_id)
    assert stored.result["tests"] and stored.started_at and stored.finished_at
    assert stored.submitted_at <= stored.queued_at <= stored.started_at <= stored.finished_at
    assert gradings(app, submission_id) == [("graded", answer["result"]["score"])]


def test_worker_child_killed_mid_task_grades_exactly_once(live_env, web, worker_factory):
    require_redis()
    worker_factory(live_env)
    app = web(live_env)
    client = app.test_client()
    submission_id = submit(client, app, SLOW_SOLUTION)
    wait_for(lambda: row(app, submission_id).status == "running", 60, "grading to start")
    child = int(row(app, submission_id).claimed_by.rsplit(":", 1)[1])
    os.kill(child, signal.SIGKILL)  # the pool process running the task dies mid-grading

    answer = graded(client, app, submission_id)
    assert answer["status"] == "graded"
    assert answer["result"]["score"] == answer["result"]["max_score"]
    assert [status for status, _ in gradings(app, submission_id)] == ["lost", "graded"]
    assert row(app, submission_id).attempts == 2


def test_whole_worker_killed_then_another_takes_over(live_env, web, worker_factory):
    require_redis()
    first = worker_factory(live_env, name="doomed")
    app = web(live_env)
    client = app.test_client()
    submission_id = submit(client, app, SLOW_SOLUTION)
    wait_for(lambda: row(app, submission_id).status == "running", 60, "grading to start")
    first.kill()  # the machine dies: nobody is left to requeue the message
    worker_factory(live_env, beat=True, name="rescuer")  # its sweep finds the silent claim

    answer = graded(client, app, submission_id)
    assert answer["status"] == "graded"
    assert [status for status, _ in gradings(app, submission_id)] == ["lost", "graded"]


def test_redis_outage_loses_nothing(live_env, web, worker_factory, tmp_path, monkeypatch):
    server = RedisServer(tmp_path)
    server.start()
    env = {**live_env, "REDIS_URL": server.url}
    monkeypatch.setenv("REDIS_URL", server.url)
    try:
        worker_factory(env, beat=True, concurrency=2)
        app = web(env)
        client = app.test_client()
        server.stop()  # Redis goes down while students keep submitting
        during = {user: submit(client, app, SOLUTION, user) for user in ("alice", "bob")}
        for user, submission_id in during.items():
            assert poll(client, app, submission_id, user)["status"] == "queued"
            assert row(app, submission_id).queued_at is None
        server.start()  # back, empty: the sweep must queue what arrived meanwhile
        after = submit(client, app, SOLUTION, "alice")  # the web app publishes again itself
        assert row(app, after).queued_at is not None
        for user, submission_id in [*during.items(), ("alice", after)]:
            assert graded(client, app, submission_id, user)["status"] == "graded"
            assert [s for s, _ in gradings(app, submission_id)] == ["graded"]
    finally:
        server.stop()


def test_embedded_broker_needs_no_server(tmp_path, monkeypatch, web, worker_factory):
    """`make run` mode: SQLite database, kombu's SQLAlchemy transport, no Redis."""
    instance = tmp_path / "instance"
    env = {"GRADER_INSTANCE_PATH": str(instance), "SECRET_KEY": "test-only-secret"}
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_QUEUE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_QUEUE")}
    instance.mkdir()
    upgrade(f"sqlite:///{instance / 'grader.sqlite'}")
    app = web(env)
    assert app.config["CELERY_BROKER_URL"].startswith("sqla+sqlite:///")
    worker_factory(env)
    client = app.test_client()
    submission_id = submit(client, app, SOLUTION)
    assert graded(client, app, submission_id)["status"] == "graded"
