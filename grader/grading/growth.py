"""When a growth case says "too slow": one rule for every assignment that times its calls.

A growth case times gradient() on a small and a large graph of the same shape (the harness
times each as grader/grading/harness/measure/timing.py says: the fastest of a few calls on
the CPU clock) and compares how much the time grew with how much the graph grew.

- Linear code takes about ``size_ratio`` times longer on the large graph; code that does
  work proportional to the graph for every node (a list searched per node, a sort redone
  in the loop) takes about ``size_ratio`` squared. With the sizes of ten times apart the
  cases use, the two are a factor of ten apart, and ``MAX_TIME_GROWTH`` sits between them:
  time may grow up to 3 times faster than the graph. Far enough above linear code that the
  noise left in a fastest-of-three CPU time, and the caches that large graphs overflow, do
  not fail it; far enough below quadratic code that its smallest possible excess (its
  quadratic part only starting to dominate on the small graph) is still caught. The
  figures measured on the assignments' reference solutions and their `too_slow` mutants
  are in docs/grading.md.
- A large graph that takes under ``MEASURABLE_SECONDS`` is not judged slow whatever the
  ratio: so short a time is too close to the clock's noise to carry a ratio, and code
  that fast is fast enough.
- The small graph's time is floored at ``SMALLEST_SECONDS``, so that a near-zero time does
  not turn into an enormous ratio.
"""

from __future__ import annotations

from grader.grading.harness.measure.timing import growth_suspect

from .outcome import Outcome, failed, passed

MAX_TIME_GROWTH = 3.0       # time may grow this many times faster than the graph
MEASURABLE_SECONDS = 0.05   # a large graph under this many CPU seconds is fast enough
SMALLEST_SECONDS = 1e-4     # the small graph's time is floored at this


def judge_growth(small: dict, large: dict, hint: str) -> Outcome:
    """too-slow when time grew superlinearly from the small run to the large one.

    Each run is a harness record's {"nodes": graph size, "seconds": CPU seconds}.
    """
    size_ratio = large["nodes"] / small["nodes"]
    time_ratio = large["seconds"] / max(small["seconds"], SMALLEST_SECONDS)
    # The rule's one home is the harness's bar, which stops retiming a call at or under it.
    if large["seconds"] > growth_suspect(small, large["nodes"], retiming_rule()):
        return failed("too-slow", f"{size_ratio:.0f}x more nodes took {time_ratio:.0f}x "
                      f"longer ({small['seconds']:.3f} s -> {large['seconds']:.3f} s): "
                      "gradient() should take time linear in the graph size.",
                      hint=hint, seconds=[small["seconds"], large["seconds"]])
    return passed(f"{size_ratio:.0f}x more nodes took {time_ratio:.1f}x longer")


def retiming_rule() -> dict:
    """What the harness needs to know when a large graph's time decides its verdict (payload
    fields read by harness/measure/timing.growth_suspect): this module's own factor, floor
    and measurable time."""
    return {"max_growth": MAX_TIME_GROWTH, "smallest_seconds": SMALLEST_SECONDS,
            "measurable_seconds": MEASURABLE_SECONDS}

