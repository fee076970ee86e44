# expect: wrong-value
# A slip in a comprehension: op.vjp is given the node's own value once per input
# (values[node] for inp in ...) instead of its inputs' values.
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
        grad = node_to_grad.setdefault(node, np.zeros_like(values[node]))
        if not node.inputs:
            continue
        input_values = [values[node] for inp in node.inputs]
        for inp, partial in zip(node.inputs, node.op.vjp(node, input_values, grad)):
            if partial is not None:
                node_to_grad[inp] = node_to_grad.get(inp, 0) + partial
    return node_to_grad
