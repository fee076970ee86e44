"""How much memory a call needs: its peak above the start, as tracemalloc counts it.

The one way a memory figure is made for a judge: the harness measures the submission's call
with it in the sandbox, the judges measure the reference solution's call with it outside
(grader/grading/trusted.py), and the judge compares the two peaks.

tracemalloc, not the process's resident size: it counts the bytes the call itself allocates
(numpy reports its array buffers to it), from zero at the call's start, whatever the
interpreter, the kit or earlier cases already hold; the resident size (``ru_maxrss``) is the
whole process's high-water mark, which never goes down, so it cannot tell one call from the
cases before it. The sandbox still reports the process's peak resident size, as what it is:
the process against its memory limit (grader/grading/sandbox/supervise.py).
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
