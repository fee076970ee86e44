"""A normal program under bubblewrap: what it gets, what it sees, what comes back."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from grader.grading.sandbox import Mount, run_python
from grader.grading.sandbox.config import slot_uids

from .helpers import FAST_LIMITS, SECRETS, leaked_secrets, run_code, surviving_sandbox_processes

REPO = Path(__file__).resolve().parents[2]


def report(result) -> dict:
    assert result.reason is None, result.stderr.decode(errors="replace")
    return json.loads(result.stdout)


def test_normal_program_returns_stdout_files_and_measurements() -> None:
    result = run_code(
        """
        import sys, numpy, helper
        print("args", sys.argv[1:], helper.VALUE, numpy.arange(4).sum())
        print("to stderr", file=sys.stderr)
        with open("/sandbox/out/result.json", "w") as handle:
            handle.write('{"ok": true}')
        with open("/sandbox/out/data.bin", "wb") as handle:
            handle.write(bytes(range(256)))
        sys.exit(3)
        """,
        files={"lib/helper.py": b"VALUE = 42\n"},
        args=["one", "two"],
        python_path=["/sandbox/in/lib"],
    )
    assert result.isolation == "bubblewrap"
    assert result.exit_code == 3 and result.signal is None and result.reason is None
    assert result.stdout == b"args ['one', 'two'] 42 6\n"
    assert result.stderr == b"to stderr\n"
    assert result.files == {"result.json": b'{"ok": true}', "data.bin": bytes(range(256))}
    assert not result.timed_out and not result.output_truncated
    assert 0 < result.cpu_seconds < FAST_LIMITS.cpu_seconds
    assert 0 < result.wall_seconds < FAST_LIMITS.wall_seconds
    assert surviving_sandbox_processes() == {}


def test_script_runs_as_main_like_python_does() -> None:
    result = run_code(
        """
        import pickle, sys
        class Point:
            pass
        if __name__ == "__main__":
            print(__file__, sys.argv, type(pickle.loads(pickle.dumps(Point()))).__name__)
        """, args=["x"])
    assert result.stdout == b"/sandbox/in/main.py ['/sandbox/in/main.py', 'x'] Point\n"


def test_runs_as_a_real_unprivileged_uid_without_capabilities() -> None:
    info = report(run_code(
        """
        import json, os
        status = dict(line.split(":", 1) for line in open("/proc/self/status"))
        print(json.dumps({"ids": [os.getuid(), os.geteuid(), os.getgid()],
                          "groups": os.getgroups(), "pid": os.getpid(),
                          "status": {k: v.strip() for k, v in status.items()}}))
        """))
    uid = info["ids"][0]
    assert uid in slot_uids() and info["ids"] == [uid, uid, uid]
    assert info["groups"] == []
    status = info["status"]
    assert status["Uid"].split() == [str(uid)] * 4  # the host sees the same uid: no mapping
    for caps in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        assert int(status[caps], 16) == 0, caps
    assert status["NoNewPrivs"] == "1"
    assert status["Seccomp"] == "2"
    assert info["pid"] == 1  # its own pid namespace


def test_environment_is_scrubbed_and_extended() -> None:
    result = run_code("import os, json; print(json.dumps(dict(os.environ)))",
                      env={"CASE_SEED": "7"})
    env = report(result)
    assert leaked_secrets(result) == []
    assert not set(SECRETS) & set(env)
    assert env["HOME"] == "/tmp" and env["LANG"] == "C.UTF-8" and env["CASE_SEED"] == "7"
    assert env["OPENBLAS_NUM_THREADS"] == env["OMP_NUM_THREADS"] == "1"
    assert env["PYTHONHASHSEED"] == "0" and env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert set(env) <= {"PATH", "HOME", "TMPDIR", "LANG", "OPENBLAS_NUM_THREADS",
                        "OMP_NUM_THREADS", "MKL_NUM_THREADS", "PYTHONHASHSEED",
                        "PYTHONDONTWRITEBYTECODE", "SANDBOX_IN", "SANDBOX_OUT", "PWD",
                        "CASE_SEED"}


def test_sees_only_its_own_filesystem(tmp_path: Path) -> None:
    kit = tmp_path / "kit"
    kit.mkdir()
    (kit / "autodiff.py").write_text("KIT = 1\n")
    result = run_code(
        f"""
        import json, os, sys
        def attempt(action):
            try:
                action()
                return "ok"
            except OSError as error:
                return error.errno
        def write(path):
            with open(path, "w") as handle:
                handle.write("x")
        print(json.dumps({{
            "root": sorted(os.listdir("/")),
            "sandbox": sorted(os.listdir("/sandbox")),
            "dev": sorted(os.listdir("/dev")),
            "etc": os.path.exists("/etc"),
            "repo": os.path.exists({str(REPO)!r}),
            "kit": open("/sandbox/kit/autodiff.py").read(),
            "write_kit": attempt(lambda: write("/sandbox/kit/autodiff.py")),
            "write_in": attempt(lambda: write("/sandbox/in/new.txt")),
            "write_out": attempt(lambda: write("/sandbox/out/new.txt")),
            "write_tmp": attempt(lambda: write("/tmp/new.txt")),
            "write_runtime": attempt(lambda: write(sys.prefix + "/new.txt")),
            "tmp_size": os.statvfs("/tmp").f_blocks * os.statvfs("/tmp").f_frsize,
            "site_packages": os.listdir(sys.prefix + "/lib/python3.11/site-packages")
                if os.path.isdir(sys.prefix + "/lib/python3.11/site-packages") else [],
            "procs": sorted(p for p in os.listdir("/proc") if p.isdigit()),
        }}))
        """,
        mounts=[Mount(kit, "/sandbox/kit")],
    )
    seen = report(result)
    assert seen["sandbox"] == ["in", "kit", "lib", "out"]
    assert seen["dev"] == ["null", "urandom", "zero"]
    assert {"proc", "dev", "tmp", "sandbox", "usr"} <= set(seen["root"])
    assert "work" not in seen["root"] and "home" not in seen["root"]
    assert seen["etc"] is False and seen["repo"] is False
    assert seen["kit"] == "KIT = 1\n"
    assert seen["write_kit"] == seen["write_in"] == seen["write_runtime"] == 30  # EROFS
    assert seen["write_out"] == seen["write_tmp"] == "ok"
    assert seen["tmp_size"] == FAST_LIMITS.tmp_bytes
    assert seen["site_packages"] == []  # the host interpreter's packages stay hidden
    assert seen["procs"] == ["1"]
    assert (kit / "autodiff.py").read_text() == "KIT = 1\n"


@pytest.mark.parametrize("mode", ["bubblewrap", "fallback"])
def test_mounted_packages_import_by_their_guest_layout(mode: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # The grading pipeline's layout: a kit package under /sandbox/kit, a harness package that
    # puts its own parent directory on sys.path, arguments naming guest paths.
    monkeypatch.setenv("AUTOGRADER_SANDBOX", mode)
    kit = tmp_path / "autodiff"
    kit.mkdir()
    (kit / "__init__.py").write_text("NAME = 'kit'\n")
    harness = tmp_path / "harness"
    harness.mkdir()
    (harness / "__init__.py").write_text("")
    (harness / "kinds.py").write_text("KIND = 'harness'\n")
    (harness / "run.py").write_text(textwrap.dedent("""
        import sys
        from pathlib import Path
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        import autodiff
        from harness import kinds
        job = open(sys.argv[1]).read()
        with open(sys.argv[2], "w") as handle:
            handle.write(f"{autodiff.NAME} {kinds.KIND} {job}")
        print(sorted(p.name for p in Path(sys.argv[3]).iterdir()))
    """))
    result = run_python(
        "/sandbox/harness/harness/run.py",
        args=["/sandbox/in/job.json", "/sandbox/out/results.jsonl", "/sandbox/in/submission"],
        mounts=[Mount(kit, "/sandbox/kit/autodiff"), Mount(harness, "/sandbox/harness/harness")],
        files={"job.json": b"{}", "submission/gradient.py": b"def gradient(out): pass\n"},
        limits=FAST_LIMITS, python_path=["/sandbox/kit"])
    assert result.isolation == mode
    assert result.reason is None and result.exit_code == 0, result.stderr
    assert result.files == {"results.jsonl": b"kit harness {}"}
    assert result.stdout == b"['gradient.py']\n"


def test_has_no_network(host_listener) -> None:
    result = run_code(
        f"""
        import json, socket
        outcome = {{}}
        for port in (6379, 5432, {host_listener.port}):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                outcome[port] = "connected"
            except OSError as error:
                outcome[port] = error.errno
        print(json.dumps({{"outcome": outcome, "interfaces": socket.if_nameindex()}}))
        """)
    seen = report(result)
    assert "connected" not in seen["outcome"].values()
    assert [name for _, name in seen["interfaces"]] == ["lo"]
    assert host_listener.accepted == []


@pytest.mark.usefixtures("sandbox_mode")
def test_failure_to_start_is_a_sandbox_error(tmp_path: Path) -> None:
    data = tmp_path / "data.txt"
    data.write_text("a file")
    # A mount point inside a file cannot exist: the launcher fails before any guest code.
    result = run_code("print('never')", mounts=[Mount(data, "/sandbox/data"),
                                                Mount(tmp_path, "/sandbox/data/sub")])
    assert result.reason == "sandbox-error"
    assert result.stdout == b""
    assert b"Can't mkdir parents for /sandbox/data/sub" in result.stderr


def test_guest_errors_are_not_sandbox_errors() -> None:
    result = run_python("/sandbox/in/missing.py", mounts=[], files={}, limits=FAST_LIMITS)
    assert result.reason is None and result.exit_code == 1
    assert b"missing.py" in result.stderr


@pytest.mark.parametrize("bad", [
    {"script": "relative.py"},
    {"files": {"../escape.py": b""}},
    {"files": {"/abs.py": b""}},
    {"mounts": [Mount(Path("/usr/lib"), "/sandbox/in/x")]},
    {"mounts": [Mount(Path("/usr/lib"), "/tmp")]},
    {"mounts": [Mount(Path("/does/not/exist"), "/sandbox/kit")]},
])
def test_rejects_invalid_requests(bad: dict) -> None:
    request = {"script": "/sandbox/in/main.py", "mounts": [], "files": {"main.py": b""}, **bad}
    with pytest.raises(ValueError):
        run_python(request.pop("script"), limits=FAST_LIMITS, **request)
