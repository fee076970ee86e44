"""Watching an output file while the guest runs: what was appended, each byte read once, untrusted."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from grader.grading.sandbox import OutputWatch, spare

from .helpers import run_code

# Three lines, written a quarter of a second apart, then a pause before the guest ends.
THREE_LINES = """
import os, time
with open(os.environ["SANDBOX_OUT"] + "/results.jsonl", "a", buffering=1) as sink:
    for line in ("one", "two", "three"):
        sink.write(line + "\\n")
        time.sleep(0.25)
time.sleep(0.25)
"""


class Seen:
    """What a watch was shown, and when."""

    def __init__(self, keep_watching: bool = True) -> None:
        self.contents: list[bytes] = []
        self.moments: list[float] = []
        self.keep_watching = keep_watching

    def __call__(self, appended: bytes) -> bool:
        self.contents.append(appended)
        self.moments.append(time.monotonic())
        return self.keep_watching


@pytest.mark.usefixtures("sandbox_mode")
def test_the_file_is_read_as_it_grows_before_the_run_ends() -> None:
    seen = Seen()
    result = run_code(THREE_LINES, watch=OutputWatch("results.jsonl", seen))
    ended = time.monotonic()
    assert result.reason is None, result.stderr
    assert result.files["results.jsonl"] == b"one\ntwo\nthree\n"
    assert seen.contents == [b"one\n", b"two\n", b"three\n"]
    assert ended - seen.moments[0] > 0.6  # the first line was read while the guest slept


@pytest.mark.usefixtures("sandbox_mode")
def test_a_watch_that_has_what_it_wanted_stops_looking() -> None:
    seen = Seen(keep_watching=False)
    result = run_code(THREE_LINES, watch=OutputWatch("results.jsonl", seen))
    assert result.reason is None, result.stderr
    assert seen.contents == [b"one\n"]


@pytest.mark.usefixtures("sandbox_mode")
def test_a_symlink_or_fifo_in_place_of_the_file_is_never_read(tmp_path: Path) -> None:
    canary = tmp_path / "canary.txt"
    canary.write_text("host canary")
    canary.chmod(0o644)
    seen = Seen()
    result = run_code(f"""
        import os, time
        out = os.environ["SANDBOX_OUT"]
        os.symlink({str(canary)!r}, out + "/results.jsonl")
        time.sleep(0.3)
        os.unlink(out + "/results.jsonl")
        os.mkfifo(out + "/results.jsonl")
        time.sleep(0.3)
        """, watch=OutputWatch("results.jsonl", seen))
    assert result.reason is None, result.stderr
    assert seen.contents == []


def test_a_spare_run_is_watched_too() -> None:
    spare.shutdown_spares()
    try:
        run_code("pass", preload=("numpy",), use_spare=True)  # cold; starts a spare
        deadline = time.monotonic() + 20
        while spare.process_pool().spare is None and time.monotonic() < deadline:
            time.sleep(0.05)
        seen = Seen()
        result = run_code(THREE_LINES, preload=("numpy",), use_spare=True,
                          watch=OutputWatch("results.jsonl", seen))
        assert result.spare and result.reason is None, result.stderr
        assert seen.contents == [b"one\n", b"two\n", b"three\n"]
    finally:
        spare.shutdown_spares()


@pytest.mark.usefixtures("sandbox_mode")
def test_a_file_cut_or_replaced_is_no_longer_followed() -> None:
    # An append-only log is what the watch follows: once seen cut or replaced, what the guest
    # writes next is not previewed (the file read at the end is what counts; a preview is
    # untrusted either way).
    for rewrite in ("os.truncate(path, 0)", "os.rename(path, path + '.old')"):
        seen = Seen()
        result = run_code(f"""
            import os, time
            path = os.environ["SANDBOX_OUT"] + "/results.jsonl"
            with open(path, "a") as sink:
                sink.write("one\\n")
            time.sleep(0.3)
            {rewrite}
            time.sleep(0.1)
            with open(path, "a") as sink:
                sink.write("forged\\n")
            time.sleep(0.3)
            """, watch=OutputWatch("results.jsonl", seen))
        assert result.reason is None, result.stderr
        assert seen.contents == [b"one\n"], rewrite
        assert result.files["results.jsonl"] == b"forged\n"


@pytest.mark.usefixtures("sandbox_mode")
def test_a_file_that_keeps_growing_is_read_once_over() -> None:
    # A byte at a time for a second: every look reads only what is new.
    seen = Seen()
    result = run_code("""
        import os, time
        with open(os.environ["SANDBOX_OUT"] + "/results.jsonl", "a", buffering=1) as sink:
            for _ in range(100):
                sink.write("x")
                sink.flush()
                time.sleep(0.01)
        """, watch=OutputWatch("results.jsonl", seen))
    assert result.reason is None, result.stderr
    assert result.files["results.jsonl"] == b"x" * 100
    # Each look hands on only the new bytes: together, never more than was written (the last
    # ones may come after the last look, which the file read at the end has).
    previewed = b"".join(seen.contents)
    assert previewed == b"x" * len(previewed) and len(previewed) >= 50
    assert len(seen.contents) > 5
