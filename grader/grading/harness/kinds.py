"""Which runner handles the cases of each kind of assignment.

A registry of kinds, not of assignments: a manifest names its assignment's kind, so an
assignment of an existing kind is added without touching this (assignments/README.md).

A runner is a module with ``run_case(entry, case) -> record fields`` for every case, and,
for a kind whose cases measure (growth, memory), the steps the warden measures from outside:
``growth_call(entry, graph)``, ``growth_failed(result)`` and ``memory_call(entry, case)``
(harness/warden.py).
"""

from . import autodiff_runner, backprop_runner, numerical_runner, tests_runner

RUNNERS = {
    "autodiff": autodiff_runner,
    "backprop": backprop_runner,
    "numerical": numerical_runner,
    "tests": tests_runner,  # instructor-written tests (grader/grading/tests_cases.py)
}

MEASURED_CHECKS = ("growth", "memory")  # the checks whose figures the warden measures
