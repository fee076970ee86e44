"""`make run`: migrate, seed a demo course, then serve the web app with a grading worker.

No server is needed: the database is SQLite and the queue kombu's SQLite transport, both in
instance/. Set DATABASE_URL or REDIS_URL to use PostgreSQL or Redis instead. Ctrl-C stops all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "5000")


def prepare() -> str:
    """Migrate the database and seed the demo accounts; return the instance folder."""
    from grader import create_app
    from grader.db import upgrade
    from grader.demo import DEMO_ACCOUNTS, seed_demo

    app = create_app()
    upgrade(app.config["DATABASE_URL"])
    with app.app_context():
        accounts = seed_demo()
    print("\nDemo course: three assignments, these accounts (kept in instance/):")
    for username, role in DEMO_ACCOUNTS:
        password = accounts.get(username, "(set earlier)")
        print(f"  {role.value:<10}  user {username:<10}  password {password}")
    print(f"\nDatabase: {app.config['DATABASE_URL']}")
    print(f"Queue:    {app.config['CELERY_BROKER_URL']}")
    print(f"\nOpen http://{HOST}:{PORT} and log in. Ctrl-C stops the server and the worker.\n",
          flush=True)
    app.extensions["grader.engine"].dispose()
    return app.instance_path


def start(command: list[str], env: dict | None = None) -> subprocess.Popen:
    """Start a child in its own session: Ctrl-C reaches only us, and we stop it in order."""
    return subprocess.Popen(command, cwd=REPOSITORY, start_new_session=True, env=env)


def stop(processes: list[subprocess.Popen]) -> None:
    """Ask each process to stop, then kill those that linger."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> int:
    # Ctrl-C (even when started in the background, which ignores it) and SIGTERM (from
    # `timeout`, systemd, ...) both stop the children before we exit.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    instance = prepare()
    python = sys.executable
    worker = start([
        python, "-m", "celery", "-A", "workers.make_celery", "worker", "--beat",
        "--schedule", f"{instance}/celerybeat-schedule", "--concurrency", "2",
        "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
    ], env={**os.environ, "GRADER_WARM_UP": os.environ.get("GRADER_WARM_UP", "1")})
    web = start([python, "-m", "flask", "--app", "grader", "run", "--host", HOST,
                 "--port", PORT])
    processes = [web, worker]
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        failed = next(p for p in processes if p.poll() is not None)
        name = "web server" if failed is web else "worker"
        print(f"\nThe {name} stopped (exit {failed.returncode}); stopping the rest.",
              file=sys.stderr)
        return failed.returncode or 1
    except KeyboardInterrupt:
        print("\nStopping…", file=sys.stderr)
        return 0
    finally:
        stop(processes)


if __name__ == "__main__":
    sys.exit(main())
