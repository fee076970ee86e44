"""Cases of the `autodiff` assignment: call gradient(out) and hand back the graph it built."""

from __future__ import annotations

import gc
import time
import tracemalloc

from . import graphio
from .lookups import differentiate
from .tracing import record_calls


def _returned_adjoints(result, index):
    """{forward index: adjoint node} of the submission's node_to_grad, and [index, type name]
    of each adjoint that is not a Node; (None, []) when the result is not a dict."""
    if not isinstance(result, dict):
        return None, []
    adjoints, foreign = {}, []
    for key, value in result.items():
        position = index.get(key) if _hashable(key) else None
        if position is None:
            continue
        if not isinstance(value, graphio.ad.Node):
            foreign.append([position, type(value).__name__])
            continue
        adjoints[position] = value
    return adjoints, foreign


def _not_a_dict(result) -> dict:
    return {"not_a_graph": f"gradient() returned {type(result).__name__}, not a dict"}


def _hashable(key):
    try:
        hash(key)
    except TypeError:
        return False
    return True


def _call(gradient, graph, out_position, trace):
    nodes = graphio.deserialize(graph)
    index = {node: i for i, node in enumerate(nodes)}
    started = time.perf_counter()
    if trace:
        with record_calls("gradient", index) as calls:
            result = differentiate(gradient, nodes[out_position], index)
    else:
        calls, result = [], differentiate(gradient, nodes[out_position], index)
    seconds = time.perf_counter() - started
    return nodes, index, result, calls, seconds


def _encode(result, index, calls, extra_roots=()):
    adjoints, foreign = _returned_adjoints(result, index)
    if adjoints is None:
        return _not_a_dict(result)
    roots = list(adjoints.values()) + [grad for _, grad in calls
                                       if isinstance(grad, graphio.ad.Node)] + list(extra_roots)
    try:
        records, full_index = graphio.serialize(roots, known=index)
    except graphio.GraphFormatError as exc:
        return {"not_a_graph": str(exc)}
    encoded = {
        "records": records,
        "adjoints": {str(k): full_index[v] for k, v in adjoints.items()},
        "trace": [[position, full_index[grad] if isinstance(grad, graphio.ad.Node) else None]
                  for position, grad in calls],
        "returned_keys": len(result),
    }
    if foreign:
        encoded["foreign"] = foreign[:3]
    return encoded


def adjoints_case(gradient, case):
    """The default check: the adjoints asked for, with the trace of op.gradient calls."""
    nodes, index, result, calls, seconds = _call(
        gradient, case["graph"], case["out"], case.get("trace", True))
    if "wrt" in case and isinstance(result, dict):
        wanted = {nodes[i] for i in case["wrt"]}
        result = {k: v for k, v in result.items() if _hashable(k) and k in wanted}
    return {"seconds": seconds, **_encode(result, index, calls)}


def repeat_case(gradient, case):
    """Call twice on one graph, with a call on a fresh copy in between: no state may leak."""
    nodes, index, first, _, _ = _call(gradient, case["graph"], case["out"], False)
    _call(gradient, case["graph"], case["out"], False)
    second = gradient(nodes[case["out"]])
    first_adjoints, foreign = _returned_adjoints(first, index)
    second_adjoints, _ = _returned_adjoints(second, index)
    if first_adjoints is None or second_adjoints is None:
        return _not_a_dict(first if first_adjoints is None else second)
    if foreign:
        return {"foreign": foreign[:3]}
    try:
        records, full_index = graphio.serialize(
            [*first_adjoints.values(), *second_adjoints.values()], known=index)
    except graphio.GraphFormatError as exc:
        return {"not_a_graph": str(exc)}
    return {"records": records,
            "adjoints": {str(k): full_index[v] for k, v in first_adjoints.items()},
            "second_adjoints": {str(k): full_index[v] for k, v in second_adjoints.items()}}


def higher_order_case(gradient, case):
    """Differentiate repeatedly: target <- sum(adjoint(target, wrt) * projection).

    The first call's whole node_to_grad comes back too, so that a wrong derivative of
    higher order can be traced to a wrong first derivative.
    """
    nodes = graphio.deserialize(case["graph"])
    index = {node: i for i, node in enumerate(nodes)}
    target = nodes[case["out"]]
    first = None
    for wrt, projection in case["chain"]:
        node_to_grad = differentiate(gradient, target, index)
        if first is None:
            first = _encode(node_to_grad, index, [])
        if not isinstance(node_to_grad, dict) or nodes[wrt] not in node_to_grad:
            return {"missing": nodes[wrt].name, "first": first}
        target = node_to_grad[nodes[wrt]]
        if not isinstance(target, graphio.ad.Node):
            return {"not_a_graph": f"an adjoint is a {type(target).__name__}, not a Node",
                    "first": first}
        if projection is not None:
            target = graphio.ad.reduce_sum(graphio.ad.mul(target, nodes[projection]))
    try:
        records, full_index = graphio.serialize([target], known=index)
    except graphio.GraphFormatError as exc:
        return {"not_a_graph": str(exc), "first": first}
    return {"records": records, "result": full_index[target], "first": first}


def growth_case(gradient, case):
    """Time gradient() on graphs of growing size, and count the nodes of what it built.

    The smallest graph is timed three times (its short time is the noisy one); a larger
    one is timed again, keeping its fastest call, only when it looks superlinear, so
    that a busy machine does not pass for quadratic code.
    """
    runs = []
    for graph in case["graphs"]:
        nodes, index, result, seconds = _timed_call(gradient, graph)
        if not runs:
            seconds = sorted([seconds] + [_timed_call(gradient, graph)[3] for _ in range(2)])[1]
        else:
            expected = runs[0]["seconds"] * len(nodes) / runs[0]["nodes"]
            for _ in range(2):
                if seconds <= 2 * expected:
                    break
                seconds = min(seconds, _timed_call(gradient, graph)[3])
        adjoints, _ = _returned_adjoints(result, index)
        if adjoints is None:
            return _not_a_dict(result)
        size = len(graphio.ad.topological_sort(adjoints.values()))
        runs.append({"nodes": len(nodes), "seconds": seconds, "gradient_nodes": size})
    return {"runs": runs}


def _timed_call(gradient, graph):
    gc.disable()  # a collection landing in one call but not another would skew the ratio
    try:
        nodes, index, result, _, seconds = _call(gradient, graph["records"], graph["out"], False)
    finally:
        gc.enable()
    return nodes, index, result, seconds


def memory_case(gradient, case):
    """Peak and retained bytes of gradient(), then of evaluating the adjoints it returned."""
    nodes = graphio.deserialize(case["graph"])
    out = nodes[case["out"]]
    feed = {nodes[int(k)]: graphio.decode_array(v) for k, v in case["feed"].items()}
    index = {node: i for i, node in enumerate(nodes)}
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        result = differentiate(gradient, out, index)
        gradient_peak = tracemalloc.get_traced_memory()[1] - base
        gradient_retained = tracemalloc.get_traced_memory()[0] - base
        adjoints, _ = _returned_adjoints(result, index)
        if adjoints is None:
            return _not_a_dict(result)
        wanted = [adjoints[i] for i in case["wrt"] if i in adjoints]
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        graphio.ad.evaluate(wanted, feed)
        evaluate_peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    subset = {nodes[i]: adjoints[i] for i in case["wrt"] if i in adjoints}
    return {"memory": {"gradient_peak": gradient_peak, "gradient_retained": gradient_retained,
                       "evaluate_peak": evaluate_peak},
            **_encode(subset, index, [])}


CHECKS = {
    "adjoints": adjoints_case,
    "repeat": repeat_case,
    "higher-order": higher_order_case,
    "growth": growth_case,
    "memory": memory_case,
}


def run_case(gradient, case):
    return CHECKS[case["check"]](gradient, case)
