"""Load benchmark of the grading service: N submissions through the HTTP API to W workers.

By default it starts its own stack on this machine (a throwaway PostgreSQL database, Redis,
gunicorn and one Celery worker with W pool processes), then reports

  * throughput: N submissions posted at once, graded per minute until the last is graded;
  * latency: N submissions posted at a steady pace below capacity (no backlog), the time
    from submitted to graded as the server recorded it (p50, p99).

    .venv/bin/python bench/load.py -n 120 -w 2
    .venv/bin/python bench/load.py --assignment backprop -n 30 --rate 0.3

With --server URL --token TOKEN it loads an existing deployment instead (the token must
belong to an instructor, whose submission list the benchmark polls). Not a test: run it
by hand and write the figures into docs/service.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import requests

REPOSITORY = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/14"  # a database number of its own
SLUGS = sorted(p.name for p in (REPOSITORY / "assignments").iterdir()
               if (p / "assignment.toml").is_file())


def bench_app():
    """The real app with deadlines lifted, so any assignment can be loaded (gunicorn target)."""
    from grader import create_app
    from grader.grading.assignments import load_assignments

    app = create_app()
    app.extensions["grader.course"] = {
        slug: dataclasses.replace(assignment, due=None, hard_close=None)
        for slug, assignment in load_assignments().items()
    }
    return app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalStack:
    """Database, web server and worker of our own; everything is removed on exit."""

    def __init__(self, workers: int, web_workers: int):
        self.workers, self.web_workers = workers, web_workers
        self.processes: list[subprocess.Popen] = []
        self.folder = Path(tempfile.mkdtemp(prefix="grader-bench-"))
        self.database = f"grader_bench_{uuid.uuid4().hex[:10]}"
        self.queue = f"bench-{uuid.uuid4().hex[:8]}"
        self.url = f"http://127.0.0.1:{free_port()}"

    def __enter__(self) -> LocalStack:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{self.database}"')
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{self.database}",
            "REDIS_URL": REDIS_URL,
            "CELERY_QUEUE": self.queue,
            "GRADER_INSTANCE_PATH": str(self.folder / "instance"),
            "SECRET_KEY": secrets.token_hex(16),
            "SUBMIT_RATE_LIMIT": "100000 per minute",
            # As deployed (docker-compose.yml): the worker grades every reference before it
            # takes a job, so no submission of the benchmark pays for a cold cache.
            "GRADER_WARM_UP": "1",
        }
        os.environ.update(self.env)
        from grader.db import upgrade

        upgrade(self.env["DATABASE_URL"])
        self.token = self.make_account()
        self.start("web", [sys.executable, "-m", "gunicorn", "--bind", self.url[7:],
                           "--workers", str(self.web_workers), "--threads", "4",
                           "--pythonpath", str(REPOSITORY / "bench"), "load:bench_app()"])
        self.start("worker", [sys.executable, "-m", "celery", "-A", "workers.make_celery",
                              "worker", "--concurrency", str(self.workers), "--loglevel",
                              "INFO", "--without-gossip", "--without-mingle",
                              "--without-heartbeat"])
        self.wait_until_up()
        return self

    def make_account(self) -> str:
        from grader import create_app
        from grader.db import get_session
        from grader.models import ApiToken, Role, User

        app = create_app()
        with app.app_context():
            session = get_session()
            user = User(username="bench", role=Role.INSTRUCTOR)
            user.set_password(secrets.token_hex(8))
            row, plain = ApiToken.issue(user, "bench")
            session.add_all([user, row])
            session.commit()
        app.extensions["grader.engine"].dispose()
        return plain

    def start(self, name: str, command: list[str]) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        self.processes.append(subprocess.Popen(command, cwd=REPOSITORY, env=self.env,
                                               stdout=log, stderr=subprocess.STDOUT,
                                               start_new_session=True))

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 180  # the worker's warm-up comes first
        while time.monotonic() < deadline:
            try:
                web_up = requests.get(self.url + "/api/v1/health", timeout=5).ok
            except requests.RequestException:
                web_up = False
            worker_log = (self.folder / "worker.log").read_text(errors="replace")
            if web_up and " ready." in worker_log:
                return
            time.sleep(0.3)
        raise SystemExit(f"the stack did not start; logs in {self.folder}")

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        import psycopg
        import redis

        redis.Redis.from_url(REDIS_URL).delete(
            self.queue, f"_kombu.binding.{self.queue}", f"_kombu.binding_permanent.{self.queue}")
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


class Client:
    """The API as the benchmark uses it."""

    def __init__(self, url: str, token: str):
        self.url = url.rstrip("/") + "/api/v1"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"

    def submit(self, slug: str, source: bytes) -> int:
        response = self.http.post(f"{self.url}/assignments/{slug}/submissions",
                                  files={"file": ("submission.py", source)}, timeout=30)
        response.raise_for_status()
        return response.json()["id"]

    def finished(self, ids: set[int]) -> dict[int, dict]:
        """Return the final submissions among ids (one listing request)."""
        me = self.http.get(f"{self.url}/me", timeout=10).json()["username"]
        listing = self.http.get(f"{self.url}/submissions",
                                params={"user": me, "limit": 1000}, timeout=30).json()
        return {s["id"]: s for s in listing["submissions"]
                if s["id"] in ids and s["status"] in ("graded", "error")}


def wait_for_all(client: Client, ids: set[int], timeout: float) -> dict[int, dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = client.finished(ids)
        if len(done) == len(ids):
            return done
        time.sleep(0.5)
    raise SystemExit(f"only {len(client.finished(ids))} of {len(ids)} graded in {timeout} s")


def seconds(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report(name: str, done: dict[int, dict]) -> dict:
    latencies = [seconds(s["submitted_at"], s["finished_at"]) for s in done.values()]
    first = min(s["submitted_at"] for s in done.values())
    last = max(s["finished_at"] for s in done.values())
    span = seconds(first, last)
    errors = sum(s["status"] == "error" for s in done.values())
    # Every submission is the reference solution: a point lost is the load misjudging it.
    short = sum(s["status"] == "graded" and s["score"] != s["max_score"] for s in done.values())
    figures = {
        "graded": len(done) - errors, "errors": errors, "short_of_full_marks": short,
        "per_minute": 60 * len(done) / span if span else float("inf"),
        "p50": statistics.median(latencies), "p99": percentile(latencies, 0.99),
        "max": max(latencies), "span": span,
    }
    print(f"{name:>8}: {figures['graded']} graded ({short} short of full marks), {errors} "
          f"errors in {span:.1f} s = "
          f"{figures['per_minute']:.0f} graded/min; submitted->graded p50 {figures['p50']:.2f} s"
          f", p99 {figures['p99']:.2f} s, max {figures['max']:.2f} s", flush=True)
    return figures


def burst(client: Client, slug: str, source: bytes, count: int, timeout: float) -> dict:
    """Post count submissions at once; measure how fast the backlog drains."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = set(pool.map(lambda _: client.submit(slug, source), range(count)))
    return report("burst", wait_for_all(client, ids, timeout))


def paced(client: Client, slug: str, source: bytes, count: int, rate: float,
          timeout: float) -> dict:
    """Post count submissions at rate per second; measure latency without a backlog."""
    ids = set()
    started = time.monotonic()
    for index in range(count):
        time.sleep(max(0.0, started + index / rate - time.monotonic()))
        ids.add(client.submit(slug, source))
    return report("paced", wait_for_all(client, ids, timeout))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--submissions", type=int, default=120)
    parser.add_argument("-w", "--workers", type=int, default=2, help="grading processes")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--assignment", default="numerical", choices=SLUGS)
    parser.add_argument("--rate", type=float, default=0.5,
                        help="submissions per second in the paced run (keep it below capacity)")
    parser.add_argument("--paced-submissions", type=int, default=30)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--server", help="load this deployment instead of a local stack")
    parser.add_argument("--token", help="an instructor's API token for --server")
    args = parser.parse_args()
    from reference import solutions

    source = solutions.path(args.assignment).read_bytes()  # as its manifest names it

    def run(client: Client) -> None:
        client.submit(args.assignment, source)  # warm up: imports, connections, sandbox probe
        time.sleep(5)
        burst(client, args.assignment, source, args.submissions, args.timeout)
        paced(client, args.assignment, source, args.paced_submissions, args.rate,
              args.timeout)

    print(f"{args.assignment}: {args.submissions} submissions at once, then "
          f"{args.paced_submissions} at {args.rate}/s; {args.workers} grading processes on "
          f"{os.cpu_count()} cores", flush=True)
    if args.server:
        run(Client(args.server, args.token))
        return
    with LocalStack(args.workers, args.web_workers) as stack:
        run(Client(stack.url, stack.token))


if __name__ == "__main__":
    main()
