"""Which runner handles the cases of each kind of assignment: found by its name, not listed.

The runner of kind ``K`` is the module ``K_runner`` beside this one (``autodiff`` runs in
autodiff_runner.py, ``tests`` in tests_runner.py). The kinds themselves are registered once,
in the grading core (grader/grading/kinds.py), which the harness cannot import: a new kind
adds its runner module here and nothing else in the harness.

A runner is a module with ``run_case(entry, case) -> record fields`` for every case, and,
for a kind whose cases measure (growth, memory), the steps the warden measures from outside:
``growth_call(entry, graph)``, ``growth_failed(result)`` and ``memory_call(entry, case)``
(harness/warden.py).
"""

from __future__ import annotations

import importlib
from types import ModuleType

MEASURED_CHECKS = ("growth", "memory")  # the checks whose figures the warden measures
RUNNER_SUFFIX = "_runner"


class UnknownRunner(LookupError):
    """No runner module answers to this kind's name."""

    def __str__(self) -> str:
        return str(self.args[0])


def runner_module_name(kind: str) -> str:
    """The runner's module name, beside this one; refuses a kind that is not a plain name
    (a job names its kind, and a dotted or odd name must not reach another module)."""
    if not isinstance(kind, str) or not (kind.isascii() and kind.isidentifier()) \
            or kind.startswith("_"):
        raise UnknownRunner(f"the kind {kind!r} is not a name a runner module can have")
    return f"{__package__}.{kind}{RUNNER_SUFFIX}"


def runner(kind: str) -> ModuleType:
    """The module that runs the cases of ``kind`` (harness/<kind>_runner.py)."""
    name = runner_module_name(kind)
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:  # the runner exists and imports something missing: its own bug
            raise
        raise UnknownRunner(f"no runner for the kind {kind!r}: harness/{kind}{RUNNER_SUFFIX}.py "
                            "does not exist") from None
