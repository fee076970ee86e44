"""Graphs as JSON data: how test graphs enter the sandbox and gradient graphs leave it.

Runs on both sides of the sandbox, so it imports only the standard library, numpy and
the kit. A graph is a list of nodes ``[op, [input indices], attrs, name]`` in
topological order; a node may only refer to earlier indices. Deserialising rebuilds
nodes with the kit's own op objects, so a graph that comes back from student code can
be evaluated by the trusted engine without running any of the student's code.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

import autodiff as ad
from autodiff import graph as _graph
from autodiff import ops as _ops


class GraphFormatError(ValueError):
    """The data does not describe a graph of kit ops."""


def _kit_ops() -> dict[str, ad.Op]:
    found = {op.name: op for op in vars(_ops).values() if isinstance(op, ad.Op)}
    found[_graph.VARIABLE.name] = _graph.VARIABLE
    found[_graph.CONSTANT.name] = _graph.CONSTANT
    return found


KIT_OPS = _kit_ops()
KIT_OP_TYPES = {type(op): name for name, op in KIT_OPS.items()}
_TUPLE_ATTRS = {"axes", "axis", "shape"}


def serialize(roots: Iterable[ad.Node], known: dict[ad.Node, int] | None = None,
              max_nodes: int = 2_000_000) -> tuple[list, dict[ad.Node, int]]:
    """Encode every node the roots depend on that ``known`` does not already index.

    Returns the new node records and the index of every node (known ones included);
    new indices continue after the known ones. Raises GraphFormatError for anything
    that is not a Node of a kit op.
    """
    index = dict(known or {})
    records = []
    roots = list(roots)
    for root in roots:
        if not isinstance(root, ad.Node):
            raise GraphFormatError(f"expected a Node, got {type(root).__name__}")
    for node in _topological_sort_excluding(roots, index):
        op_name = KIT_OP_TYPES.get(type(node.op))
        if op_name is None:
            raise GraphFormatError(
                f"node {node.name!r} uses op {type(node.op).__name__}, which is not a kit op")
        if len(index) >= max_nodes:
            raise GraphFormatError(f"the graph has more than {max_nodes} nodes")
        inputs = []
        for inp in node.inputs:
            if not isinstance(inp, ad.Node):
                raise GraphFormatError(f"node {node.name!r} has an input that is not a Node")
            inputs.append(index[inp])
        # Only leaves carry their names: interior names are derived, and making them costs.
        name = str(node.name)[:80] if not node.inputs else ""
        records.append([op_name, inputs, _encode_attrs(node), name])
        index[node] = len(index)
    return records, index


class Budget:
    """Bounds on what evaluating a graph may cost, checked on static shapes.

    A graph handed back by untrusted code is evaluated by the trusted engine, so a
    hostile one (a broadcast to 10^12 elements, a chain of huge matmuls) must be
    refused before any of it runs.
    """

    def __init__(self, max_nodes=2_000_000, max_elements=10**7, max_work=2 * 10**9):
        self.max_nodes, self.max_elements, self.max_work = max_nodes, max_elements, max_work
        self.work = 0

    def charge(self, node: ad.Node) -> None:
        if node.shape is None:
            return  # unknown shapes only come from unfed variables, which cannot be evaluated
        size = math.prod(node.shape)
        if size > self.max_elements:
            raise GraphFormatError(f"node {node.name!r} would hold {size} elements")
        work = size
        if node.op.name == "matmul" and node.inputs[0].shape is not None:
            work = size * int(node.inputs[0].shape[-1])
        self.work += work
        if self.work > self.max_work:
            raise GraphFormatError("evaluating the graph would cost too much work")


def deserialize(records: Sequence, known: Sequence[ad.Node] = (),
                budget: Budget | None = None) -> list[ad.Node]:
    """Rebuild nodes from records; indices below len(known) refer to ``known``."""
    if not isinstance(records, list):
        raise GraphFormatError("records must be a list")
    budget = budget or Budget()
    if len(records) > budget.max_nodes:
        raise GraphFormatError(f"the graph has more than {budget.max_nodes} nodes")
    nodes = list(known)
    for position, record in enumerate(records):
        try:
            op_name, inputs, attrs, name = record
            op = KIT_OPS[op_name]
            built = len(nodes)
            for i in inputs:  # a plain loop: this runs once per node of large graphs
                if type(i) is not int or not 0 <= i < built:
                    raise GraphFormatError(f"record {position} refers to an unknown node")
            node = _build(op, [nodes[i] for i in inputs], attrs, str(name) or None)
        except GraphFormatError:
            raise
        except (KeyError, TypeError, ValueError, OverflowError) as exc:
            raise GraphFormatError(f"record {position} is malformed: {exc}") from None
        budget.charge(node)
        nodes.append(node)
    return nodes


def encode_array(value) -> dict:
    array = np.asarray(value, dtype=np.float64)
    return {"shape": list(array.shape), "data": array.ravel().tolist()}


def decode_array(data) -> np.ndarray:
    if not isinstance(data, dict) or set(data) != {"shape", "data"}:
        raise GraphFormatError("an array must be {shape, data}")
    shape = tuple(int(d) for d in data["shape"])
    flat = np.asarray(data["data"], dtype=np.float64)
    if flat.ndim != 1 or flat.size != int(np.prod(shape)):
        raise GraphFormatError("array data does not match its shape")
    return flat.reshape(shape)


def _build(op: ad.Op, inputs: list[ad.Node], attrs: dict, name: str | None) -> ad.Node:
    if op is _graph.VARIABLE:
        shape = attrs.get("shape")
        node = ad.variable(name, None if shape is None else tuple(shape))
        return node
    if op is _graph.CONSTANT:
        return ad.constant(decode_array(attrs["value"]), name=name)
    if not attrs:
        return op.make_node(*inputs, name=name)
    decoded = {key: tuple(value) if key in _TUPLE_ATTRS and isinstance(value, list) else value
               for key, value in attrs.items()}
    return op.make_node(*inputs, name=name, **decoded)


def _encode_attrs(node: ad.Node) -> dict:
    if node.op is _graph.VARIABLE:
        return {"shape": None if node.shape is None else list(node.shape)}
    if node.op is _graph.CONSTANT:
        return {"value": encode_array(node.attrs["value"])}
    encoded = {}
    for key, value in node.attrs.items():
        if isinstance(value, tuple):
            value = [int(v) for v in value]
        elif isinstance(value, (np.integer, np.floating)):
            value = value.item()
        if value is not None and not isinstance(value, (bool, int, float, list)):
            raise GraphFormatError(f"node {node.name!r} has attribute {key!r} of a foreign type")
        encoded[key] = value
    return encoded


def _topological_sort_excluding(roots: list[ad.Node], known) -> list[ad.Node]:
    """Like ad.topological_sort, but stops at nodes already indexed."""
    order, visited = [], set(known)
    for root in roots:
        if root in visited:
            continue
        visited.add(root)
        stack = [(root, iter(root.inputs))]
        while stack:
            node, pending = stack[-1]
            for child in pending:
                if isinstance(child, ad.Node) and child not in visited:
                    visited.add(child)
                    stack.append((child, iter(child.inputs)))
                    break
            else:
                stack.pop()
                order.append(node)
    return order
