"""The fallback (forced with AUTOGRADER_SANDBOX=fallback): uid drop, seccomp, rlimits, reaping."""

from __future__ import annotations

import dataclasses
import json
import logging

import pytest

from grader.grading.sandbox.config import slot_uids

from .helpers import FAST_LIMITS, leaked_secrets, run_code, surviving_sandbox_processes

pytestmark = pytest.mark.usefixtures("fallback_mode")


def test_reports_fallback_and_warns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="grader.grading.sandbox"):
        result = run_code(
            """
            import json, os, numpy
            with open(os.environ["SANDBOX_OUT"] + "/result.json", "w") as handle:
                json.dump({"sum": int(numpy.arange(5).sum())}, handle)
            print("done")
            """)
    assert result.isolation == "fallback"
    assert result.reason is None and result.stdout == b"done\n"
    assert result.files == {"result.json": b'{"sum": 10}'}
    assert any("FALLBACK" in record.getMessage() for record in caplog.records)


def test_drops_to_a_real_uid_with_no_privileges() -> None:
    result = run_code(
        """
        import json, os
        status = dict(line.split(":", 1) for line in open("/proc/self/status"))
        def readable(path):
            try:
                open(path, "rb").read(1)
                return True
            except OSError:
                return False
        print(json.dumps({"uid": os.getresuid(), "gid": os.getresgid(),
                          "groups": os.getgroups(), "nnp": status["NoNewPrivs"].strip(),
                          "capeff": status["CapEff"].strip(), "shadow": readable("/etc/shadow"),
                          "root": readable("/root"), "env": dict(os.environ)}))
        """)
    seen = json.loads(result.stdout)
    uid = seen["uid"][0]
    assert uid in slot_uids() and seen["uid"] == [uid] * 3 and seen["gid"] == [uid] * 3
    assert seen["groups"] == [] and seen["nnp"] == "1" and int(seen["capeff"], 16) == 0
    assert seen["shadow"] is False and seen["root"] is False
    assert leaked_secrets(result) == []
    assert seen["env"]["OPENBLAS_NUM_THREADS"] == "1"


def test_blocks_every_socket(host_listener) -> None:
    result = run_code(
        f"""
        import socket
        for family, kind in ((socket.AF_INET, socket.SOCK_STREAM),
                             (socket.AF_INET6, socket.SOCK_STREAM),
                             (socket.AF_UNIX, socket.SOCK_STREAM)):
            try:
                socket.socket(family, kind)
                print("created")
            except PermissionError:
                print("blocked")
        try:
            socket.create_connection(("127.0.0.1", {host_listener.port}), timeout=1)
            print("connected")
        except OSError:
            print("refused")
        """)
    assert result.stdout.split() == [b"blocked", b"blocked", b"blocked", b"refused"]
    assert host_listener.accepted == []


def test_enforces_cpu_and_memory_limits() -> None:
    busy = run_code("while True: pass",
                    limits=dataclasses.replace(FAST_LIMITS, cpu_seconds=1, wall_seconds=20.0))
    assert busy.reason == "cpu-time" and busy.isolation == "fallback"
    hungry = run_code("x = bytearray(900 << 20)")
    assert hungry.reason == "memory-limit"


def test_enforces_the_process_limit_and_the_wall_clock() -> None:
    forks = run_code(
        """
        import os, time
        count = 0
        for _ in range(30):
            try:
                if os.fork() == 0:
                    time.sleep(5)
                    os._exit(0)
                count += 1
            except OSError:
                break
        print(count)
        """,
        limits=dataclasses.replace(FAST_LIMITS, processes=4))
    assert int(forks.stdout) == 3
    sleeper = run_code("import time\ntime.sleep(60)",
                       limits=dataclasses.replace(FAST_LIMITS, wall_seconds=1.0))
    assert sleeper.reason == "timeout" and sleeper.wall_seconds < 3
    assert surviving_sandbox_processes() == {}


def test_setsid_escapee_dies_with_the_run() -> None:
    result = run_code(
        """
        import os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                while True:  # keeps the stdout/stderr pipes open on purpose
                    time.sleep(0.05)
            os._exit(0)
        os.wait()
        print("parent leaves")
        """)
    assert result.reason is None and result.stdout == b"parent leaves\n"
    assert result.wall_seconds < 3
    assert surviving_sandbox_processes() == {}


def test_guest_paths_in_arguments_are_translated() -> None:
    result = run_code(
        "import sys\nprint(open(sys.argv[1]).read())",
        files={"cases.json": b"[1, 2]"}, args=["/sandbox/in/cases.json"])
    assert result.stdout == b"[1, 2]\n"


def test_landlock_hides_the_host_filesystem(tmp_path) -> None:
    from grader.grading.sandbox.confine import abi_version

    assert abi_version() > 0, "this kernel lacks Landlock: the fallback cannot hide host files"
    canary = tmp_path / "canary.txt"
    canary.write_text("world-readable host file")
    canary.chmod(0o644)
    tmp_path.chmod(0o755)
    result = run_code(
        f"""
        import os
        def attempt(action):
            try:
                action()
                return "allowed"
            except PermissionError:
                return "denied"
        print(attempt(lambda: open({str(canary)!r}).read()))
        print(attempt(lambda: open("/etc/passwd").read()))
        print(attempt(lambda: os.listdir("/")))
        print(attempt(lambda: open(os.environ["SANDBOX_OUT"] + "/x", "w").write("x")))
        print(attempt(lambda: open(os.environ["SANDBOX_IN"] + "/main.py").read()))
        """)
    # /etc/passwd and / are world-readable: only Landlock can deny them. (The canary sits
    # under pytest's 0700 tmp root, so plain permissions already hide it.)
    assert result.stdout.split() == [b"denied", b"denied", b"denied", b"allowed", b"allowed"]
