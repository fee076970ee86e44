"""Cases of the `backprop` assignment: call gradient(out, feed_dict), hand back the values."""

from __future__ import annotations

from functools import partial

import numpy as np

from . import graphio, protocol
from .lookups import differentiate
from .measure.memory import measure_memory
from .measure.timing import in_process, time_growth
from .measure.trace import traced_call

TRACE_VALUE_LIMIT = 10_000  # elements of one traced adjoint; beyond that only its shape


def _prepare(case, graph=None, out=None, feed=None):
    """Nodes fresh from the records (the case's own, unless ``graph``), their index, the
    output node and the feed."""
    nodes = graphio.deserialize(graph if graph is not None else case["graph"])
    index = {node: i for i, node in enumerate(nodes)}
    feed_data = feed if feed is not None else case["feed"]
    feed_dict = {nodes[int(k)]: graphio.decode_array(v) for k, v in feed_data.items()}
    return nodes, index, nodes[out if out is not None else case["out"]], feed_dict


def _encode_values(result, index, wanted=None):
    if not isinstance(result, dict):
        return {"not_values": f"gradient() returned {type(result).__name__}, not a dict"}
    values, problems, not_arrays = {}, [], []
    for key, value in result.items():
        try:
            position = index.get(key)
        except TypeError:
            continue
        if position is None or (wanted is not None and position not in wanted):
            continue
        try:
            values[str(position)] = graphio.encode_array(value)
        except (TypeError, ValueError):
            problems.append(f"the adjoint of {key.name!r} is a {type(value).__name__}")
            not_arrays.append(position)
    encoded = {"values": values, "returned_keys": len(result)}
    if problems:
        encoded["not_values"] = "; ".join(problems[:3])
        encoded["not_arrays"] = not_arrays[:1000]
    return encoded


def _encode_trace(calls):
    trace = []
    for position, grad in calls:
        array = np.asarray(grad) if isinstance(grad, (np.ndarray, float, int, np.floating)) \
            else None
        if array is None or array.size > TRACE_VALUE_LIMIT:
            trace.append([position, None])
        else:
            trace.append([position, graphio.encode_array(array)])
    return trace


def adjoints_case(gradient, case):
    nodes, index, out, feed = _prepare(case)
    wanted = set(case["wrt"]) if "wrt" in case else None
    result, calls = traced_call("vjp", partial(differentiate, gradient, out, index, feed), index,
                                case.get("trace", True))
    return {**_encode_values(result, index, wanted), "trace": _encode_trace(calls)}


def repeat_case(gradient, case):
    nodes, index, out, feed = _prepare(case)
    first = differentiate(gradient, out, index, feed)
    first = _encode_values(first, index)  # encode now: a later call may mutate the arrays
    _, _, copy_out, copy_feed = _prepare(case)
    gradient(copy_out, copy_feed)
    if "second_feed" in case:  # the third call at another point: cached values must not leak
        feed = {nodes[int(k)]: graphio.decode_array(v) for k, v in case["second_feed"].items()}
    second = _encode_values(gradient(out, feed), index)
    return {**first, "second_values": second.get("values", {})}


def growth_call(gradient, graph):
    """One timed call of a growth case: gradient() on a graph fresh from its records, and,
    for the graph the judge checks (``checked``), the adjoint values asked for."""
    nodes, index, out, feed = _prepare(None, graph["records"], graph["out"], graph["feed"])
    result = differentiate(gradient, out, index, feed)
    if not graph.get("checked", True):
        return {}
    return _encode_values(result, index, wanted=set(graph["wrt"]))


def growth_failed(result) -> bool:
    return False  # values are judged after the timing, whatever they are


def growth_case(gradient, case):
    """Time gradient() on graphs of growing size in this process (measure.timing)."""
    return time_growth(case, lambda number: in_process(
        partial(growth_call, gradient, case["graphs"][number])), failed=growth_failed)


def memory_call(gradient, case):
    """gradient() on the memory case's graph and the values asked for (the call whose peak
    is measured: by the warden from outside the process, or by ``memory_case``)."""
    nodes, index, out, feed = _prepare(case)
    return _encode_values(differentiate(gradient, out, index, feed), index, set(case["wrt"]))


def memory_case(gradient, case):
    """Peak bytes of gradient() as tracemalloc counts them in this process (a student's own
    machine: the grader measures from outside, harness/warden.py)."""
    nodes, index, out, feed = _prepare(case)
    call = measure_memory(differentiate, gradient, out, index, feed)
    return {"memory": {"gradient_peak": call.peak_bytes, "method": protocol.TRACED},
            **_encode_values(call.result, index, set(case["wrt"]))}


CHECKS = {
    "adjoints": adjoints_case,
    "repeat": repeat_case,
    "growth": growth_case,
    "memory": memory_case,
}


def run_case(gradient, case):
    return CHECKS[case["check"]](gradient, case)
