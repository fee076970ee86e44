# expect: stale-state
# node_to_grad and the forward values live at module level so that the helpers can reach
# them, and gradient() never clears them: a second call on the same graph starts from the
# first call's values and adjoints.
import numpy as np

import autodiff as ad

values = {}
node_to_grad = {}


def forward(order, feed_dict):
    for node in order:
        if node in values:
            continue
        if node in feed_dict:
            values[node] = np.asarray(feed_dict[node], dtype=float)
        else:
            values[node] = node.op.compute(node, [values[i] for i in node.inputs])


def accumulate(node, partial):
    if node in node_to_grad:
        node_to_grad[node] = node_to_grad[node] + partial
    else:
        node_to_grad[node] = partial


def gradient(out, feed_dict):
    order = ad.topological_sort([out])
    forward(order, feed_dict)
    accumulate(out, np.ones_like(values[out]))
    for node in reversed(order):
        if node not in node_to_grad:
            node_to_grad[node] = np.zeros_like(values[node])
        grads = node.op.vjp(node, [values[i] for i in node.inputs], node_to_grad[node])
        for inp, partial in zip(node.inputs, grads):
            if partial is not None:
                accumulate(inp, partial)
    return {node: node_to_grad[node] for node in order}
