"""Memory profiling: peak and retained bytes of a call, and the peak RSS of a child process."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MemoryReport:
    peak_bytes: int      # most memory allocated at once during the call, above the start
    retained_bytes: int  # still allocated after the call and a garbage collection (result included)
    result: Any


def measure_memory(fn: Callable[..., Any], *args, **kwargs) -> MemoryReport:
    """Run ``fn(*args, **kwargs)`` under tracemalloc, which also sees numpy's array buffers."""
    gc.collect()
    started_here = not tracemalloc.is_tracing()
    if started_here:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        baseline, _ = tracemalloc.get_traced_memory()
        result = fn(*args, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
        gc.collect()
        current, _ = tracemalloc.get_traced_memory()
    finally:
        if started_here:
            tracemalloc.stop()
    return MemoryReport(peak - baseline, max(current - baseline, 0), result)


@dataclass(frozen=True)
class ChildReport:
    returncode: int
    peak_rss_bytes: int  # the largest resident set of the child, measured by the kernel


# Linux starts a forked child's peak-RSS record at its parent's resident size, so a large
# parent would hide a small child. A tiny trampoline process runs the command and reports
# only its own children's peak (RUSAGE_CHILDREN), whose floor is the trampoline's size.
_TRAMPOLINE = """
import os, resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
os.write(int(sys.argv[1]), b"%d %d" % (code, peak))
"""


def child_peak_rss(argv: Sequence[str], **popen_kwargs) -> ChildReport:
    """Run a child process to completion; read its peak RSS from outside (kernel rusage)."""
    read_end, write_end = os.pipe()
    try:
        trampoline = [sys.executable, "-I", "-S", "-c", _TRAMPOLINE, str(write_end), *argv]
        with subprocess.Popen(trampoline, pass_fds=(write_end,), **popen_kwargs) as process:
            os.close(write_end)
            write_end = -1
            report = os.read(read_end, 64).split()
            process.wait()
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)
    returncode, max_rss_kib = (int(field) for field in report)
    return ChildReport(returncode, max_rss_kib * 1024)  # ru_maxrss is in KiB on Linux
