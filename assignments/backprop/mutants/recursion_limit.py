# expect: recursion-limit
# A recursive depth-first topological sort: one Python frame per node on the longest path.
import numpy as np


def topo_sort(node, visited, order):
    if node in visited:
        return
    visited.add(node)
    for inp in node.inputs:
        topo_sort(inp, visited, order)
    order.append(node)


def gradient(out, feed_dict):
    order = []
    topo_sort(out, set(), order)
    values = {}
    for node in order:
        if node in feed_dict:
            values[node] = np.asarray(feed_dict[node], dtype=float)
        else:
            values[node] = node.op.compute(node, [values[i] for i in node.inputs])

    node_to_grad = {out: np.ones_like(values[out])}
    for node in reversed(order):
        grad = node_to_grad.setdefault(node, np.zeros_like(values[node]))
        for inp, partial in zip(node.inputs,
                                node.op.vjp(node, [values[i] for i in node.inputs], grad)):
            if partial is not None:
                node_to_grad[inp] = node_to_grad[inp] + partial if inp in node_to_grad \
                    else partial
    return node_to_grad
