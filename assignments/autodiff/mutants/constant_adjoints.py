# expect: not-a-graph
# Bug: the adjoints are computed as numbers at one point (every variable set to 1, then the
# values' backward pass with op.vjp) and wrapped as constants. The returned "graph" does
# not depend on the inputs: it is right at that one point only, and cannot be
# differentiated again.
import numpy as np

import autodiff as ad


def gradient(out):
    order = ad.topological_sort([out])
    feed = {node: np.ones(node.shape or ()) for node in order if node.op.name == "variable"}
    values = dict(zip(order, ad.evaluate(order, feed)))
    adjoints = {out: np.ones_like(values[out])}
    for node in reversed(order):
        grad = adjoints.setdefault(node, np.zeros_like(values[node]))
        if not node.inputs:
            continue
        partials = node.op.vjp(node, [values[i] for i in node.inputs], grad)
        for inp, partial in zip(node.inputs, partials):
            if partial is not None:
                adjoints[inp] = adjoints[inp] + partial if inp in adjoints else partial
    return {node: ad.constant(value) for node, value in adjoints.items()}
