"""The kinds of assignment: one record each, the one place that says what a kind is made of.

A manifest names its assignment's kind; everything that depends on the kind asks here: the
case class whose objects the assignment's ``cases.py`` (or, for instructor-written tests,
``tests.py`` and ``hidden_tests.py``) makes (its payload for the sandbox, its judge, and the
snapshot the student package judges it from locally), and the harness runner that runs its
cases, the module ``grader/grading/harness/<kind>_runner.py``, which the harness finds by
the kind's name (harness/kinds.py: the harness cannot import the core, so it keeps no list
of its own). A new kind is a case class, a runner module and one entry here
(docs/architecture.md).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from grader.grading.harness import kinds as harness_kinds


@dataclass(frozen=True)
class Kind:
    name: str
    module: str            # the core module of its case class and judges (grader/grading/)
    class_name: str        # its case class: payload(), judge(record), snapshot_needs()

    @property
    def case_class(self) -> type:
        """What the folder's cases build. The student package ships the case modules of the
        kinds, so a kind's module is imported when asked for, not with the registry."""
        return getattr(importlib.import_module(f"{__package__}.{self.module}"), self.class_name)

    @property
    def runner(self) -> ModuleType:
        """The harness module that runs this kind's cases (in the sandbox or on a student's
        machine): harness/<name>_runner.py."""
        return harness_kinds.runner(self.name)


KINDS = {kind.name: kind for kind in (
    Kind("autodiff", "autodiff_cases", "AutodiffCase"),
    Kind("backprop", "backprop_cases", "BackpropCase"),
    Kind("numerical", "numerical_cases", "NumericalCase"),
    # Instructor-written tests: the visible ones (tests.py) ship to students with the test
    # kit; the hidden ones (hidden_tests.py) never do.
    Kind("tests", "tests_cases", "InstructorTest"),
)}


class UnknownKind(KeyError):
    def __str__(self) -> str:
        return f"unknown assignment kind {self.args[0]!r} (known: {', '.join(KINDS)})"


def kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise UnknownKind(name) from None
