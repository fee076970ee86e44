# expect: missing-adjoint
# Bug: every node is assumed to receive at least one partial adjoint. A node whose only
# consumers pass None (it feeds only ones_like / zeros_like) has no list, so the lookup
# raises KeyError instead of giving the node the adjoint zero.
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
    partials = {out: [np.ones_like(values[out])]}
    node_to_grad = {}
    for node in reversed(order):
        grad = sum(partials[node])
        node_to_grad[node] = grad
        if not node.inputs:
            continue
        for inp, partial in zip(node.inputs,
                                node.op.vjp(node, [values[i] for i in node.inputs], grad)):
            if partial is not None:
                partials.setdefault(inp, []).append(partial)
    return node_to_grad
