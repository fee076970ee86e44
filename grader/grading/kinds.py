"""The kinds of assignment: one record each, the one place that says what a kind is made of.

A manifest names its assignment's kind; everything that depends on the kind asks here: the
case class whose objects the assignment's ``cases.py`` (or, for instructor-written tests,
``tests.py``) makes (its payload for the sandbox, its judge, whether and how the student
package judges it locally), and the harness
runner that runs its cases in the sandbox (grader/grading/harness/kinds.py, the sandbox's
side of this registry: the harness cannot import the core). A new kind is a case class, a
runner module and one entry in each registry (docs/architecture.md).
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
    class_name: str        # its case class: payload(), judge(record)
    # Whether the student package judges its visible cases on a student's machine: its case
    # class travels as a snapshot (snapshot_needs(); grader/grading/snapshots.py). The
    # package ships only these kinds' modules, so a kind's module is imported when asked
    # for, not with the registry.
    tested_locally: bool = True

    @property
    def case_class(self) -> type:
        """What the folder's cases build."""
        return getattr(importlib.import_module(f"{__package__}.{self.module}"), self.class_name)

    @property
    def runner(self) -> ModuleType:
        """The harness module that runs this kind's cases (in the sandbox or on a student's
        machine)."""
        return harness_kinds.RUNNERS[self.name]


KINDS = {kind.name: kind for kind in (
    Kind("autodiff", "autodiff_cases", "AutodiffCase"),
    Kind("backprop", "backprop_cases", "BackpropCase"),
    Kind("numerical", "numerical_cases", "NumericalCase"),
    # Instructor-written tests: judged by the instructor's code, which also holds the hidden
    # tests, so it never ships to students.
    Kind("tests", "tests_cases", "InstructorTest", tested_locally=False),
)}


class UnknownKind(KeyError):
    def __str__(self) -> str:
        return f"unknown assignment kind {self.args[0]!r} (known: {', '.join(KINDS)})"


def kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise UnknownKind(name) from None
