"""Graphs as JSON data: how test graphs enter the sandbox and gradient graphs leave it.

Runs on both sides of the sandbox, so it imports only the standard library, numpy and
the kit. A graph's nodes are listed in topological order, a node referring only to earlier
indices, as flat columns rather than one list per node (a graph crosses up to three
processes as JSON, and decoding costs per object made: columns of small integers decode
about three times faster than a list, a list of inputs, a dict and a string per node):

    {"ops": [op names], "op": [each node's op, an index into "ops"],
     "arity": [each node's number of inputs], "inputs": [every node's inputs, in order],
     "attrs": [[position, attrs], ...], "names": [[position, name], ...]}

where a position counts the nodes of these records from 0, and an input index counts the
``known`` nodes first. Deserialising rebuilds nodes with the kit's own op objects, so a
graph that comes back from student code can be evaluated by the trusted engine without
running any of the student's code.
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
              max_nodes: int = 2_000_000) -> tuple[dict, dict[ad.Node, int]]:
    """Encode every node the roots depend on that ``known`` does not already index.

    Returns the new nodes' records and the index of every node (known ones included);
    new indices continue after the known ones. Raises GraphFormatError for anything
    that is not a Node of a kit op.
    """
    index = dict(known or {})
    roots = list(roots)
    for root in roots:
        if not isinstance(root, ad.Node):
            raise GraphFormatError(f"expected a Node, got {type(root).__name__}")
    op_names: list[str] = []
    op_numbers: dict[str, int] = {}
    ops, arity, inputs, attrs, names = [], [], [], [], []
    for position, node in enumerate(_topological_sort_excluding(roots, index)):
        op_name = KIT_OP_TYPES.get(type(node.op))
        if op_name is None:
            raise GraphFormatError(
                f"node {node.name!r} uses op {type(node.op).__name__}, which is not a kit op")
        if len(index) >= max_nodes:
            raise GraphFormatError(f"the graph has more than {max_nodes} nodes")
        for inp in node.inputs:
            if not isinstance(inp, ad.Node):
                raise GraphFormatError(f"node {node.name!r} has an input that is not a Node")
            inputs.append(index[inp])
        number = op_numbers.get(op_name)
        if number is None:
            number = op_numbers[op_name] = len(op_names)
            op_names.append(op_name)
        ops.append(number)
        arity.append(len(node.inputs))
        if node.attrs or node.op is _graph.VARIABLE:
            attrs.append([position, _encode_attrs(node)])
        if not node.inputs:  # only leaves carry their names: interior ones are derived
            names.append([position, str(node.name)[:80]])
        index[node] = len(index)
    return ({"ops": op_names, "op": ops, "arity": arity, "inputs": inputs, "attrs": attrs,
             "names": names}, index)


def node_count(records: dict) -> int:
    """How many nodes ``records`` describe."""
    return len(records["op"])


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


def deserialize(records: dict, known: Sequence[ad.Node] = (),
                budget: Budget | None = None) -> list[ad.Node]:
    """Rebuild nodes from records; indices below len(known) refer to ``known``."""
    budget = budget or Budget()
    op_names, ops, arity, inputs, attrs, names = _columns(records, budget)
    kit_ops = []
    for name in op_names:
        if type(name) is not str or name not in KIT_OPS:
            raise GraphFormatError(f"{str(name)[:40]!r} is not a kit op")
        kit_ops.append(KIT_OPS[name])
    nodes = list(known)
    taken = 0
    for position, (number, count) in enumerate(zip(ops, arity)):
        try:
            op = kit_ops[number]
            built = len(nodes)
            node_inputs = inputs[taken:taken + count]
            taken += count
            for i in node_inputs:  # a plain loop: this runs once per node of large graphs
                if type(i) is not int or not 0 <= i < built:
                    raise GraphFormatError(f"record {position} refers to an unknown node")
            node = _build(op, [nodes[i] for i in node_inputs], attrs.get(position, _NO_ATTRS),
                          names.get(position))
            budget.charge(node)
        except GraphFormatError:
            raise
        except (KeyError, TypeError, ValueError, OverflowError, IndexError) as exc:
            raise GraphFormatError(f"record {position} is malformed: {exc}") from None
        nodes.append(node)
    return nodes


_NO_ATTRS: dict = {}
_COLUMNS = ("ops", "op", "arity", "inputs", "attrs", "names")


def _columns(records, budget: Budget) -> tuple:
    """The records' columns, each checked for what the rebuild relies on."""
    if not isinstance(records, dict) or set(records) != set(_COLUMNS) \
            or not all(isinstance(records[key], list) for key in _COLUMNS):
        raise GraphFormatError(f"records must be an object of the lists {', '.join(_COLUMNS)}")
    op_names, ops, arity, inputs = (records[key] for key in _COLUMNS[:4])
    if len(ops) > budget.max_nodes:
        raise GraphFormatError(f"the graph has more than {budget.max_nodes} nodes")
    if len(arity) != len(ops):
        raise GraphFormatError("records give an op and a number of inputs for different nodes")
    for column in (ops, arity):
        if not all(type(value) is int and value >= 0 for value in column):
            raise GraphFormatError("records' op and arity columns must hold counts")
    if any(number >= len(op_names) for number in ops):
        raise GraphFormatError("a node names an op the records do not list")
    if sum(arity) != len(inputs):
        raise GraphFormatError("records' inputs do not match their nodes' numbers of inputs")
    return (op_names, ops, arity, inputs,
            _by_position(records["attrs"], dict, len(ops), "attrs"),
            {position: str(name) or None
             for position, name in _by_position(records["names"], str, len(ops),
                                                "names").items()})


def _by_position(pairs: list, kind: type, count: int, column: str) -> dict:
    found = {}
    for pair in pairs:
        if not (isinstance(pair, list) and len(pair) == 2 and type(pair[0]) is int
                and 0 <= pair[0] < count and isinstance(pair[1], kind)):
            raise GraphFormatError(f"records' {column} must be [position, {kind.__name__}] "
                                   "pairs of the records' nodes")
        found[pair[0]] = pair[1]
    return found


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
        if shape is not None and not (isinstance(shape, list)
                                      and all(type(d) is int and d >= 0 for d in shape)):
            raise GraphFormatError(f"a variable's shape must be a list of sizes, not {shape!r:.40}")
        return ad.variable(name, None if shape is None else tuple(shape))
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
