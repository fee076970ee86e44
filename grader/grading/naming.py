"""Name a node of a graph for a student: by its expression, or by where it sits.

Interior nodes carry generated names such as ``add(#51732,#51733)``, which mean nothing
to a student. A node is named by the expression that computes it (``x1 * x2``,
``sin(x1)``), with deep parts elided (``tanh(… + b1)``); when that leaves two nodes
with one name, the node is named by its position among the consumers of one of its
inputs (``exp(…), the 2nd consumer of x1 * x2``).
"""

from __future__ import annotations

from collections import Counter

import numpy as np

import autodiff as ad

MAX_LENGTH = 40
ELIDED = "…"

_INFIX = {"add": " + ", "sub": " - ", "mul": " * ", "div": " / ", "matmul": " @ "}
_PRECEDENCE = {"add": 1, "sub": 1, "add_const": 1, "mul": 2, "div": 2, "matmul": 2,
               "mul_const": 2, "neg": 3, "power": 4}
_ATOM = 5
_HIDDEN_ATTRS = {"const", "exponent"}  # shown in the expression itself


def number(value) -> str:
    """A number as a student writes it: 3, 0.5, -1.25 (never -0)."""
    value = float(value) + 0.0  # -0.0 + 0.0 is 0.0
    return f"{value:g}"


class NodeNames:
    """Readable names for the nodes of one graph (``order``: inputs before consumers)."""

    def __init__(self, order: list[ad.Node], out: ad.Node | None = None):
        self.order = order
        self.out = out
        self._consumers: dict[ad.Node, list[ad.Node]] | None = None
        self._texts: dict[int, Counter] = {}  # depth -> how many nodes render to each text

    def name(self, node: ad.Node) -> str:
        if node is self.out:
            return "out"  # what the submission calls it
        for depth in (3, 2, 1):
            text = expression(node, depth)
            if len(text) <= MAX_LENGTH:
                break
        if not self._ambiguous(node, text, depth):
            return text
        if not node.inputs:  # two variables named alike
            alike = [other for other in self.order if not other.inputs and _leaf(other) == text]
            return f"{text} (the {ordinal(alike.index(node) + 1)} leaf named {text})"
        return f"{text}, {self._position(node)}"

    def _ambiguous(self, node: ad.Node, text: str, depth: int) -> bool:
        if depth not in self._texts:
            self._texts[depth] = Counter(expression(other, depth) for other in self.order)
        return self._texts[depth][text] > (1 if node in self.consumers() else 0)

    def _position(self, node: ad.Node) -> str:
        """Where ``node`` sits relative to the nearest input or ancestor with a name of its own.

        ``the 2nd of the 3 consumers of x1 * x2`` when an input has an unambiguous name,
        else ``12 ops above x`` along first inputs (deep chains and ladders).
        """
        consumers = self.consumers()
        for inp in node.inputs:
            text = self._unambiguous(inp)
            if text is not None:
                k = consumers[inp].index(node) + 1
                return f"the {ordinal(k)} of the {len(consumers[inp])} consumers of {text}"
        steps, ancestor = 1, node.inputs[0]
        while ancestor.inputs and self._unambiguous(ancestor) is None:
            steps, ancestor = steps + 1, ancestor.inputs[0]
        return f"{steps} ops above {self._unambiguous(ancestor) or expression(ancestor, 1)}"

    def _unambiguous(self, node: ad.Node) -> str | None:
        text = expression(node, 2)
        if len(text) <= MAX_LENGTH and not self._ambiguous(node, text, 2):
            return text
        return None

    def consumers(self) -> dict[ad.Node, list[ad.Node]]:
        if self._consumers is None:
            self._consumers = {node: [] for node in self.order}
            for node in self.order:
                for inp in dict.fromkeys(node.inputs):  # x * x consumes x once
                    self._consumers.setdefault(inp, []).append(node)
        return self._consumers


def expression(node: ad.Node, depth: int = 3) -> str:
    """The expression computing ``node``, with parts deeper than ``depth`` elided."""
    return _render(node, depth)[0]


def ordinal(k: int) -> str:
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def _render(node: ad.Node, depth: int) -> tuple[str, int]:
    """(text, precedence) of ``node``."""
    op = node.op.name
    if not node.inputs:
        return _leaf(node), _ATOM
    if depth <= 0:
        return ELIDED, _ATOM
    precedence = _PRECEDENCE.get(op, _ATOM)

    def operand(child: ad.Node, right: bool = False) -> str:
        text, inner = _render(child, depth - 1)
        # exp(u) * (x1 * x2): a right operand of equal precedence keeps the graph's grouping
        if inner < precedence or (right and inner == precedence):
            return f"({text})"
        return text

    if op in _INFIX and len(node.inputs) == 2:
        return operand(node.inputs[0]) + _INFIX[op] + operand(node.inputs[1], right=True), \
            precedence
    if op == "add_const":
        const = float(node.attrs.get("const", 0.0))
        sign = " - " if const < 0 else " + "
        return operand(node.inputs[0]) + sign + number(abs(const)), precedence
    if op == "mul_const":
        return operand(node.inputs[0]) + " * " + number(node.attrs.get("const", 1.0)), precedence
    if op == "neg":
        return "-" + operand(node.inputs[0]), precedence
    if op == "power":
        return operand(node.inputs[0]) + " ** " + number(node.attrs.get("exponent", 1.0)), \
            precedence
    arguments = [_render(inp, depth - 1)[0] for inp in node.inputs]
    arguments += [f"{key}={_attribute(value)}" for key, value in node.attrs.items()
                  if key not in _HIDDEN_ATTRS and value is not None and value is not False]
    return f"{op}({', '.join(arguments)})", _ATOM


def _leaf(node: ad.Node) -> str:
    if node.op.name == "constant":
        value = np.asarray(node.attrs.get("value"))
        return number(value) if value.ndim == 0 else f"constant of shape {list(value.shape)}"
    return str(node.name)


def _attribute(value) -> str:
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(str(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, float):
        return number(value)
    return str(value)
