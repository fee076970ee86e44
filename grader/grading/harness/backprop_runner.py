"""Cases of the `backprop` assignment: call gradient(out, feed_dict), hand back the values."""

from __future__ import annotations

import time
import tracemalloc

import numpy as np

from . import graphio
from .lookups import differentiate
from .tracing import record_calls

TRACE_VALUE_LIMIT = 10_000  # elements of one traced adjoint; beyond that only its shape


def _prepare(case, graph=None, out=None, feed=None):
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
    started = time.perf_counter()
    if case.get("trace", True):
        with record_calls("vjp", index) as calls:
            result = differentiate(gradient, out, index, feed)
    else:
        calls, result = [], differentiate(gradient, out, index, feed)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, **_encode_values(result, index, wanted),
            "trace": _encode_trace(calls)}


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


def growth_case(gradient, case):
    runs = []
    for graph in case["graphs"]:
        nodes, index, out, feed = _prepare(case, graph["records"], graph["out"], graph["feed"])
        started = time.perf_counter()
        result = gradient(out, feed)
        seconds = time.perf_counter() - started
        encoded = _encode_values(result, index, set(graph["wrt"]))  # the first call's answer
        # Time is the fastest of a few calls; a slow call (over 2 s) is not noise.
        for _ in range(max(1, int(case.get("repeat", 1))) - 1):
            if seconds > 2.0:
                break
            result = None
            started = time.perf_counter()
            result = gradient(out, feed)
            seconds = min(seconds, time.perf_counter() - started)
        runs.append({"nodes": len(nodes), "seconds": seconds, **encoded})
    return {"runs": runs}


def memory_case(gradient, case):
    nodes, index, out, feed = _prepare(case)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        result = differentiate(gradient, out, index, feed)
        peak = tracemalloc.get_traced_memory()[1] - base
        retained = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    return {"memory": {"gradient_peak": peak, "gradient_retained": retained},
            **_encode_values(result, index, set(case["wrt"]))}


CHECKS = {
    "adjoints": adjoints_case,
    "repeat": repeat_case,
    "growth": growth_case,
    "memory": memory_case,
}


def run_case(gradient, case):
    return CHECKS[case["check"]](gradient, case)
