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

from .naming import NodeNames
from .outcome import Outcome, close, errors, failed, preview
from .sentences import sentence, worded_in


@dataclass
class PointValues:
    """Everything known at one point, by forward-node position."""

    order: list[ad.Node]              # forward nodes in topological order (index = position)
    out: int
    expected: dict[int, np.ndarray]   # reference adjoints
    partials: dict[int, list[tuple[int, np.ndarray]]]  # node -> [(consumer, partial adjoint)]
    received: dict[int, np.ndarray]   # submission's adjoints (missing keys are missing)
    trace: list[tuple[int, np.ndarray | None]]  # (node asked for op.gradient, adjoint given)


def reference_point(order: list[ad.Node], out: int, feed: dict,
                    adjoint_values) -> tuple[dict, dict]:
    """Reference adjoints (``adjoint_values(out, feed)``: the reference engine's) and every
    edge's partial adjoint at one point."""
    adjoints = adjoint_values(order[out], feed)
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


def diagnose(point: PointValues, position: int, kind: str | None = None) -> Outcome:
    """The first wrong adjoint's diagnosis; its hint worded for ``kind`` (the backprop
    kind's op.vjp) where the catalogue words the category for it."""

    def hint(category: str) -> str:
        return (kind and worded_in(category, kind)) or sentence(category)

    node = point.order[position]
    name = node_names(point).name(node)
    expected = point.expected[position]
    got = point.received.get(position)
    where = {"node": name, "op": node.op.name}
    if got is None:
        which = "out" if position == point.out else f"node {name}"
        return failed("missing-adjoint", f"node_to_grad has no adjoint for {which}.",
                      **where, expected=preview(expected), hint=hint("missing-adjoint"))
    details = {**where, "expected": preview(expected), "received": preview(got)}
    if np.shape(got) != np.shape(expected) and position != point.out:
        return failed("wrong-shape", f"the adjoint of {name} has shape {list(np.shape(got))}"
                      f" instead of {list(np.shape(expected))}.", **details,
                      hint=hint("wrong-shape"))
    abs_error, rel_error = errors(got, expected)
    details.update(abs_error=abs_error, rel_error=rel_error)
    category = "wrong-seed" if position == point.out else _category(point, position, got, expected)
    edges = len(point.partials.get(position, []))  # x * x: one consumer, two output edges
    consumers = len({consumer for consumer, _ in point.partials.get(position, [])})
    fan_in = _count(edges, "output edge") if edges == consumers else (
        f"{_count(edges, 'output edge')} (from {_count(consumers, 'consumer')})")
    messages = {
        "wrong-seed": "the adjoint of out is not ones_like(out).",
        "adjoint-not-summed": f"the adjoint of {name} is missing partial adjoints: it "
                              f"receives one along each of its {fan_in}, and all of them must be "
                              f"summed.",
        "wrong-order": f"the adjoint of {name} was passed on before all of its "
                       f"{_count(consumers, 'consumer')} had sent their partial adjoints.",
        "double-counted": f"the adjoint of {name} counts a partial adjoint more than once.",
        "missing-adjoint": f"the adjoint of {name} is zero: the partial adjoints along its "
                           f"{fan_in} never reached it.",
        "wrong-value": f"the adjoint of {name} ({node.op.name}) is wrong.",
    }
    return failed(category, messages[category], **details, hint=hint(category))


def node_names(point: PointValues) -> NodeNames:
    return NodeNames(point.order, point.order[point.out])


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


def explain_key_error(target: ad.Node, node: ad.Node, traceback: str) -> Outcome:
    """gradient(target) raised KeyError on ``node``: say why in the lecture's terms."""
    order = ad.topological_sort([target])
    names = NodeNames(order, target)
    name = names.name(node)
    details = {"node": name, "op": node.op.name, "traceback": traceback}
    if node is target:
        return failed("wrong-seed", "gradient() raised KeyError on out itself: the walk must "
                      "start from node_to_grad[out] = ones_like(out) before anything is looked "
                      "up.", **details, hint=sentence("wrong-seed"))
    if node not in set(order):
        return failed("exception", f"gradient() raised KeyError on {name}, a node that out does "
                      "not depend on.", **details)
    consumers = [c for c in order if any(inp is node for inp in c.inputs)]
    senders = [c for c in consumers if _sends_partial(c, node)]
    if not senders:
        via = ", ".join(names.name(c) for c in consumers[:3])
        they = ("its only consumer", "passes", "its") if len(consumers) == 1 else (
            "all of its consumers", "pass", "their")
        return failed("missing-adjoint", f"gradient() raised KeyError on {name}: {name} receives "
                      f"no partial adjoints, because {they[0]} ({via}) {they[1]} None for it "
                      f"({they[2]} value does not depend on {name}'s value). A node that "
                      "receives no partial adjoints still has an adjoint: it is zero (zeros "
                      "shaped like the node), and node_to_grad needs it.", **details,
                      hint=sentence("missing-adjoint"))
    via = ", ".join(names.name(c) for c in senders[:3])
    return failed("exception", f"gradient() raised KeyError on {name} although "
                  f"{_count(len(senders), 'consumer')} ({via}) send it partial adjoints: it "
                  "was looked up before any of them had been added.", **details,
                  hint=sentence("wrong-order"))


def _sends_partial(consumer: ad.Node, node: ad.Node) -> bool:
    """Does ``consumer``'s op.gradient give ``node`` a partial adjoint (not None)?"""
    try:
        partials = consumer.op.gradient(consumer, ad.ones_like(consumer))
    except Exception:  # noqa: BLE001 (an op whose gradient cannot be built here sends one)
        return True
    return any(inp is node and partial is not None
               for inp, partial in zip(consumer.inputs, partials))
