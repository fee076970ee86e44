# expect: adjoint-not-summed
# Each partial adjoint overwrites the one before: a node with several consumers keeps only
# the partial adjoint of the consumer visited last.
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
        grad = node_to_grad.get(node)
        if grad is None:
            grad = np.zeros_like(values[node])
            node_to_grad[node] = grad
        if not node.inputs:
            continue
        partials = node.op.vjp(node, [values[i] for i in node.inputs], grad)
        for inp, partial in zip(node.inputs, partials):
            if partial is not None:
                node_to_grad[inp] = partial
    return node_to_grad
