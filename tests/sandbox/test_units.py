"""The pure parts: limit validation, status decoding, classification, path handling."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from grader.grading.sandbox import Limits, Mount
from grader.grading.sandbox.fallback import path_translator
from grader.grading.sandbox.guest import normalize_guest_path, validate_mounts
from grader.grading.sandbox.limits import prlimit_arguments
from grader.grading.sandbox.result import classify, decode_status

LIMITS = Limits(cpu_seconds=2)


def verdict(**facts):
    base = {"started": True, "wall_timeout": False, "flooded": False, "exit_code": 0,
            "signal": None, "cpu_seconds": 0.1, "peak_rss": 1 << 20, "stderr": b"",
            "limits": LIMITS}
    return classify(**{**base, **facts})


@pytest.mark.parametrize("bad", [{"memory_bytes": 100 << 20}, {"wall_seconds": 0},
                                 {"processes": 0}, {"open_files": 3}])
def test_limits_reject_unusable_values(bad: dict) -> None:
    with pytest.raises(ValueError):
        Limits(**bad)


def test_prlimit_arguments_cover_every_rlimit() -> None:
    arguments = prlimit_arguments(Limits(cpu_seconds=5, memory_bytes=1 << 30))
    assert "--cpu=5:6" in arguments and f"--as={1 << 30}:{1 << 30}" in arguments
    assert "--core=0:0" in arguments and "--nproc=16:16" in arguments


def test_decode_status_reads_bwrap_signal_convention() -> None:
    assert decode_status(3 << 8, through_bwrap=True) == (3, None)
    assert decode_status((128 + 11) << 8, through_bwrap=True) == (None, 11)
    assert decode_status((128 + 11) << 8, through_bwrap=False) == (139, None)
    assert decode_status(signal.SIGKILL, through_bwrap=False) == (None, 9)


def test_classification_order() -> None:
    assert verdict().reason is None
    assert verdict(exit_code=1).reason is None
    assert verdict(wall_timeout=True, signal=9, exit_code=None).reason == "timeout"
    assert verdict(flooded=True, signal=9, exit_code=None).reason == "output-limit"
    assert verdict(started=False, exit_code=1).reason == "sandbox-error"
    assert verdict(signal=9, exit_code=None, cpu_seconds=2.9).reason == "cpu-time"
    assert verdict(signal=signal.SIGXCPU, exit_code=None).timed_out
    assert verdict(exit_code=1, stderr=b"...\nMemoryError\n").reason == "memory-limit"
    assert verdict(exit_code=0, stderr=b"MemoryError handled").reason is None
    assert verdict(signal=11, exit_code=None).reason == "crash"
    assert verdict(signal=9, exit_code=None, cpu_seconds=0.1).reason == "crash"


def test_guest_paths_are_normalized_and_checked(tmp_path: Path) -> None:
    assert normalize_guest_path("/sandbox/kit/./x/") == "/sandbox/kit/x"
    for bad in ("relative", "/sandbox/../etc"):
        with pytest.raises(ValueError):
            normalize_guest_path(bad)
    mounts = validate_mounts([Mount(tmp_path, "/data/inner"), Mount(tmp_path, "/data")])
    assert [m.guest for m in mounts] == ["/data", "/data/inner"]


def test_path_translator_prefers_the_deepest_mapping() -> None:
    translate = path_translator({"/sandbox/in": Path("/h/in"), "/sandbox/in/kit": Path("/k")})
    assert translate("/sandbox/in/kit/a.py") == "/k/a.py"
    assert translate("/sandbox/in/x") == "/h/in/x"
    assert translate("/sandbox/input") == "/sandbox/input"
    assert translate("--flag") == "--flag"
