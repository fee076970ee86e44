"""Find the first wrong adjoint (nearest `out`) and name the mistake in the lecture's terms.

Inputs are values at one point: the reference adjoints, the submission's adjoints, and
the trace of which nodes the submission asked for partial adjoints, in order, and with
what adjoint. A missing sum, an order bug and a double count leave different traces.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

import autodiff as ad

from .outcome import Outcome, close, errors, failed, preview

HINTS = {
    "missing-adjoint": "node_to_grad needs an entry for every node that out depends on "
                       "(out and the variables included); a node whose adjoint never arrives "
                       "is dropped from the sum.",
    "wrong-seed": "The walk starts from node_to_grad[out] = ones_like(out): "
                  "d sum(out)/d out is 1 in every element, with out's shape.",
    "adjoint-not-summed": "A node with several consumers receives one partial adjoint from each "
                          "output edge. Sum them all (sum_node_list) before passing the adjoint "
                          "on with node.op.gradient.",
    "wrong-order": "A node's adjoint is complete only once every consumer has sent its partial "
                   "adjoint: visit nodes in reverse topological order.",
    "double-counted": "A partial adjoint was added twice: collect each output edge's partial "
                      "adjoint exactly once, and ask each node's op.gradient once.",
    "wrong-shape": "An adjoint has the shape of its node; partial adjoints of broadcast inputs "
                   "are already summed back by op.gradient.",
    "wrong-value": "Compare this node's adjoint with the sum of the partial adjoints from its "
                   "consumers; check each op.gradient call's arguments.",
}


@dataclass
class PointValues:
    """Everything known at one point, by forward-node position."""

    order: list[ad.Node]              # forward nodes in topological order (index = position)
    out: int
    expected: dict[int, np.ndarray]   # reference adjoints
    partials: dict[int, list[tuple[int, np.ndarray]]]  # node -> [(consumer, partial adjoint)]
    received: dict[int, np.ndarray]   # submission's adjoints (missing keys are missing)
    trace: list[tuple[int, np.ndarray | None]]  # (node asked for op.gradient, adjoint given)


def reference_point(order: list[ad.Node], out: int, feed: dict, backprop) -> tuple[dict, dict]:
    """Reference adjoints and every edge's partial adjoint at one point."""
    adjoints = backprop.gradient(order[out], feed)
    values = {}
    for node in order:
        values[node] = feed[node] if node in feed else node.op.compute(
            node, [values[i] for i in node.inputs])
    position = {node: i for i, node in enumerate(order)}
    partials: dict[int, list] = {}
    for node in order:
        if not node.inputs or node not in adjoints:
            continue
        vjps = node.op.vjp(node, [values[i] for i in node.inputs], adjoints[node])
        for inp, partial in zip(node.inputs, vjps):
            if partial is not None:
                partials.setdefault(position[inp], []).append((position[node], np.asarray(partial)))
    expected = {position[n]: np.asarray(v) for n, v in adjoints.items() if n in position}
    return expected, partials


def first_wrong(point: PointValues, wanted: set[int]) -> int | None:
    """The wanted node nearest `out` (in reverse topological order) whose adjoint is wrong."""
    for position in reversed(range(len(point.order))):
        if position not in wanted or position not in point.expected:
            continue
        got = point.received.get(position)
        if got is None or not close(got, point.expected[position]):
            return position
    return None


def diagnose(point: PointValues, position: int) -> Outcome:
    node = point.order[position]
    expected = point.expected[position]
    got = point.received.get(position)
    where = {"node": node.name, "op": node.op.name}
    if got is None:
        which = "out" if position == point.out else f"node {node.name}"
        return failed("missing-adjoint", f"node_to_grad has no adjoint for {which}.",
                      **where, expected=preview(expected), hint=HINTS["missing-adjoint"])
    details = {**where, "expected": preview(expected), "received": preview(got)}
    if np.shape(got) != np.shape(expected) and position != point.out:
        return failed("wrong-shape", f"the adjoint of {node.name} has shape {list(np.shape(got))}"
                      f" instead of {list(np.shape(expected))}.", **details,
                      hint=HINTS["wrong-shape"])
    abs_error, rel_error = errors(got, expected)
    details.update(abs_error=abs_error, rel_error=rel_error)
    category = "wrong-seed" if position == point.out else _category(point, position, got, expected)
    edges = len(point.partials.get(position, []))  # x * x: one consumer, two output edges
    consumers = len({consumer for consumer, _ in point.partials.get(position, [])})
    fan_in = _count(edges, "output edge") if edges == consumers else (
        f"{_count(edges, 'output edge')} (from {_count(consumers, 'consumer')})")
    messages = {
        "wrong-seed": "the adjoint of out is not ones_like(out).",
        "adjoint-not-summed": f"the adjoint of {node.name} is missing partial adjoints: it "
                              f"receives one along each of its {fan_in}, and all of them must be "
                              f"summed.",
        "wrong-order": f"the adjoint of {node.name} was passed on before all of its "
                       f"{_count(consumers, 'consumer')} had sent their partial adjoints.",
        "double-counted": f"the adjoint of {node.name} counts a partial adjoint more than once.",
        "missing-adjoint": f"the adjoint of {node.name} is zero: the partial adjoints along its "
                           f"{fan_in} never reached it.",
        "wrong-value": f"the adjoint of {node.name} ({node.op.name}) is wrong.",
    }
    return failed(category, messages[category], **details, hint=HINTS[category])


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _category(point: PointValues, position: int, got, expected) -> str:
    consumers = point.partials.get(position, [])
    partials = [value for _, value in consumers]
    first_call = _first_calls(point.trace)
    if _asked_before_a_consumer(first_call, position, consumers):
        return "wrong-order"
    if len(partials) >= 2:
        # In the order the submission visited the consumers: keeping only the last partial
        # adjoint is a missing sum; summing only the first few is a node passed on too early.
        by_visit = [value for _, value in
                    sorted(consumers, key=lambda c: first_call.get(c[0], len(point.trace)))]
        if close(got, by_visit[-1]):
            return "adjoint-not-summed"
        if any(close(got, sum(by_visit[1:k], start=by_visit[0])) for k in range(1, len(by_visit))):
            return "wrong-order" if first_call else "adjoint-not-summed"
        if any(close(got, total) for total in _strict_subset_sums(partials)):
            return "adjoint-not-summed"
    nonzero = not close(expected, np.zeros_like(expected))
    if any(close(got, expected + p) for p in partials) or (
            nonzero and any(close(got, k * expected) for k in (2, 3, 4))):
        return "double-counted"
    if partials and nonzero and close(got, np.zeros_like(expected)):
        return "missing-adjoint"
    return "wrong-value"


def _first_calls(trace) -> dict[int, int]:
    first_call: dict[int, int] = {}
    for step, (asked, _) in enumerate(trace):
        first_call.setdefault(asked, step)
    return first_call


def _asked_before_a_consumer(first_call: dict, position: int, consumers) -> bool:
    if position not in first_call:
        return False
    return any(first_call.get(c, -1) > first_call[position] for c, _ in consumers)


def _strict_subset_sums(partials, max_exhaustive: int = 6):
    """Sums of non-empty strict subsets (all of them for a few partials, else singletons)."""
    if len(partials) > max_exhaustive:
        yield from partials
        return
    for size in range(1, len(partials)):
        for subset in itertools.combinations(partials, size):
            yield sum(subset[1:], start=subset[0])
