"""How long a call takes: the fastest of a few calls, on a CPU clock.

The one way a call is timed (growth cases compare two such times; see
grader/grading/growth.py for how they are judged). Where the clock is read is the driver's:
in the grader, the warden reads the CPU clock of the process that runs the call from outside
it (harness/warden.py: the student's code cannot reach that clock); on a student's own
machine, the process reads its own (``in_process``).

- CPU time, not wall time: a grading shares the machine with other sandboxes and workers,
  and the wall clock also counts the time the process waits for a core, which says nothing
  about the submission. The sandbox runs numpy on one thread, so a process's CPU clock
  counts the call's own work. The cases' time limits are CPU time too: one clock for both.
- The fastest of a few calls, not the median: noise only ever adds time (a cache evicted
  by a neighbour, a page fault, the first touch of a code path), so the fastest call is the
  nearest to what the code itself costs (the reasoning of ``timeit``'s documentation).
  Three calls let one disturbed call drop out.
- A call over ``LONG_CALL`` (0.1 CPU seconds) is not repeated. What varies in so long a
  time is the machine's state from one grading to the next (caches and cores shared with
  neighbours), which a repeat a moment later does not escape; the noise a repeat removes
  (a page fault, a timer tick) is milliseconds, a few percent of such a call. And a case's
  CPU limit is a multiple of what the reference needs on it (grader/grading/budget.py):
  repeating long calls would raise the limits, and let slow code spend more of a
  submission's budget before it is stopped.
- A call measured against a bar is timed until the verdict is known: a growth case passes
  the time above which its large graph would be judged too slow (``suspect_above``). A
  call at or under the bar ends the timing at once, however short (the fastest can only be
  faster: the verdict cannot change, so the repeats would be spent for nothing); a call
  over it is timed again, up to ``repeat`` calls, however long. On a machine at a deadline
  one call of correct code can be disturbed to several times its time; a repeat costs only
  code that already looks slow, and a case's CPU limit still bounds it. The verdict is the
  one the fastest of ``repeat`` calls would give.
- Every call hands back what it computed, and what is kept is what the fastest call
  computed: the judge checks it (a growth case's gradient graph is rebuilt, counted and
  evaluated), so the time that decides a verdict is always that of a call whose work was
  checked; a call that answers without doing the work fails the check.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

REPEAT = 3       # calls at most
LONG_CALL = 0.1  # CPU seconds: a call this long is timed once

# One timed call: (what it computed, CPU seconds it took). The argument says which call it
# is (0 for the first).
TimedCall = Callable[[int], tuple[Any, float]]


@dataclass(frozen=True)
class Timing:
    seconds: float  # CPU seconds of the fastest call
    calls: int      # how many calls were made
    result: Any     # what the fastest call computed


def fastest_of(timed_call: TimedCall, repeat: int = REPEAT, long_call: float = LONG_CALL,
                suspect_above: float | None = None) -> Timing:
    """Make up to ``repeat`` timed calls: the fastest CPU time and what that call computed.

    Without ``suspect_above``, a call over ``long_call`` ends the timing. With it (the time
    that would be judged slow), the timing ends at the first call at or under it.
    """
    kept, fastest, calls = None, float("inf"), 0
    while calls < max(1, repeat):
        result, seconds = timed_call(calls)
        calls += 1
        if seconds < fastest or calls == 1:
            kept, fastest = result, seconds
        del result  # a result is not kept alive during the next call
        if fastest <= suspect_above if suspect_above is not None else seconds > long_call:
            break
    return Timing(fastest, calls, kept)


def in_process(call: Callable[[], Any], keep: Callable[[Any], Any] = lambda result: result,
               ) -> TimedCall:
    """Timed calls of ``call()`` on this process's own CPU clock; ``keep`` (outside the
    timing, before the next call can change it) makes what a call computed into what is
    kept."""

    def timed_call(_number: int) -> tuple[Any, float]:
        result, seconds = _timed(call)
        return keep(result), seconds

    return timed_call


def fastest_call(call: Callable[[], Any], keep: Callable[[Any], Any] = lambda result: result,
                 **rules) -> Timing:
    """``fastest_of`` calls of ``call()`` timed in this process."""
    return fastest_of(in_process(call, keep), **rules)


def _timed(call: Callable[[], Any]) -> tuple[Any, float]:
    """The garbage collector runs before the call and not during it: a collection landing in
    one call and not in another would be charged to whichever call it fell in."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        started = time.process_time()
        result = call()
        seconds = time.process_time() - started
    finally:
        if was_enabled:
            gc.enable()
    return result, seconds


def growth_suspect(small: dict, nodes: int, rule: dict) -> float | None:
    """The time above which a graph of ``nodes`` nodes is judged too slow next to the
    small run ``small`` ({"nodes", "seconds"}), by the growth case's ``rule`` (its payload's
    max_growth, smallest_seconds and measurable_seconds: grader/grading/growth.py, whose
    judge applies this same bar); None without one. Slower than this is: over the
    measurable time, and grown more than max_growth times faster than the graph."""
    if "max_growth" not in rule:
        return None
    return max(rule["measurable_seconds"], rule["max_growth"] * nodes / small["nodes"]
               * max(small["seconds"], rule["smallest_seconds"]))


def time_growth(case: dict, timed_calls: Callable[[int], TimedCall],
                failed: Callable[[Any], bool]) -> dict:
    """A growth case's runs: the graphs of ``case["graphs"]`` in order, each timed with
    ``fastest_of(timed_calls(graph number))``; the first result that ``failed`` ends it."""
    runs = []
    for number, graph in enumerate(case["graphs"]):
        nodes = graph["nodes"]
        suspect = growth_suspect(runs[0], nodes, case) if runs else None
        timing = fastest_of(timed_calls(number), suspect_above=suspect)
        if failed(timing.result):
            return timing.result
        runs.append({**timing.result, "nodes": nodes, "seconds": timing.seconds,
                     "calls": timing.calls})
    return {"runs": runs}
