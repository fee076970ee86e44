"""How much memory a call needs on a student's own machine: its peak above the start, as
tracemalloc counts it.

`autograder test` (harness/run.py) measures the submission's call with it, and the judges
measure the reference solution's call with it (grader/grading/trusted.py, stored in the
student package): the two peaks compare. tracemalloc counts the bytes the call itself
allocates (numpy reports its array buffers to it), from zero at the call's start, whatever
the process already holds.

In the grader tracemalloc would be the student's to patch: there the warden reads the
kernel's peak resident size of a process that ran nothing but the measured call, from outside
it (harness/warden.py), for the submission and the reference alike.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class MemoryReport:
    peak_bytes: int      # most memory allocated at once during the call, above the start
    retained_bytes: int  # still allocated after the call and a collection (result included)
    result: Any


def measure_memory(fn: Callable[..., Any], *args, **kwargs) -> MemoryReport:
    """Run ``fn(*args, **kwargs)`` under tracemalloc; its peak and retained bytes."""
    gc.collect()  # garbage of earlier work must not be freed (or counted) inside the call
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
