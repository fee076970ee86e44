# expect: missing-adjoint
# Computes everything right but returns only the variables' adjoints (the ones "that matter"),
# not out's or the interior nodes'.
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

    grads = {out: np.ones_like(values[out])}
    for node in reversed(order):
        grad = grads.get(node)
        if grad is None or not node.inputs:
            continue
        for inp, partial in zip(node.inputs,
                                node.op.vjp(node, [values[i] for i in node.inputs], grad)):
            if partial is not None:
                grads[inp] = grads[inp] + partial if inp in grads else partial
    return {node: grads.get(node, np.zeros_like(values[node])) for node in feed_dict}
