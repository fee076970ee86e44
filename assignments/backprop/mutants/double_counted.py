# expect: double-counted
# The first partial adjoint a node receives is stored, then added again: the `else` is missing.
import numpy as np

import autodiff as ad


def gradient(out, feed_dict):
    order = ad.topological_sort([out])
    values = {}
    for node in order:
        if node in feed_dict:
            values[node] = np.asarray(feed_dict[node], dtype=float)
        else:
            values[node] = node.op.compute(node, [values[i] for i in node.inputs])

    node_to_grad = {out: np.ones_like(values[out])}
    for node in reversed(order):
        if node not in node_to_grad:
            node_to_grad[node] = np.zeros_like(values[node])
        grad = node_to_grad[node]
        input_values = [values[i] for i in node.inputs]
        for inp, partial in zip(node.inputs, node.op.vjp(node, input_values, grad)):
            if partial is None:
                continue
            if inp not in node_to_grad:
                node_to_grad[inp] = partial
            node_to_grad[inp] = node_to_grad[inp] + partial
    return node_to_grad
