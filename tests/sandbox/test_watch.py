"""Watching the guest's stdout while it runs, and the read-once files it is handed."""

from __future__ import annotations

import time

import pytest

from grader.grading.sandbox import OutputWatch, spare

from .helpers import FAST_LIMITS, run_code

# Three lines, written a quarter of a second apart, then a pause before the guest ends.
THREE_LINES = """
import sys, time
for line in ("one", "two", "three"):
    sys.stdout.write(line + "\\n")
    sys.stdout.flush()
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
def test_stdout_is_handed_on_as_it_arrives_before_the_run_ends() -> None:
    seen = Seen()
    result = run_code(THREE_LINES, watch=OutputWatch(seen))
    ended = time.monotonic()
    assert result.reason is None, result.stderr
    assert result.stdout == b"one\ntwo\nthree\n"
    assert seen.contents == [b"one\n", b"two\n", b"three\n"]
    assert ended - seen.moments[0] > 0.6  # the first line was handed on while the guest slept


@pytest.mark.usefixtures("sandbox_mode")
def test_a_watch_that_has_what_it_wanted_stops_looking() -> None:
    seen = Seen(keep_watching=False)
    result = run_code(THREE_LINES, watch=OutputWatch(seen))
    assert result.reason is None, result.stderr
    assert seen.contents == [b"one\n"]
    assert result.stdout == b"one\ntwo\nthree\n"  # the whole stdout still comes back


@pytest.mark.usefixtures("sandbox_mode")
def test_a_watch_is_handed_no_more_than_the_stdout_cap() -> None:
    seen = Seen()
    result = run_code(f"""
        import sys
        sys.stdout.write("x" * {2 * FAST_LIMITS.output_bytes})
        sys.stdout.flush()
        """, watch=OutputWatch(seen))
    assert sum(len(part) for part in seen.contents) == FAST_LIMITS.output_bytes
    assert result.output_truncated


def _spare_ready() -> None:
    run_code("pass", preload=("numpy",), use_spare=True)  # cold; starts a spare
    deadline = time.monotonic() + 20
    while spare.process_pool().spare is None and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_spare_run_is_watched_too() -> None:
    spare.shutdown_spares()
    try:
        _spare_ready()
        seen = Seen()
        result = run_code(THREE_LINES, preload=("numpy",), use_spare=True,
                          watch=OutputWatch(seen))
        assert result.spare and result.reason is None, result.stderr
        assert seen.contents == [b"one\n", b"two\n", b"three\n"]
    finally:
        spare.shutdown_spares()


READ_ONCE = """
import os
path = os.environ["SANDBOX_OUT"] + "/secret.json"
with open(path, "rb") as handle:
    data = handle.read()
os.unlink(path)
print(data.decode(), oct(os.stat(os.environ["SANDBOX_OUT"]).st_mode & 0o777))
print(os.path.exists(path))
"""


@pytest.mark.usefixtures("sandbox_mode")
def test_a_read_once_file_is_there_for_the_guest_to_read_and_delete() -> None:
    result = run_code(READ_ONCE, read_once_files={"secret.json": b'{"hidden": 1}'})
    assert result.reason is None, result.stderr
    assert result.stdout.splitlines() == [b'{"hidden": 1} 0o700', b"False"]
    assert "secret.json" not in result.files


def test_a_spare_run_gets_its_read_once_files() -> None:
    spare.shutdown_spares()
    try:
        _spare_ready()
        result = run_code(READ_ONCE, preload=("numpy",), use_spare=True,
                          read_once_files={"secret.json": b"s"})
        assert result.spare and result.reason is None, result.stderr
        assert result.stdout.splitlines()[-1] == b"False"
    finally:
        spare.shutdown_spares()


def test_a_read_once_file_name_is_a_plain_name() -> None:
    with pytest.raises(ValueError, match="plain name"):
        run_code("pass", read_once_files={"sub/secret.json": b"s"})
