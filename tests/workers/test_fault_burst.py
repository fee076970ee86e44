"""A deadline burst on the stack as deployed, with both workers killed and Redis emptied mid-way.

PostgreSQL, a Redis of our own (no persistence, as a cache-configured Redis or a failover),
two workers of concurrency 1 that warm up as in production, beat, and the CPU kept busy by
two spinning processes. Sixty submissions of twenty students arrive at once: correct ones,
buggy ones whose diagnoses hold NaN and infinities, infinite loops and memory bombs. A third
of the way in, both workers are SIGKILLed and Redis restarts empty. Every submission must
still reach its own final verdict, none in `error`, none graded twice into different results.
The budget is cut to 40 s (6 s of CPU) here to keep the suite short; the default is 60 / 30.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import multiprocessing
import os
import time
import uuid
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select

from grader.db import get_session, upgrade
from grader.grading.assignments import get_assignment, mutant_category
from grader.models import ApiToken, Grading, Role, Submission, User, utcnow
from tests.support.live import (
    REPOSITORY,
    Beat,
    RedisServer,
    Worker,
    create_database,
    require_postgres,
    wait_for,
)

RECOVERY_SECONDS = 180  # from the fault to the last verdict
HOSTILE = REPOSITORY / "tests" / "hostile"
NUMERICAL_INFINITE = "import numpy as np\n\ndef numerical_gradient(f, x, h=1e-6):\n" \
                     "    return np.full(np.shape(x), np.inf)\n"
NUMERICAL_LOOP = "def numerical_gradient(f, x, h=1e-6):\n    while True:\n        pass\n"


@dataclass(frozen=True)
class Entry:
    """One submission of the burst and the verdict it must get."""

    slug: str
    source: str
    expect: str  # "full", "timeout" or a diagnosis category


def burst() -> list[Entry]:
    """Mostly the quick numerical assignment, so that two busy workers can keep up."""
    entries = []
    for slug, copies in (("numerical", 22), ("backprop", 3), ("autodiff", 3)):
        solution = get_assignment(slug).solution.read_text()
        entries += [Entry(slug, solution, "full")] * copies
    for path in get_assignment("numerical").mutants():
        entries += [Entry("numerical", path.read_text(), mutant_category(path))] * 3
    for name in ("wrong_order", "wrong_seed", "missing_adjoint"):
        path = get_assignment("backprop").folder / "mutants" / f"{name}.py"
        entries.append(Entry("backprop", path.read_text(), mutant_category(path)))
    # Seeding with the scalar 1: diagnoses whose errors are NaN.
    wrong_seed = get_assignment("autodiff").folder / "mutants" / "wrong_seed.py"
    entries += [Entry("autodiff", wrong_seed.read_text(), "wrong-seed")] * 3
    entries += [Entry("numerical", NUMERICAL_INFINITE, "wrong-value")] * 3  # infinite estimates
    entries += [Entry("numerical", NUMERICAL_LOOP, "timeout")] * 3
    entries += [Entry("autodiff", (HOSTILE / "busy_loop.py").read_text(), "timeout")] * 2
    entries += [Entry("autodiff", (HOSTILE / "swallow_timeout.py").read_text(), "timeout")]
    entries += [Entry("autodiff", (HOSTILE / "memory_bomb.py").read_text(), "memory-limit")] * 2
    assert len(entries) >= 60
    return entries


def spin() -> None:
    while True:
        pass


def add_students(app, password_hash: str, count: int) -> list[str]:
    """Create count students; return an API token for each."""
    tokens = []
    with app.app_context():
        session = get_session()
        for number in range(1, count + 1):
            user = User(username=f"student{number:02}", role=Role.STUDENT,
                        password_hash=password_hash)
            token, plain = ApiToken.issue(user, "burst")
            session.add_all([user, token])
            tokens.append(plain)
        session.commit()
    return tokens


def statuses(app) -> dict[int, str]:
    with app.app_context():
        session = get_session()
        rows = session.execute(select(Submission.id, Submission.status)).all()
        session.rollback()
        return dict(rows)


def test_deadline_burst_survives_killed_workers_and_an_emptied_broker(
        tmp_path, monkeypatch, web, password_hashes):
    require_postgres()
    with contextlib.ExitStack() as cleanup:
        database_url, drop = create_database()
        cleanup.callback(drop)
        upgrade(database_url)
        broker = RedisServer(tmp_path)
        broker.start()
        cleanup.callback(broker.stop)
        env = {
            "DATABASE_URL": database_url, "REDIS_URL": broker.url,
            "CELERY_QUEUE": f"grading-burst-{uuid.uuid4().hex[:8]}",
            "GRADER_INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test-only-secret", "RATELIMIT_STORAGE_URI": "memory://",
            "HEARTBEAT_SECONDS": "1", "HEARTBEAT_STALE_SECONDS": "6", "SWEEP_SECONDS": "2",
            "UNQUEUED_STALE_SECONDS": "2", "GRADE_BUDGET_SECONDS": "40",
            "GRADE_BUDGET_CPU_SECONDS": "6", "GRADER_WARM_UP": "1",
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        env = {**os.environ, **env}
        submitted, app = run_burst(env, tmp_path, cleanup, web, password_hashes, broker)
        check_verdicts(app, submitted)


def start_worker(env, tmp_path, cleanup, name: str) -> Worker:
    worker = Worker(env, tmp_path / f"{name}.log")
    cleanup.callback(worker.stop)  # before the database is dropped (callbacks run reversed)
    return worker


def run_burst(env, tmp_path, cleanup, web, password_hashes, broker):
    """Send the burst, kill the workers and empty Redis a third of the way in; wait for all."""
    workers = [start_worker(env, tmp_path, cleanup, f"w{n}") for n in (1, 2)]
    beat = Beat(env, tmp_path / "beat.log")
    cleanup.callback(beat.stop)
    app = web(env)
    tokens = add_students(app, password_hashes["alice"], 20)
    client = app.test_client()
    for _ in range(2):  # the CPU stays busy beside the stack, as at a deadline
        burner = multiprocessing.Process(target=spin, daemon=True)
        burner.start()
        cleanup.callback(burner.terminate)

    submitted: dict[int, Entry] = {}
    for entry, token in zip(burst(), itertools.cycle(tokens)):
        filename = get_assignment(entry.slug).submit_file
        response = client.post(
            f"/api/v1/assignments/{entry.slug}/submissions",
            data={"file": (io.BytesIO(entry.source.encode()), filename)},
            headers={"Authorization": f"Bearer {token}"},
            content_type="multipart/form-data")
        assert response.status_code == 201, response.get_data(as_text=True)
        submitted[response.json["id"]] = entry

    def final_count() -> int:
        return sum(s in ("graded", "error") for s in statuses(app).values())

    wait_for(lambda: final_count() >= len(submitted) // 3, 600, "a third of the burst")
    for worker in workers:
        worker.kill()
    broker.stop()
    broker.start()  # empty: the queued messages are gone
    fault, fault_at = time.monotonic(), utcnow()
    for n in (3, 4):
        start_worker(env, tmp_path, cleanup, f"w{n}")
    wait_for(lambda: final_count() == len(submitted),
             RECOVERY_SECONDS - (time.monotonic() - fault),
             "every submission of the burst to reach a final status", every=1)
    print(f"\nburst of {len(submitted)}: all final {time.monotonic() - fault:.0f} s "
          f"after the fault; {recovery_report(app, fault_at)}")
    return submitted, app


def recovery_report(app, fault_at) -> str:
    """How long each kind of victim waited after the fault (for docs/service.md)."""
    with app.app_context():
        session = get_session()
        lost = session.scalars(select(Grading.submission_id).where(
            Grading.status == "lost")).all()
        requeued = session.scalars(select(Submission.queued_at).where(
            Submission.queued_at > fault_at)).all()
        finished = {row.id: row.finished_at for row in session.scalars(select(Submission))}
    seconds = [(finished[sid] - fault_at).total_seconds() for sid in set(lost)]
    first_requeue = min((q - fault_at).total_seconds() for q in requeued) if requeued else None
    return (f"{len(set(lost))} killed mid-grading, graded again within "
            f"{max(seconds, default=0):.0f} s; lost messages queued again "
            f"{first_requeue if first_requeue is None else round(first_requeue)} s after")


def check_verdicts(app, submitted: dict[int, Entry]) -> None:
    """Each submission has its own verdict, and was graded into one result only."""
    with app.app_context():
        session = get_session()
        for submission_id, entry in submitted.items():
            row = session.get(Submission, submission_id)
            assert row.status == "graded", (submission_id, entry.expect, row.error_message)
            tags = Counter(tag for test in row.result["tests"] for tag in test["tags"])
            if entry.expect == "full":
                assert row.raw_score == row.max_score > 0, (submission_id, tags)
            elif entry.expect == "timeout":
                assert row.raw_score == 0 and tags["timeout"] > 0, (submission_id, tags)
                assert set(tags) <= {"timeout", "too-slow", "exponential-graph"}, (tags, [
                    (test["name"], test["output"][:300]) for test in row.result["tests"]
                    if not set(test["tags"]) <= {"timeout", "too-slow", "exponential-graph"}])
            elif entry.expect == "wrong-seed":  # its errors are NaN, written by name
                assert tags["wrong-seed"] > 0 and '"NaN"' in json.dumps(row.result), tags
            elif entry.source == NUMERICAL_INFINITE:  # written by name, never a bare inf
                assert tags["wrong-value"] > 0 and '"Infinity"' in json.dumps(row.result), tags
            else:
                assert row.raw_score < row.max_score and tags[entry.expect] > 0, \
                    (submission_id, entry.expect, tags)
            graded_runs = session.scalars(select(Grading).where(
                Grading.submission_id == submission_id,
                Grading.status.in_(["graded", "superseded"]))).all()
            assert len({run.score for run in graded_runs}) == 1, \
                [(run.status, run.score) for run in graded_runs]
            assert sum(run.status == "graded" for run in graded_runs) == 1
