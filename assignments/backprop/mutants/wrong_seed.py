# expect: wrong-seed
# Follows the lecture's pseudo-code literally: node_to_grad[out] = 1. That is right for a
# scalar out only; the seed must be ones with out's shape.
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

    node_to_grad = {out: 1.0}
    for node in reversed(order):
        grad = node_to_grad.setdefault(node, np.zeros_like(values[node]))
        if not node.inputs:
            continue
        for inp, partial in zip(node.inputs,
                                node.op.vjp(node, [values[i] for i in node.inputs], grad)):
            if partial is not None:
                node_to_grad[inp] = node_to_grad.get(inp, 0.0) + partial
    return node_to_grad
