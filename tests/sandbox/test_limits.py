"""Each limit of Limits, enforced one at a time, under bubblewrap and in the fallback.

Guests find their tmp and output dirs through TMPDIR and SANDBOX_OUT (the fallback has no
mounts, so /tmp and /sandbox/out are the host's there).
"""

from __future__ import annotations

import dataclasses
import json
import resource

import pytest

from .helpers import FAST_LIMITS, run_code, surviving_sandbox_processes

pytestmark = pytest.mark.usefixtures("sandbox_mode")


def limited(**changes):
    return dataclasses.replace(FAST_LIMITS, **changes)


def test_wall_clock_limit_kills_a_sleeper() -> None:
    result = run_code("import time\ntime.sleep(60)", limits=limited(wall_seconds=1.0))
    assert result.reason == "timeout" and result.timed_out
    assert result.signal == 9
    assert 1.0 <= result.wall_seconds < 3.0
    assert surviving_sandbox_processes() == {}


def test_cpu_limit_stops_a_busy_loop() -> None:
    result = run_code("while True: pass", limits=limited(cpu_seconds=1, wall_seconds=20.0))
    assert result.reason == "cpu-time" and result.timed_out
    # The kernel stops it at 1 s; the rusage read back can be a few ticks short (0.94 s seen
    # in the fallback, which reaps the guest itself; bwrap's own time is added under bwrap).
    assert 0.9 <= result.cpu_seconds < 3.5


def test_memory_limit_refuses_a_big_allocation() -> None:
    result = run_code(
        """
        import numpy
        small = numpy.ones(100 << 17)  # 100 MiB fits
        small.sum()
        print("small ok", flush=True)
        big = numpy.ones(100 << 20)  # 800 MiB does not
        """,
        limits=limited(memory_bytes=512 << 20))
    assert result.reason == "memory-limit"
    assert result.exit_code == 1 and b"MemoryError" in result.stderr
    assert result.stdout == b"small ok\n"


def test_process_limit_caps_forks() -> None:
    result = run_code(
        """
        import os, time
        children = 0
        for _ in range(50):
            try:
                if os.fork() == 0:
                    time.sleep(5)
                    os._exit(0)
                children += 1
            except OSError:
                break
        print(children)
        """,
        limits=limited(processes=5))
    assert result.reason is None
    assert int(result.stdout) == 4  # the main process is the fifth
    assert surviving_sandbox_processes() == {}


def test_file_size_limit() -> None:
    result = run_code(
        """
        import errno, os
        try:
            with open(os.environ["TMPDIR"] + "/big", "wb") as handle:
                handle.write(b"x" * (3 << 20))
        except OSError as error:
            print(errno.errorcode[error.errno])
        """,
        limits=limited(file_bytes=1 << 20, tmp_bytes=8 << 20))
    assert result.stdout == b"EFBIG\n"


def test_open_files_limit() -> None:
    result = run_code(
        """
        handles = []
        try:
            while True:
                handles.append(open("/dev/null"))
        except OSError as error:
            print(len(handles), error.errno)
        """,
        limits=limited(open_files=32))
    count, error = map(int, result.stdout.split())
    assert error == 24 and 20 < count < 32  # EMFILE, counting the interpreter's own fds


def test_output_is_truncated_and_flagged() -> None:
    result = run_code(
        """
        import sys
        sys.stdout.write("o" * 30_000)  # 3x the cap: kept short, not killed
        sys.stderr.write("e" * 30_000)
        """,
        limits=limited(output_bytes=10_000))
    assert result.reason is None and result.exit_code == 0
    assert result.output_truncated
    assert result.stdout == b"o" * 10_000 and result.stderr == b"e" * 10_000


def test_endless_output_is_killed() -> None:
    result = run_code("while True: print('spam' * 1000)", limits=limited(output_bytes=10_000))
    assert result.reason == "output-limit" and result.output_truncated
    assert len(result.stdout) == 10_000
    assert result.wall_seconds < 3


def test_tmp_is_size_capped() -> None:
    result = run_code(
        """
        import errno, os
        written = 0
        try:
            for index in range(100):
                with open(os.environ["TMPDIR"] + f"/chunk{index}", "wb") as handle:
                    handle.write(b"x" * (512 << 10))
                written += 512 << 10
        except OSError as error:
            print(written, errno.errorcode[error.errno])
        """,
        limits=limited(tmp_bytes=2 << 20))
    written, error = result.stdout.split()
    assert error == b"ENOSPC" and int(written) <= 2 << 20


def test_output_dir_is_capped_at_result_bytes() -> None:
    result = run_code(
        """
        import errno, json, os
        sizes = []
        try:
            for index in range(10):
                with open(os.environ["SANDBOX_OUT"] + f"/part{index}", "wb") as handle:
                    handle.write(b"r" * (300 << 10))
                sizes.append(index)
        except OSError as error:
            print(json.dumps([sizes, errno.errorcode[error.errno]]))
        """,
        limits=limited(result_bytes=1 << 20))
    written, error = json.loads(result.stdout)
    assert error == "ENOSPC" and len(written) == 3
    assert sum(map(len, result.files.values())) <= 1 << 20
    assert {f"part{i}" for i in written} <= set(result.files)


def test_peak_rss_of_a_guest_larger_than_the_supervisor_is_measured() -> None:
    own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    size = own_peak + (150 << 20)
    result = run_code(
        f"""
        import numpy
        block = numpy.ones({size} // 8)  # touched, so resident
        print(int(block.sum()))
        """,
        # Touching pytest's own peak and more (most of a GiB late in the suite) takes seconds
        # of CPU on a loaded machine: more than the fast limits allow.
        limits=limited(memory_bytes=size + (768 << 20), cpu_seconds=20, wall_seconds=60))
    assert result.reason is None, result.stderr
    assert size <= result.peak_rss_bytes < size + (300 << 20)
