"""Cases of the `autodiff` assignment: call gradient(out) and hand back the graph it built."""

from __future__ import annotations

from functools import partial

from . import graphio, protocol
from .lookups import differentiate
from .measure.memory import measure_memory
from .measure.timing import in_process, time_growth
from .measure.trace import traced_call


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
    result, calls = traced_call(
        "gradient", lambda: differentiate(gradient, nodes[out_position], index), index, trace)
    return nodes, index, result, calls


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
    nodes, index, result, calls = _call(
        gradient, case["graph"], case["out"], case.get("trace", True))
    if "wrt" in case and isinstance(result, dict):
        wanted = {nodes[i] for i in case["wrt"]}
        result = {k: v for k, v in result.items() if _hashable(k) and k in wanted}
    return _encode(result, index, calls)


def repeat_case(gradient, case):
    """Call twice on one graph, with a call on a fresh copy in between: no state may leak."""
    nodes, index, first, _ = _call(gradient, case["graph"], case["out"], False)
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


def growth_call(gradient, graph):
    """One timed call of a growth case: gradient() on a graph fresh from its records, and,
    for the graph the judge checks (``checked``), the gradient graph it built, serialized:
    what the judge rebuilds, counts and evaluates."""
    nodes = graphio.deserialize(graph["records"])
    index = {node: i for i, node in enumerate(nodes)}
    result = differentiate(gradient, nodes[graph["out"]], index)
    adjoints, _ = _returned_adjoints(result, index)
    if adjoints is None:
        return _not_a_dict(result)
    if not graph.get("checked", True):
        return {}
    try:
        records, full_index = graphio.serialize(adjoints.values(), known=index)
    except graphio.GraphFormatError as exc:
        return {"not_a_graph": str(exc)}
    return {"gradient_graph": {"records": records,
                               "adjoints": {str(k): full_index[v] for k, v in adjoints.items()}}}


def growth_failed(result) -> bool:
    return "not_a_graph" in result


def growth_case(gradient, case):
    """Time gradient() on graphs of growing size in this process (measure.timing)."""
    return time_growth(case, lambda number: in_process(
        partial(growth_call, gradient, case["graphs"][number])), failed=growth_failed)


def memory_call(gradient, case):
    """gradient() on the memory case's graph, and the adjoints asked for (the call whose
    peak is measured: by the warden from outside the process, or by ``memory_case``)."""
    nodes = graphio.deserialize(case["graph"])
    index = {node: i for i, node in enumerate(nodes)}
    result = differentiate(gradient, nodes[case["out"]], index)
    return _memory_subset(result, nodes, index, case)


def _memory_subset(result, nodes, index, case):
    adjoints, _ = _returned_adjoints(result, index)
    if adjoints is None:
        return _not_a_dict(result)
    subset = {nodes[i]: adjoints[i] for i in case["wrt"] if i in adjoints}
    return _encode(subset, index, [])


def memory_case(gradient, case):
    """Peak bytes of gradient() as tracemalloc counts them in this process (a student's own
    machine: the grader measures from outside, harness/warden.py)."""
    nodes = graphio.deserialize(case["graph"])
    index = {node: i for i, node in enumerate(nodes)}
    call = measure_memory(differentiate, gradient, nodes[case["out"]], index)
    return {"memory": {"gradient_peak": call.peak_bytes, "method": protocol.TRACED},
            **_memory_subset(call.result, nodes, index, case)}


CHECKS = {
    "adjoints": adjoints_case,
    "repeat": repeat_case,
    "higher-order": higher_order_case,
    "growth": growth_case,
    "memory": memory_case,
}


def run_case(gradient, case):
    return CHECKS[case["check"]](gradient, case)
