"""A case as JSON data, with its reference results: how visible cases travel to students.

``snapshot`` runs a case's reference computations on the trusted side (adjoints and
partial adjoints at its points, graph sizes, memory, expected derivatives) and stores
their results beside the case's fields and payload. ``restore`` rebuilds a case of the
same class from that data, its graphs from their records, with those results already
in place, so it judges a record exactly as the grader does and never needs the
reference solutions. Only the results are shipped, never the code that makes them.

An instructor-written test (the `tests` kind) is code: its snapshot names its function,
which the package ships in the assignment's tests.py (visible tests only), and holds the
calls it made on the reference solution.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

import numpy as np

from grader.grading.harness import graphio

from .kinds import kind as kind_named
from .numerical_cases import NumericalCase
from .tests_cases import InstructorTest, Recording

_CALLABLE_FIELDS = {"build", "function"}


def snapshot(case, kind: str) -> dict:
    """The case as JSON data: its fields, its payload and the reference results it needs."""
    fields = {f.name: _plain(getattr(case, f.name)) for f in dataclasses.fields(case)
              if f.name not in _CALLABLE_FIELDS}
    if isinstance(case, NumericalCase) and isinstance(case.function, dict):
        fields["function"] = case.function
    if isinstance(case, InstructorTest):
        fields["function"] = case.function.__name__  # defined in the shipped tests.py
    return {"kind": kind, "fields": fields, "payload": case.payload(),
            "reference": {name: _encode(name, getattr(case, name), case)
                          for name in case.snapshot_needs()}}


def restore(data: dict, test_functions: Mapping[str, Callable] | None = None):
    """A case of the snapshot's class, judging with the stored reference results.

    test_functions: for an instructor-written test, the test functions of the assignment's
    tests.py by name (the one its snapshot names is the test's code).
    """
    cls, payload = kind_named(data["kind"]).case_class, data["payload"]
    fields = dict(data["fields"])
    if cls is InstructorTest:
        fields["function"] = (test_functions or {})[fields["function"]]
        case = cls(**fields)
    elif cls is NumericalCase:
        if "function" not in fields:
            spec = payload["function"]
            fields["function"] = lambda: _engine(spec)
        case = cls(**fields)
        case.__dict__["point"] = _frozen(graphio.decode_array(payload["x"]))
    else:
        fields["build"] = _builder(payload, fields.get("sizes", ()))
        case = cls(**fields)
    case.__dict__["_payload"] = payload
    for name, value in data["reference"].items():
        case.__dict__[name] = _decode(name, value, case)
    return case


# -- graphs from their records ----------------------------------------------------------
def _builder(payload: dict, sizes):
    if payload["check"] == "growth":
        graphs = dict(zip(sizes, payload["graphs"]))

        def build(size):
            return graphio.deserialize(graphs[size]["records"])[graphs[size]["out"]]

        return build
    return lambda: graphio.deserialize(payload["graph"])[payload["out"]]


def _engine(spec: dict):
    nodes = graphio.deserialize(spec["records"])
    return nodes[spec["out"]], nodes[spec["x"]]


# -- reference results as JSON ----------------------------------------------------------
def _encode(name: str, value, case):
    array = graphio.encode_array
    if name == "reference_points":
        position = case.graph.position
        return [{"feed": {str(position[node]): array(v) for node, v in feed.items()},
                 "expected": {str(p): array(v) for p, v in expected.items()},
                 "partials": {str(p): [[c, array(v)] for c, v in edges]
                              for p, edges in partials.items()}}
                for feed, expected, partials in value]
    if name == "reference_growth":
        return [{str(p): array(v) for p, v in adjoints.items()} for adjoints in value]
    if name == "reference_estimates":
        return [[h, array(v)] for h, v in value.items()]
    if name == "recording":
        return value.shipped()
    if name in ("analytic",):
        return array(value)
    if name == "higher_order_expected":
        return [array(v) for v in value]
    return _plain(value)  # sizes and byte counts


def _decode(name: str, value, case):
    array = graphio.decode_array
    if name == "reference_points":
        order = case.graph.order
        return [({order[int(p)]: array(v) for p, v in point["feed"].items()},
                 {int(p): array(v) for p, v in point["expected"].items()},
                 {int(p): [(int(c), array(v)) for c, v in edges]
                  for p, edges in point["partials"].items()})
                for point in value]
    if name == "reference_growth":
        return [{int(p): array(v) for p, v in adjoints.items()} for adjoints in value]
    if name == "reference_estimates":
        return {float(h): array(v) for h, v in value}
    if name == "recording":
        return Recording(value["calls"], value["problem"],
                         {int(number): peak for number, peak in value["traced_peaks"].items()})
    if name == "analytic":
        return array(value)
    if name == "higher_order_expected":
        return [array(v) for v in value]
    if name == "reference_memory" and isinstance(value, list):
        return tuple(value)
    return value


def _plain(value):
    """Tuples as lists, numpy numbers as Python numbers: JSON's types."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array
