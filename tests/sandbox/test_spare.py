"""Pre-started ("spare") sandboxes: same results as cold runs, nothing carried between runs."""

from __future__ import annotations

import dataclasses
import json
import os
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.grading.sandbox import SandboxResult, spare
from grader.grading.sandbox.slots import kill_uid, processes_of_uid

from .helpers import FAST_LIMITS, run_code, surviving_sandbox_processes

HOSTILE = Path(__file__).resolve().parent.parent / "hostile"

# What a guest sees of its surroundings, as JSON on stdout.
SURVEY = """
    import json, os
    pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
    print(json.dumps({"uid": os.getuid(), "tmp": sorted(os.listdir("/tmp")),
                      "in": sorted(os.listdir(os.environ["SANDBOX_IN"])), "pids": pids,
                      "numpy": "numpy" in __import__("sys").modules}))
"""


@pytest.fixture(autouse=True)
def no_spare_left() -> Iterator[None]:
    """Each test starts and ends without a spare, so no other test sees its processes."""
    spare.shutdown_spares()
    yield
    spare.shutdown_spares()


def run_spare(source: str, **options) -> SandboxResult:
    return run_code(source, preload=("numpy",), use_spare=True, **options)


def wait_for_spare(timeout: float = 20.0) -> spare.SpareSandbox:
    """The process's spare once it is ready."""
    pool = spare.process_pool()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with pool.changed:
            if pool.spare is not None:
                return pool.spare
        time.sleep(0.02)
    raise AssertionError("no spare became ready")


def test_spare_run_gives_the_cold_result() -> None:
    source = """
        import numpy, os, sys
        with open(os.path.join(os.environ["SANDBOX_OUT"], "answer.txt"), "w") as out:
            out.write(str(numpy.arange(10).sum()))
        print("args", sys.argv[1:], "name", __name__)
        sys.stderr.write("to stderr\\n")
        sys.exit(3)
    """
    cold = run_code(source, args=["a", "b"])
    first = run_spare(source, args=["a", "b"])  # no spare yet: cold, and one is started
    wait_for_spare()
    warm = run_spare(source, args=["a", "b"])
    assert (cold.spare, first.spare, warm.spare) == (False, False, True)
    for result in (first, warm):
        assert (result.exit_code, result.signal, result.reason) == (3, None, None)
        assert (result.stdout, result.stderr, result.files) == (cold.stdout, cold.stderr,
                                                                 cold.files)
        assert result.isolation == "bubblewrap"
    assert cold.files == {"answer.txt": b"45"}
    # The start-up (numpy included) is not the run's: a spare run reports only its own CPU.
    assert warm.cpu_seconds < cold.cpu_seconds
    assert surviving_sandbox_processes() == {
        wait_for_spare().slot.uid: [wait_for_spare().guest_pid]}


def test_consecutive_submissions_share_nothing() -> None:
    attack = textwrap.dedent("""
        import ctypes, json, os, signal, time
        time.sleep(3.0)  # the next spare comes up meanwhile, on a loaded machine too
        report = {"attack_started": time.monotonic(), "uid": os.getuid(), "signalled": [],
                  "traced": [], "foreign_writes": []}
        libc = ctypes.CDLL(None, use_errno=True)
        for pid in (int(p) for p in os.listdir("/proc") if p.isdigit()):
            if pid != os.getpid():
                try:
                    os.kill(pid, signal.SIGKILL)
                    report["signalled"].append(pid)
                except OSError:
                    pass
            if libc.ptrace(16, pid, None, None) == 0:  # PTRACE_ATTACH
                report["traced"].append(pid)
        for uid in range(61900, 61916):  # every slot's workspace, by the host's layout
            for base in ("/tmp/autograder-sandbox/runs", "/sandbox/runs"):
                try:
                    with open(f"{base}/{uid}/in/planted.py", "w") as planted:
                        planted.write("print('planted')")
                    report["foreign_writes"].append(uid)
                except OSError:
                    pass
        with open("/tmp/left-behind", "w") as leftover:
            leftover.write("from the first run")
        with open(os.path.join(os.environ["SANDBOX_OUT"], "left-behind"), "w") as leftover:
            leftover.write("from the first run")
        print(json.dumps(report), flush=True)
    """) + (HOSTILE / "setsid_daemon.py").read_text()
    run_spare(SURVEY)  # cold: starts the spare the attack will get
    wait_for_spare()
    first = run_spare(attack, limits=dataclasses.replace(FAST_LIMITS, wall_seconds=20))
    ended = time.monotonic()
    report = json.loads(first.stdout)
    waiting = wait_for_spare()
    assert first.spare and first.reason is None, first.stderr
    assert waiting.ready_at < report["attack_started"] < ended  # it waited through the attack
    assert report["signalled"] == [] and report["traced"] == [] and report["foreign_writes"] == []
    assert processes_of_uid(report["uid"]) == []  # the daemon went with its run

    second = run_spare(SURVEY)
    seen = json.loads(second.stdout)
    assert second.spare and second.reason is None
    assert seen["uid"] != report["uid"]
    assert seen["tmp"] == [] and seen["in"] == ["main.py"] and seen["pids"] == [1]
    assert "left-behind" not in second.files
    assert processes_of_uid(report["uid"]) == []


def test_wall_limit_counts_from_go() -> None:
    limits = dataclasses.replace(FAST_LIMITS, wall_seconds=2.0)
    run_spare("pass", limits=limits)
    wait_for_spare()
    time.sleep(3.0)  # longer than the whole wall limit
    result = run_spare("import time; time.sleep(1.0); print('slept')", limits=limits)
    assert result.spare
    assert (result.reason, result.stdout) == (None, b"slept\n")
    assert 1.0 <= result.wall_seconds < 2.0


def test_spare_cpu_limit_is_the_runs_own() -> None:
    limits = dataclasses.replace(FAST_LIMITS, cpu_seconds=1, wall_seconds=10)
    run_spare("pass", limits=limits)
    wait_for_spare()
    result = run_spare("while True: pass", limits=limits)
    assert result.spare and result.reason == "cpu-time"
    # The whole limit is the run's: the start-up's CPU time is neither taken from it nor
    # reported (the upper bound is test_limits' cold one: the kernel's SIGKILL a second later).
    assert 0.95 <= result.cpu_seconds < 3.5


def test_dead_spare_is_replaced_by_a_cold_start() -> None:
    run_spare("pass")
    dead = wait_for_spare()
    assert kill_uid(dead.slot.uid)
    result = run_spare("print('still graded')")
    assert (result.spare, result.reason, result.stdout) == (False, None, b"still graded\n")
    assert wait_for_spare() is not dead  # and the next one is on its way
    assert run_spare("print('on the new spare')").spare


def test_a_spare_launched_otherwise_is_not_used() -> None:
    run_spare("pass")
    wait_for_spare()
    smaller = dataclasses.replace(FAST_LIMITS, memory_bytes=FAST_LIMITS.memory_bytes + (1 << 20))
    result = run_spare("print('ok')", limits=smaller)
    assert (result.spare, result.reason) == (False, None)


def test_forked_child_does_not_use_its_parents_spare() -> None:
    run_spare("pass")
    parents = wait_for_spare()
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # like a Celery prefork child
        try:
            os.close(read_end)
            result = run_spare(SURVEY)
            message = {"spare": result.spare, "reason": result.reason,
                       "uid": json.loads(result.stdout)["uid"]}
            wait_for_spare()  # its own, started by its run: discarded before it exits
            spare.shutdown_spares()
        except BaseException as error:  # noqa: BLE001 (reported to the parent)
            message = {"error": repr(error)}
        os.write(write_end, json.dumps(message).encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        message = json.loads(reader.read())
    os.waitpid(child, 0)
    assert message.get("spare") is False and message["reason"] is None, message
    assert message["uid"] != parents.slot.uid
    assert processes_of_uid(parents.slot.uid) == [parents.guest_pid]  # untouched
    mine = run_spare(SURVEY)
    assert mine.spare and json.loads(mine.stdout)["uid"] == parents.slot.uid
