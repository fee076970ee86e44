"""How much of the machine one submission may take: a grading budget and per-test time limits.

A submission's code runs in one or more sandboxed processes (a process that dies is
replaced for the tests still to run). The budget bounds all of them together, so a loop,
a crash in every test or a file that ignores signals costs one budget, never a worker's
afternoon. Within it, each test gets a limit of CPU time derived from what the reference
solution needs on that test, so that a loop in every test costs seconds. CPU time, not the
wall clock: at a deadline the machine is loaded, and correct code must not be cut off
because its neighbours are busy (the budget's wall clock is the generous outer bound).
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass

from grader.grading.sandbox import Limits

# A test may take this many times what the reference needs there (a loaded machine, a
# correct but plainer implementation), and never less than the floor (start-up noise). The
# reference needs at most 4 ms of CPU on every small test (docs/grading.md), so the floor
# leaves a plainer solution 60 times as much, and a loop in every test costs a quarter
# second per test instead of half a second.
CASE_TIME_FACTOR = 10.0
CASE_TIME_FLOOR = 0.25


@dataclass(frozen=True)
class Budget:
    """What one grading may spend on the submission's code, every rerun included."""

    wall_seconds: float = 60.0
    cpu_seconds: float = 30.0

    def __post_init__(self) -> None:
        if self.wall_seconds <= 0 or self.cpu_seconds <= 0:
            raise ValueError("a grading budget must be positive")

    def describe(self) -> str:
        return f"{self.wall_seconds:g} s ({self.cpu_seconds:g} s of CPU time)"


class BudgetClock:
    """What is left of a budget as the sandboxed runs spend it."""

    def __init__(self, budget: Budget):
        self.budget = budget
        self.started = time.monotonic()
        self.cpu_spent = 0.0

    def wall_left(self) -> float:
        return self.budget.wall_seconds - (time.monotonic() - self.started)

    def cpu_left(self) -> float:
        return self.budget.cpu_seconds - self.cpu_spent

    def spent(self) -> bool:
        # Below a second nothing useful runs: starting Python with numpy takes about that.
        return self.wall_left() < 1.0 or self.cpu_left() < 1.0

    def charge(self, cpu_seconds: float) -> None:
        self.cpu_spent += cpu_seconds

    def limits_for_next_run(self, limits: Limits) -> Limits:
        """The assignment's limits for one run, cut down to what the budget still allows."""
        return dataclasses.replace(
            limits,
            wall_seconds=min(limits.wall_seconds, self.wall_left()),
            cpu_seconds=max(1, min(limits.cpu_seconds, math.floor(self.cpu_left()))),
        )


def case_time_limit(declared: float, reference_seconds: float | None) -> float:
    """A test's CPU-time limit: a multiple of the reference's, floored, capped by the case."""
    if reference_seconds is None:
        return declared
    return round(min(declared, max(CASE_TIME_FLOOR, CASE_TIME_FACTOR * reference_seconds)), 3)
