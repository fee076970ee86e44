"""A grading's life on its row: claims, duplicate deliveries, dead workers, the sweep."""

import os
import subprocess
from datetime import timedelta

import pytest

from grader.db import get_session
from grader.models import Grading, Submission, utcnow
from workers import lifecycle, sweeper
from workers.celery_app import celery_init_app
from workers.tasks import backoff

STALE = timedelta(seconds=20)
RESULT = {"score": 8.0, "max_score": 10.0, "tests": [], "output": "", "extra_data": {}}


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield get_session()


def claim(session, submission_id):
    return lifecycle.claim(session, submission_id, STALE, max_failures=4)


def fresh(session, submission_id) -> Submission:
    session.expire_all()
    return session.get(Submission, submission_id)


def test_claim_then_finish(ctx, make_submission):
    sid = make_submission(status="queued")
    held = claim(ctx, sid)
    row = fresh(ctx, sid)
    assert row.status == "running" and row.attempts == 1 and row.started_at
    assert row.claimed_by == lifecycle.worker_name()
    assert lifecycle.finish(ctx, held, RESULT)
    row = fresh(ctx, sid)
    assert (row.status, row.score, row.max_score) == ("graded", 8.0, 10.0)
    assert row.finished_at >= row.started_at
    assert [g.status for g in row.gradings] == ["graded"]
    assert row.gradings[0].reason == "submitted"


def test_duplicate_delivery_after_grading_does_nothing(ctx, make_submission):
    sid = make_submission(status="queued")
    lifecycle.finish(ctx, claim(ctx, sid), RESULT)
    assert claim(ctx, sid) is None
    assert len(fresh(ctx, sid).gradings) == 1


def test_duplicate_delivery_while_a_live_run_holds_it(ctx, make_submission):
    sid = make_submission(status="queued")
    claim(ctx, sid)
    # Pretend the claim belongs to another live process on this host (our parent).
    ctx.query(Submission).filter_by(id=sid).update({"claimed_by": lifecycle.worker_name()
                                                    .rsplit(":", 1)[0] + f":{os.getppid()}"})
    ctx.commit()
    assert claim(ctx, sid) is None
    assert fresh(ctx, sid).attempts == 1


def test_claim_of_a_dead_local_process_is_taken_over(ctx, make_submission):
    sid = make_submission(status="queued")
    first = claim(ctx, sid)
    dead = subprocess.Popen(["true"])
    dead.wait()
    host = lifecycle.worker_name().rsplit(":", 1)[0]
    ctx.query(Submission).filter_by(id=sid).update({"claimed_by": f"{host}:{dead.pid}"})
    ctx.commit()
    second = claim(ctx, sid)
    assert second is not None and second.token != first.token
    # The dead run wakes up (it was only presumed dead): its result must not win.
    assert not lifecycle.finish(ctx, first, {**RESULT, "score": 1.0})
    assert lifecycle.finish(ctx, second, RESULT)
    row = fresh(ctx, sid)
    assert row.score == 8.0
    # The late run's result is kept aside, marked superseded.
    assert sorted(g.status for g in row.gradings) == ["graded", "superseded"]


def test_live_local_pid_with_a_silent_heartbeat_is_dead(ctx, make_submission):
    # The pid may have been reused by another process: the heartbeat decides.
    sid = make_submission(status="queued")
    claim(ctx, sid)
    host = lifecycle.worker_name().rsplit(":", 1)[0]
    ctx.query(Submission).filter_by(id=sid).update(
        {"claimed_by": f"{host}:{os.getppid()}", "heartbeat_at": utcnow() - 2 * STALE})
    ctx.commit()
    assert claim(ctx, sid) is not None


def test_remote_claim_is_dead_only_when_its_heartbeat_is_stale(ctx, make_submission):
    sid = make_submission(status="queued")
    claim(ctx, sid)
    ctx.query(Submission).filter_by(id=sid).update({"claimed_by": "elsewhere:1"})
    ctx.commit()
    assert claim(ctx, sid) is None
    ctx.query(Submission).filter_by(id=sid).update({"heartbeat_at": utcnow() - 2 * STALE})
    ctx.commit()
    assert claim(ctx, sid) is not None


def test_newer_result_is_never_overwritten(ctx, make_submission):
    sid = make_submission(status="queued")
    old = claim(ctx, sid)
    ctx.query(Submission).filter_by(id=sid).update(
        {"claimed_by": "elsewhere:1", "heartbeat_at": utcnow() - 2 * STALE})
    ctx.commit()
    new = claim(ctx, sid)
    assert lifecycle.finish(ctx, new, RESULT)
    assert not lifecycle.finish(ctx, old, {**RESULT, "score": 0.0})
    assert fresh(ctx, sid).score == 8.0
    statuses = {g.token: g.status for g in fresh(ctx, sid).gradings}
    assert statuses == {old.token: "superseded", new.token: "graded"}


def test_system_failure_requeues_then_gives_up(ctx, make_submission):
    sid = make_submission(status="queued")
    for _ in range(4):
        held = claim(ctx, sid)
        assert held is not None
        lifecycle.fail(ctx, held, "sandbox broke", final=False)
        assert fresh(ctx, sid).status == "queued"
    assert claim(ctx, sid) is None  # four failures in a row: stop retrying
    row = fresh(ctx, sid)
    assert row.status == "error" and "outside your code" in row.error_message
    assert [g.reason for g in row.gradings] == ["submitted", "retry", "retry", "retry"]


def test_final_failure(ctx, make_submission):
    sid = make_submission(status="queued")
    lifecycle.fail(ctx, claim(ctx, sid), "assignment removed", final=True)
    row = fresh(ctx, sid)
    assert (row.status, row.error_message) == ("error", "assignment removed")


def test_regrade_is_recorded_as_such(ctx, make_submission):
    sid = make_submission(status="queued")
    lifecycle.finish(ctx, claim(ctx, sid), RESULT)
    ctx.query(Submission).filter_by(id=sid).update({"status": "queued"})
    ctx.commit()
    lifecycle.finish(ctx, claim(ctx, sid), {**RESULT, "score": 9.0})
    row = fresh(ctx, sid)
    assert [g.reason for g in row.gradings] == ["submitted", "regrade"]
    assert [g.score for g in row.gradings] == [8.0, 9.0]
    assert row.score == 9.0


def test_late_penalty_applies_to_the_score(ctx, make_submission):
    sid = make_submission(status="queued", late_penalty=0.25)
    lifecycle.finish(ctx, claim(ctx, sid), RESULT)
    row = fresh(ctx, sid)
    assert (row.raw_score, row.score) == (8.0, 6.0)


def test_heartbeat_reports_progress(app, ctx, make_submission):
    sid = make_submission(status="queued")
    held = claim(ctx, sid)
    beat = lifecycle.Heartbeat(app.extensions["grader.sessionmaker"], held.token, 0.05)
    beat.start()
    beat.report("test 2 of 5")
    for _ in range(100):
        if fresh(ctx, sid).progress == "test 2 of 5":
            break
        beat._stopping.wait(0.02)
    beat.stop()
    assert fresh(ctx, sid).progress == "test 2 of 5"
    assert not beat.is_alive()


def test_backoff_grows_and_is_capped():
    assert [backoff(n) for n in (1, 2, 3, 4, 9)] == [10, 30, 90, 270, 300]


def test_sweep_queues_the_never_queued_and_frees_the_dead(app, ctx, make_submission):
    waiting = make_submission(status="queued", submitted_at=utcnow() - timedelta(minutes=1))
    recent = make_submission(status="queued")
    lost = make_submission(status="queued")
    held = claim(ctx, lost)
    ctx.query(Submission).filter_by(id=lost).update(
        {"claimed_by": "elsewhere:1", "heartbeat_at": utcnow() - timedelta(minutes=5)})
    ctx.commit()
    report = sweeper.sweep(ctx, app.config)
    assert report["released"] == [lost]
    assert sorted(report["queued"]) == sorted([waiting, lost])
    assert fresh(ctx, recent).queued_at is None  # its own enqueue may still be under way
    assert fresh(ctx, lost).status == "queued" and fresh(ctx, lost).queued_at is not None
    assert ctx.query(Grading).filter_by(token=held.token).one().status == "lost"
    assert sweeper.sweep(ctx, app.config) == {"released": [], "queued": []}


def test_sweep_requeues_long_waiting_messages(app, ctx, make_submission):
    old = make_submission(status="queued", queued_at=utcnow() - timedelta(hours=1))
    assert sweeper.sweep(ctx, app.config)["queued"] == [old]


def test_sweep_requeues_what_a_restarted_broker_lost(app, ctx, make_submission, tmp_path):
    from tests.support.live import RedisServer

    broker = RedisServer(tmp_path)
    broker.start()
    config = {**app.config, "CELERY_BROKER_URL": broker.url}
    try:
        waiting = make_submission(status="queued", queued_at=utcnow() - timedelta(seconds=30))
        sweeper.sweep(ctx, config)  # the first sweep leaves its marker in the broker
        assert sweeper.sweep(ctx, config)["queued"] == []  # nothing lost: nothing re-sent
        broker.stop()
        broker.start()  # no persistence: every message it held is gone
        assert sweeper.sweep(ctx, config)["queued"] == [waiting]
        assert sweeper.sweep(ctx, config)["queued"] == []
    finally:
        broker.stop()


def test_system_failures_are_retried_then_reported(app, ctx, make_submission, monkeypatch):
    from workers import tasks

    celery_init_app(app)  # the worker's side: its tasks run in the app's context
    def broken_sandbox(claim, progress, on_public_result):
        raise OSError("bwrap: cannot create namespace")  # the machine's fault, not the student's

    monkeypatch.setattr(tasks, "run_grader", broken_sandbox)
    sid = make_submission(status="queued")
    tasks.grade.apply(args=[sid])  # eager: each retry runs at once, inside the first
    row = fresh(ctx, sid)
    assert row.status == "error"
    assert row.error_message == tasks.GRADER_FAULT
    assert [(g.reason, g.status) for g in row.gradings] == [
        ("submitted", "failed"), ("retry", "failed"), ("retry", "failed"), ("retry", "failed")]
    assert "OSError: bwrap: cannot create namespace" in row.gradings[0].error_message


def test_a_grader_bug_is_recorded_at_once_and_never_replayed(app, ctx, make_submission,
                                                             monkeypatch):
    from workers import tasks

    celery_init_app(app)  # the worker's side: its tasks run in the app's context
    def buggy_grader(claim, progress, on_public_result):
        raise ValueError("a bug in the grader itself")

    monkeypatch.setattr(tasks, "run_grader", buggy_grader)
    sid = make_submission(status="queued")
    assert tasks.grade.apply(args=[sid]).get() == "error"
    row = fresh(ctx, sid)
    assert row.status == "error" and row.error_message == tasks.GRADER_FAULT
    assert row.claim_token is None and row.claimed_by is None
    [grading] = row.gradings
    assert grading.status == "failed"
    assert "Traceback" in grading.error_message
    assert "ValueError: a bug in the grader itself" in grading.error_message


def test_a_document_the_database_refuses_fails_at_once_and_frees_the_claim(
        app, ctx, make_submission, monkeypatch):
    from workers import tasks

    celery_init_app(app)  # the worker's side: its tasks run in the app's context
    # A non-strict document, as the pipeline wrote before it made documents strict JSON:
    # PostgreSQL's JSONB refuses it, and so does the engine on SQLite now.
    monkeypatch.setattr(tasks, "run_grader", lambda claim, progress, on_public_result: {
        "score": 1.0, "max_score": 2.0, "tests": [{"extra_data": {"abs_error": float("nan")}}]})
    sid = make_submission(status="queued")
    assert tasks.grade.apply(args=[sid]).get() == "error"
    row = fresh(ctx, sid)
    assert row.status == "error" and row.claim_token is None and row.result is None
    [grading] = row.gradings
    assert grading.status == "failed" and "not JSON compliant" in grading.error_message


def test_unknown_assignment_is_a_final_error(app, ctx, make_submission):
    from workers import tasks

    celery_init_app(app)  # the worker's side: its tasks run in the app's context
    sid = make_submission(status="queued", slug="removed-assignment")
    assert tasks.grade.apply(args=[sid]).get() == "error"
    row = fresh(ctx, sid)
    assert row.status == "error" and "no longer exists" in row.error_message
    assert len(row.gradings) == 1


def test_task_skips_a_graded_submission(app, make_submission):
    from workers import tasks

    celery_init_app(app)  # the worker's side: its tasks run in the app's context
    sid = make_submission(status="graded", result=RESULT)
    assert tasks.grade.apply(args=[sid]).get() == "skipped"
