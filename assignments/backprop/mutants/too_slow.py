# expect: too-slow
# The visited nodes are kept in a list: every `in` test scans it, so the sort is quadratic.
import numpy as np


def topological_order(out):
    visited = []
    order = []
    stack = [(out, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.append(node)
        stack.append((node, True))
        for inp in reversed(node.inputs):
            if inp not in visited:
                stack.append((inp, False))
    return order


def gradient(out, feed_dict):
    order = topological_order(out)
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
