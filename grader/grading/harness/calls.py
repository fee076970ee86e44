"""Calls to a student's function as JSON data: the arguments that go in, the value that comes out.

The `tests` kind (tests_runner.py, and grader/grading/tests_cases.py on the trusted side)
records each call an instructor's test makes and replays it in the sandbox. Runs on both
sides, so it imports only numpy and the kit (through graphio).

A value is encoded as a tree: kit Nodes become ``{"node": i}``, an index into the graph
records that travel beside the value (graphio), numpy arrays ``{"array": ...}``, tuples
``{"tuple": [...]}``, dicts ``{"dict": [[key, value], ...]}``, lists, numbers, strings,
booleans and None as themselves; anything else ``{"foreign": type name}``, which the
trusted side reports and never rebuilds.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import graphio

MAX_DEPTH = 20


class CallFormatError(ValueError):
    """The data does not describe a value of the types a call may carry."""


def _nodes_in(value, found: list, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        return
    if isinstance(value, graphio.ad.Node):
        found.append(value)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _nodes_in(item, found, depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            _nodes_in(key, found, depth + 1)
            _nodes_in(item, found, depth + 1)


def encode(values, known: dict | None = None) -> tuple[list, Any, dict]:
    """(graph records, the encoded values, the index of every node) for ``values``.

    Nodes in ``known`` are referred to by their index there and not re-encoded; the new
    ones follow. Raises graphio.GraphFormatError for a Node that is not a kit op's.
    """
    roots: list = []
    _nodes_in(values, roots)
    records, index = graphio.serialize(roots, known=known)
    return records, _encode(values, index, 0), index


def _encode(value, index: dict, depth: int):
    if depth > MAX_DEPTH:
        return {"foreign": "a value nested too deeply"}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else {"array": graphio.encode_array(value)}
    if isinstance(value, graphio.ad.Node):
        return {"node": index[value]}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            return {"foreign": f"an array of {value.dtype}"}
        return {"array": graphio.encode_array(value)}
    if isinstance(value, list):
        return [_encode(item, index, depth + 1) for item in value]
    if isinstance(value, tuple):
        return {"tuple": [_encode(item, index, depth + 1) for item in value]}
    if isinstance(value, dict):
        return {"dict": [[_encode(key, index, depth + 1), _encode(item, index, depth + 1)]
                         for key, item in value.items()]}
    return {"foreign": type(value).__name__[:60]}


def decode(data, nodes) -> Any:
    """The value ``data`` encodes, its Nodes taken from ``nodes`` (graphio.deserialize's).

    Raises CallFormatError for data no encoding makes; a ``foreign`` entry becomes a
    Foreign, which says what the value was.
    """
    try:
        return _decode(data, nodes, 0)
    except graphio.GraphFormatError as exc:
        raise CallFormatError(str(exc)) from None
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise CallFormatError(f"a value is malformed: {exc}") from None


class Foreign:
    """A value of a type no call may carry (a string where a Node was due is a str, not this)."""

    def __init__(self, description: str) -> None:
        self.description = str(description)[:80]

    def __repr__(self) -> str:
        return f"<{self.description}>"


def _decode(data, nodes, depth: int):
    if depth > MAX_DEPTH:
        raise CallFormatError("a value is nested too deeply")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [_decode(item, nodes, depth + 1) for item in data]
    if not isinstance(data, dict) or len(data) != 1:
        raise CallFormatError("a value is malformed")
    (tag, body), = data.items()
    if tag == "node":
        if type(body) is not int or not 0 <= body < len(nodes):
            raise CallFormatError("a value refers to an unknown node")
        return nodes[body]
    if tag == "array":
        array = graphio.decode_array(body)
        return float(array) if array.ndim == 0 and not math.isfinite(array) else array
    if tag == "tuple":
        return tuple(_decode(item, nodes, depth + 1) for item in body)
    if tag == "dict":
        return {_decode(key, nodes, depth + 1): _decode(item, nodes, depth + 1)
                for key, item in body}
    if tag == "foreign":
        return Foreign(body)
    raise CallFormatError(f"a value has an unknown tag {tag!r}")
