"""Real services for the live tests: a throwaway PostgreSQL database, Redis, Celery workers."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
import redis

REPOSITORY = Path(__file__).resolve().parents[2]
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_TEST_URL = "redis://127.0.0.1:6379/13"  # a database number of its own, away from others


def require_postgres() -> None:
    """Fail unless PostgreSQL answers (scripts/setup-system.sh starts it): a skip would hide it."""
    try:
        psycopg.connect(POSTGRES_ADMIN, connect_timeout=3).close()
    except psycopg.Error as error:
        pytest.fail(f"PostgreSQL is not reachable (make test starts it): {error}")


def require_redis(url: str = REDIS_TEST_URL) -> None:
    """Fail unless Redis answers (scripts/setup-system.sh starts it)."""
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis is not reachable (make test starts it): {error}")


def forget_queue(url: str, queue: str) -> None:
    """Remove a test queue from Redis: its messages, its binding and its unacked entries."""
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        for tag, entry in client.hgetall("unacked").items():
            if json.loads(entry)[-1] == queue:  # [message, exchange, routing key]
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
    except redis.RedisError:
        pass  # Redis gone: nothing left to tidy
    finally:
        client.close()


def forget_keys(url: str, prefix: str) -> None:
    """Remove the keys a test kept in Redis under a prefix of its own."""
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        for key in client.scan_iter(match=f"*{prefix}*"):
            client.delete(key)
    except redis.RedisError:
        pass  # Redis gone: nothing left to tidy
    finally:
        client.close()


def create_database() -> tuple[str, Callable[[], None]]:
    """Create a throwaway database; return its URL and a function that drops it."""
    name = f"grader_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", drop


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check: Callable[[], object], timeout: float, what: str, every: float = 0.2):
    """Poll check until it returns something truthy; fail the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def stop_process_group(process: subprocess.Popen, grace: float) -> None:
    """SIGTERM a process started in a session of its own, give it `grace` seconds, then
    SIGKILL whatever of its group is left (pool children may outlive their parent)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


class Worker:
    """A `celery worker` process of our own, in its own process group."""

    def __init__(self, env: dict[str, str], log: Path, *, beat: bool = False,
                 concurrency: int = 1, name: str = "w1"):
        self.log = log
        command = [
            sys.executable, "-m", "celery", "-A", "workers.make_celery", "worker",
            "--loglevel", "INFO", "--pool", "prefork", "--concurrency", str(concurrency),
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--hostname", f"{name}-{uuid.uuid4().hex[:6]}@%h",
        ]
        if beat:
            command += ["--beat", "--schedule", str(log.with_suffix(".beat"))]
        self.handle = log.open("ab")
        self.process = subprocess.Popen(
            command, cwd=REPOSITORY, env=env, stdout=self.handle, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self.ready, 60, f"worker {name} to start (log: {log})")

    def ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"worker exited early:\n{self.log.read_text()[-3000:]}")
        return " ready." in self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the whole worker: main process and pool children."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """Ask for a warm shutdown; kill what is left after a while."""
        stop_process_group(self.process, grace=20)
        self.handle.close()


class Beat:
    """A `celery beat` process of our own: it schedules the sweep, as in a deployment."""

    def __init__(self, env: dict[str, str], log: Path):
        self.handle = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "workers.make_celery", "beat",
             "--loglevel", "INFO", "--schedule", str(log.with_suffix(".schedule"))],
            cwd=REPOSITORY, env=env, stdout=self.handle, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        stop_process_group(self.process, grace=10)
        self.handle.close()


class RedisServer:
    """A private redis-server we may stop and start again, as in an outage."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for(self.answers, 10, "redis-server to start")

    def answers(self) -> bool:
        try:
            return redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class ServerThread:
    """Serve a Flask app over real HTTP from a background thread (werkzeug's server)."""

    def __init__(self, app):
        import threading

        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
