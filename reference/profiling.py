"""Memory profiling: peak and retained bytes of a call, and the peak RSS of a child process."""

from __future__ import annotations

import gc
import os
import subprocess
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


def child_peak_rss(argv: Sequence[str], **popen_kwargs) -> ChildReport:
    """Run a child process to completion and read its peak RSS from outside (wait4's rusage)."""
    process = subprocess.Popen(list(argv), **popen_kwargs)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return ChildReport(process.returncode, usage.ru_maxrss * 1024)  # ru_maxrss is in KiB on Linux
