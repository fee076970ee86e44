"""Reference solution of the `backprop` assignment: adjoint values on the forward graph."""

import numpy as np

import autodiff as ad


def gradient(out, feed_dict):
    """Return the adjoint value d sum(out)/d node of every node `out` depends on."""
    order = ad.topological_sort([out])
    values = {}
    for node in order:
        if node in feed_dict:
            values[node] = np.asarray(feed_dict[node], dtype=np.float64)
        else:
            values[node] = node.op.compute(node, [values[inp] for inp in node.inputs])

    partial_adjoints = {out: [np.ones(np.shape(values[out]))]}
    adjoints = {}
    for node in reversed(order):
        partials = partial_adjoints.pop(node, None)
        if not partials:
            adjoints[node] = np.zeros(np.shape(values[node]))
            continue
        grad = sum(partials[1:], start=partials[0])
        adjoints[node] = grad
        if not node.inputs:
            continue
        input_values = [values[inp] for inp in node.inputs]
        for inp, partial in zip(node.inputs, node.op.vjp(node, input_values, grad)):
            if partial is not None:
                partial_adjoints.setdefault(inp, []).append(partial)
    return adjoints
