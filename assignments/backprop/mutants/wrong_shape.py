# expect: wrong-shape
# Sums the list of partial adjoints with np.sum(partials), forgetting axis=0: every element
# of every partial is added into one number.
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

    partial_adjoints = {out: [np.ones_like(values[out])]}
    node_to_grad = {}
    for node in reversed(order):
        partials = partial_adjoints.get(node, [])
        grad = np.sum(partials) if partials else np.zeros_like(values[node])
        node_to_grad[node] = grad
        for inp, partial in zip(node.inputs,
                                node.op.vjp(node, [values[i] for i in node.inputs], grad)):
            if partial is not None:
                partial_adjoints.setdefault(inp, []).append(partial)
    return node_to_grad
