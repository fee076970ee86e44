"""What each test case of an assignment is like: the graph features a misconception shows on.

A failed test's category says what is wrong; the case's features say where it shows: a
node used by several consumers (fan-out), a shared interior node, a derivative of a
derivative, a non-scalar output, broadcasting, a large graph. They are read from the
assignment's own case definitions (its cases.py), never from a submission's output, so a
profile is the same for every student and is worked out once per process.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

# Feature ids, in the map's column order, with the words a page shows for each.
FEATURES = {
    "fan-out": "fan-out (a node with several output edges)",
    "shared-interior": "shared interior node",
    "higher-order": "higher-order (gradient of a gradient)",
    "non-scalar-output": "non-scalar output",
    "broadcasting": "broadcasting",
    "large-graph": "large graph (scale, growth and memory tests)",
    "repeat-call": "the same call twice",
    "scalar-input": "scalar input",
    "non-scalar-input": "vector or matrix input",
    "engine-graph": "function given as a graph",
    "several-steps": "several step sizes h",
    "plain": "none of these (a plain graph)",
    "unknown-case": "a test no longer in cases.py",
}
ELEMENTWISE = {"add", "sub", "mul", "div"}
DRAWABLE_NODES = 40  # larger graphs are not drawn: a picture of them explains nothing


@dataclass(frozen=True)
class CaseProfile:
    """One case: its place, who may see it, how large it is and its features."""

    name: str
    number: int                    # its position in cases.py, from 1 (the test's number)
    visibility: str
    size: int                      # nodes of its graph (numerical: entries of x)
    features: tuple[str, ...]
    case: Any = field(default=None, compare=False, repr=False)

    @property
    def graph(self):
        """The case's forward graph (graph cases only), as the judge built it."""
        return getattr(self.case, "graph", None) if self.has_graph else None

    @property
    def has_graph(self) -> bool:
        return getattr(self.case, "check", None) in ("adjoints", "repeat", "higher-order")

    @property
    def drawable(self) -> bool:
        return self.has_graph and self.size <= DRAWABLE_NODES


UNKNOWN_CASE = CaseProfile("?", 10**9, "hidden", 10**9, ("unknown-case",))

_profiles: dict[Path, dict[str, CaseProfile]] = {}
_lock = threading.Lock()


def case_profiles(assignment) -> dict[str, CaseProfile]:
    """Every case of the assignment by test name (empty for an assignment without cases.py)."""
    folder = getattr(assignment, "folder", None)
    if folder is None or not (Path(folder) / "cases.py").is_file():
        return {}
    with _lock:
        if folder not in _profiles:
            _profiles[folder] = {case.name: profile(number, case)
                                 for number, case in enumerate(assignment.cases(), start=1)}
        return _profiles[folder]


def profile_of(profiles: dict[str, CaseProfile], test_name: str) -> CaseProfile:
    """The profile of the case a test of a result document ran (unknown if it was removed)."""
    return profiles.get(test_name, UNKNOWN_CASE)


def profile(number: int, case) -> CaseProfile:
    if hasattr(case, "check"):
        size, features = graph_features(case)
    else:
        size, features = numerical_features(case)
    return CaseProfile(case.name, number, case.visibility, size, features or ("plain",), case)


def graph_features(case) -> tuple[int, tuple[str, ...]]:
    """Size and features of a graph case (growth and memory cases are large by purpose)."""
    # Imported here: the web loads the judges' modules only once it reads an assignment's
    # cases (tests/architecture/test_imports.py), and the scale bound has one home.
    from grader.grading.graph_cases import SCALE_NODES

    if case.check in ("growth", "memory"):
        return SCALE_NODES, ("large-graph",)
    graph = case.graph
    order, out = graph.order, graph.order[graph.out]
    edges: dict[int, int] = {}
    for node in order:
        for inp in node.inputs:  # x * x: two output edges of x
            edges[id(inp)] = edges.get(id(inp), 0) + 1
    found = []
    if any(count >= 2 for count in edges.values()):
        found.append("fan-out")
    if any(node.inputs and node is not out and edges.get(id(node), 0) >= 2 for node in order):
        found.append("shared-interior")
    if case.check == "higher-order":
        found.append("higher-order")
    if out.shape is not None and tuple(out.shape) != ():
        found.append("non-scalar-output")
    if any(broadcasts(node) for node in order):
        found.append("broadcasting")
    if len(order) >= SCALE_NODES:
        found.append("large-graph")
    if case.check == "repeat":
        found.append("repeat-call")
    return len(order), tuple(found)


def broadcasts(node) -> bool:
    """Does an input of this node take a shape other than its own (numpy broadcasting)?"""
    if node.op.name == "broadcast_to":
        return True
    if node.op.name not in ELEMENTWISE or node.shape is None:
        return False
    return any(inp.shape is not None and tuple(inp.shape) != tuple(node.shape)
               for inp in node.inputs)


def numerical_features(case) -> tuple[int, tuple[str, ...]]:
    """Size (entries of x) and features of a numerical-differentiation case."""
    x = case.x
    shape = tuple(case.shape) if x is None else tuple(np.shape(x))
    found = ["scalar-input" if shape == () else "non-scalar-input"]
    if not isinstance(case.function, dict):
        found.append("engine-graph")
    if len(case.steps) > 1:
        found.append("several-steps")
    return max(1, math.prod(shape)), tuple(found)

