"""Every attack of tests/hostile ends as its header says, and leaves the host untouched."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import textwrap
from pathlib import Path

import numpy
import pytest

from grader.grading.sandbox import Mount, SandboxResult, run_python

from .helpers import FAST_LIMITS, leaked_secrets, surviving_sandbox_processes

CORPUS = Path(__file__).resolve().parent.parent / "hostile"
REPO = CORPUS.parent.parent
ATTACKS = sorted(CORPUS.glob("*.py"))

# Imports the submission from /sandbox/in/submission and calls gradient(None). Exceptions
# propagate (traceback on stderr, exit 1), as a bare harness would let them.
RUNNER = textwrap.dedent("""
    import importlib.util, json, os, sys
    submission = os.path.join(os.environ["SANDBOX_IN"], "submission")
    spec = importlib.util.spec_from_file_location(
        "gradient", os.path.join(submission, "gradient.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    value = module.gradient(None)
    with open(os.path.join(os.environ["SANDBOX_OUT"], "result.json"), "w") as handle:
        json.dump({"runner": "done", "gradient": value}, handle, default=repr)
""").encode()

CANARY_TEXT = "canary-contents-the-sandbox-must-never-return"


def expected_reason(attack: Path) -> str | None:
    match = re.search(r"^# expect-reason: (\S+)$", attack.read_text(), re.MULTILINE)
    assert match, f"{attack.name} lacks an expect-reason header"
    return None if match.group(1) == "ok" else match.group(1)


def everything_returned(result: SandboxResult) -> bytes:
    return b"\n".join([result.stdout, result.stderr, *result.files.values()])


def shadow_hashes() -> list[bytes]:
    try:
        lines = Path("/etc/shadow").read_bytes().splitlines()
    except OSError:
        return []
    return [line.split(b":")[1] for line in lines if line.count(b":") > 2
            and len(line.split(b":")[1]) > 8]


@pytest.fixture
def kit(tmp_path: Path) -> Path:
    """A course kit on the host, mounted read-only at /sandbox/kit."""
    kit_dir = tmp_path / "kit"
    kit_dir.mkdir()
    (kit_dir / "autodiff.py").write_text("KIT = 'pristine'\n")
    return kit_dir


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    """A readable host file outside every mount: the guest must not be able to read it."""
    path = tmp_path / "canary.txt"
    path.write_text(CANARY_TEXT)
    path.chmod(0o644)
    return path


def test_corpus_covers_the_brief() -> None:
    assert len(ATTACKS) >= 20


@pytest.mark.parametrize("mode", ["bubblewrap", "fallback"])
@pytest.mark.parametrize("attack", ATTACKS, ids=[a.stem for a in ATTACKS])
def test_attack_is_contained(attack: Path, mode: str, kit: Path, canary: Path, host_listener,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOGRADER_SANDBOX", mode)
    numpy_init = Path(numpy.__file__)
    numpy_before = numpy_init.stat().st_mtime_ns
    # A wall-clock attack gets a short wall limit; the others a long one, so that CPU and
    # memory limits (measured in CPU time) fire first even on a loaded machine.
    wall = 3.0 if expected_reason(attack) == "timeout" else 20.0
    limits = dataclasses.replace(FAST_LIMITS, wall_seconds=wall, cpu_seconds=1)
    result = run_python(
        "/sandbox/in/runner.py",
        mounts=[Mount(kit, "/sandbox/kit")],
        files={"runner.py": RUNNER, "submission/gradient.py": attack.read_bytes()},
        limits=limits,
        env={"PROBE_PORT": str(host_listener.port), "CANARY_PATH": str(canary),
             "REPO_PATH": str(REPO)},
        python_path=["/sandbox/in/submission"],
    )
    assert result.isolation == mode
    assert result.reason == expected_reason(attack), (result.reason, result.stderr[-2000:])
    returned = everything_returned(result)

    assert surviving_sandbox_processes() == {}
    assert leaked_secrets(result) == []
    assert CANARY_TEXT.encode() not in returned
    assert not any(h in returned for h in shadow_hashes())
    assert b"CONNECTED" not in returned
    assert host_listener.accepted == []
    assert (kit / "autodiff.py").read_text() == "KIT = 'pristine'\n"
    assert numpy_init.stat().st_mtime_ns == numpy_before
    assert not os.path.exists("/tmp/autograder-pwned-by-pickle")
    assert sum(map(len, result.files.values())) <= limits.result_bytes
    assert len(result.stdout) <= limits.output_bytes
    assert len(result.stderr) <= limits.output_bytes
    assert all(isinstance(data, bytes) for data in result.files.values())
    # The host's own modules are untouched by the guest's monkeypatching.
    assert json.dumps({"a": 1}) == '{"a": 1}'
    assert not numpy.allclose(1, 2)
    assert result.wall_seconds < limits.wall_seconds + 3
