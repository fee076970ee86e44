"""Nodes, ops and the graph walks every algorithm shares.

A Node is one value of a computation: the Op that computes it and the Nodes it
consumes. Building a node never evaluates anything. Nodes hash and compare by
identity, so they can key dictionaries such as ``node_to_grad``.
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Iterable, Sequence

import numpy as np

_node_ids = itertools.count()


class Node:
    """One vertex of a computation graph."""

    __slots__ = ("inputs", "op", "_name", "attrs", "shape", "id", "__weakref__")

    # numpy must hand `array + node` to Node.__radd__ instead of broadcasting over it.
    __array_ufunc__ = None

    def __init__(self, op: Op, inputs: Sequence[Node], attrs: dict | None = None,
                 name: str | None = None, shape: tuple[int, ...] | None = None):
        self.op = op
        self.inputs = list(inputs)
        self.attrs = dict(attrs or {})
        self.id = next(_node_ids)
        self._name = name
        self.shape = shape

    @property
    def name(self) -> str:
        """Readable name for feedback; made on first use, since most nodes never need one."""
        if self._name is None:
            self._name = self._default_name()
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self._name = value

    def _default_name(self) -> str:
        # Leaves are named by their creator; an interior node names its leaf inputs and
        # refers to interior inputs by id, so names stay short on deep shared graphs.
        parts = [inp.name if not inp.inputs else f"#{inp.id}" for inp in self.inputs]
        parts += [f"{key}={_short(value)}" for key, value in self.attrs.items()]
        return f"{self.op.name}({','.join(parts)})"

    def __repr__(self) -> str:
        return f"<Node #{self.id} {self.name}>"

    # Arithmetic builds new nodes; numbers on either side become op attributes.
    def __add__(self, other):
        return _ops().add(self, other)

    def __radd__(self, other):
        return _ops().add(other, self)

    def __sub__(self, other):
        return _ops().sub(self, other)

    def __rsub__(self, other):
        return _ops().sub(other, self)

    def __mul__(self, other):
        return _ops().mul(self, other)

    def __rmul__(self, other):
        return _ops().mul(other, self)

    def __truediv__(self, other):
        return _ops().div(self, other)

    def __rtruediv__(self, other):
        return _ops().div(other, self)

    def __matmul__(self, other):
        return _ops().matmul(self, other)

    def __rmatmul__(self, other):
        return _ops().matmul(other, self)

    def __neg__(self):
        return _ops().neg(self)

    def __pow__(self, exponent):
        return _ops().power(self, exponent)


class Op:
    """How a node's value and its inputs' partial adjoints are computed.

    Subclasses set ``name`` and implement:
    - ``compute(node, input_values)``: the node's value from its inputs' values;
    - ``gradient(node, output_grad)``: one Node (or None for "no contribution") per
      input, the partial adjoint that input receives from this node, built from graph
      ops so that it can be differentiated again;
    - ``vjp(node, input_values, output_grad_value)``: the same partial adjoints as
      numpy arrays, for value-based backpropagation;
    - ``infer_shape(node, input_shapes)``: the static shape, or None when unknown.
    """

    name = "op"

    def compute(self, node: Node, input_values: list[np.ndarray]) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__}.compute")

    def gradient(self, node: Node, output_grad: Node) -> list[Node | None]:
        raise NotImplementedError(f"{type(self).__name__}.gradient")

    def vjp(self, node: Node, input_values: list[np.ndarray],
            output_grad_value: np.ndarray) -> list[np.ndarray | None]:
        raise NotImplementedError(f"{type(self).__name__}.vjp")

    def infer_shape(self, node: Node, input_shapes: list[tuple | None]) -> tuple | None:
        return None

    def make_node(self, *inputs: Node, name: str | None = None, **attrs) -> Node:
        """Build a node of this op, inferring its static shape where the inputs' are known."""
        node = Node(self, inputs, attrs, name=name)
        shapes = [inp.shape for inp in inputs]
        if None not in shapes:
            try:
                node.shape = self.infer_shape(node, shapes)
            except ValueError as exc:
                raise ValueError(f"{node.name}: {exc}") from None
        return node

    def __repr__(self) -> str:
        return f"<Op {self.name}>"


class VariableOp(Op):
    """A leaf fed through ``feed_dict``."""

    name = "variable"

    def compute(self, node, input_values):
        raise KeyError(f"variable {node.name!r} has no value in feed_dict")

    def gradient(self, node, output_grad):
        return []

    def vjp(self, node, input_values, output_grad_value):
        return []


class ConstantOp(Op):
    """A leaf holding a fixed array in ``attrs['value']``."""

    name = "constant"

    def compute(self, node, input_values):
        return node.attrs["value"]

    def gradient(self, node, output_grad):
        return []

    def vjp(self, node, input_values, output_grad_value):
        return []


VARIABLE = VariableOp()
CONSTANT = ConstantOp()


def variable(name: str, shape: Sequence[int] | None = None) -> Node:
    """A leaf whose value comes from ``feed_dict`` at evaluation time."""
    if not isinstance(name, str) or not name:
        raise TypeError("variable() needs a non-empty string name")
    return Node(VARIABLE, [], name=name, shape=None if shape is None else tuple(shape))


def constant(value, name: str | None = None) -> Node:
    """A leaf holding ``value`` as a float64 array."""
    array = np.array(value, dtype=np.float64)
    array.setflags(write=False)
    label = name if name is not None else (_short(float(array)) if array.ndim == 0 else "const")
    return Node(CONSTANT, [], {"value": array}, name=label, shape=array.shape)


def as_node(value) -> Node:
    """Return ``value`` if it is a Node, else a constant holding it."""
    if isinstance(value, Node):
        return value
    return constant(value)


def is_number(value) -> bool:
    """True for Python and numpy scalars (not 0-d arrays or nodes)."""
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


def topological_sort(outputs: Iterable[Node]) -> list[Node]:
    """Every node the outputs depend on, each after all of its inputs.

    Iterative depth-first search, so graphs far deeper than Python's recursion
    limit are fine; the order is deterministic (inputs visited in order).
    """
    order: list[Node] = []
    visited: set[Node] = set()
    for root in outputs:
        if root in visited:
            continue
        visited.add(root)
        stack = [(root, iter(root.inputs))]
        while stack:
            node, pending = stack[-1]
            for child in pending:
                if child not in visited:
                    visited.add(child)
                    stack.append((child, iter(child.inputs)))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


def _short(value) -> str:
    text = repr(value.tolist() if isinstance(value, np.ndarray) else value)
    return text if len(text) <= 12 else text[:11] + "…"


def _ops():
    # ops.py builds on Node and Op, so Node reaches the ops lazily instead of importing
    # them at module level (which would be a circular import).
    from . import ops

    return ops
