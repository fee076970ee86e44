"""`make run`'s script: migrate, seed, serve with a worker on the embedded queue, stop cleanly."""

import json
import os
import signal
import subprocess
import sys

import requests

from tests.support.live import REPOSITORY, free_port, wait_for

SOLUTION = (REPOSITORY / "reference" / "solutions" / "backprop" / "backprop.py").read_bytes()


def children_of(pid: int) -> list[int]:
    """Return the pids whose parent is pid."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    if int(handle.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (FileNotFoundError, ProcessLookupError):
                continue
    return found


def test_run_serves_grades_and_stops(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_QUEUE")}
    env |= {"GRADER_INSTANCE_PATH": str(tmp_path), "PORT": str(port)}
    log = (tmp_path / "run.log").open("wb")
    process = subprocess.Popen([sys.executable, "scripts/run.py"], cwd=REPOSITORY, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(url), 60, "the web server")
        output = (tmp_path / "run.log").read_text()
        accounts = json.loads((tmp_path / "demo-accounts.json").read_text())
        assert set(accounts) == {"instructor", "alice", "bob"}
        assert f"password {accounts['alice']}" in output  # printed for the newcomer
        children = children_of(process.pid)
        assert len(children) == 2  # the web server and the worker

        token = subprocess.run(
            [sys.executable, "-m", "grader.cli", "token", "alice"], cwd=REPOSITORY, env=env,
            capture_output=True, text=True, check=True).stdout.strip()
        headers = {"Authorization": f"Bearer {token}"}
        created = requests.post(f"{url}/api/v1/assignments/backprop/submissions",
                                headers=headers, files={"file": ("backprop.py", SOLUTION)},
                                timeout=10)
        assert created.status_code == 201, created.text
        final = wait_for(lambda: (doc := requests.get(created.json()["url"], headers=headers,
                                                      timeout=10).json())["status"]
                         in ("graded", "error") and doc, 120, "the grading")
        assert final["status"] == "graded"
        assert final["result"]["score"] == final["result"]["max_score"]
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C
        process.wait(timeout=60)
        log.close()
    # Each child leads its own process group (the worker's pool processes included): all gone.
    assert not [pid for pid in all_pids() if os.getpgid(pid) in children]


def all_pids() -> list[int]:
    """Return the pids of every process still running: not vanished, not a zombie.

    (A zombie has exited; it waits only for init, which in some containers never reaps.)
    """
    alive = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    state = handle.read().rsplit(")", 1)[1].split()[0]
                os.getpgid(int(entry))
            except (FileNotFoundError, ProcessLookupError):
                continue
            if state != "Z":
                alive.append(int(entry))
    return alive


def _answers(url: str) -> bool:
    try:
        return requests.get(url + "/auth/login", timeout=2).status_code == 200
    except requests.RequestException:
        return False
