# expect: wrong-order
# Walks the graph depth-first from out and processes each node when it is first reached,
# taking that for reverse topological order. A node reached through a short path is
# processed before its other consumers have sent their partial adjoints.
import numpy as np


def forward(out, feed_dict):
    values = {}
    stack = [out]
    while stack:
        node = stack[-1]
        if node in values:
            stack.pop()
            continue
        if node in feed_dict:
            values[node] = np.asarray(feed_dict[node], dtype=float)
            stack.pop()
            continue
        missing = [i for i in node.inputs if i not in values]
        if missing:
            stack.extend(missing)
        else:
            values[node] = node.op.compute(node, [values[i] for i in node.inputs])
            stack.pop()
    return values


def reverse_order(out):
    order, seen, stack = [], set(), [out]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        order.append(node)
        for inp in node.inputs:
            stack.append(inp)
    return order


def gradient(out, feed_dict):
    values = forward(out, feed_dict)
    adjoints = {out: np.ones_like(values[out])}
    for node in reverse_order(out):
        if node not in adjoints:
            adjoints[node] = np.zeros_like(values[node])
        grads = node.op.vjp(node, [values[i] for i in node.inputs], adjoints[node])
        for inp, g in zip(node.inputs, grads):
            if g is None:
                continue
            if inp in adjoints:
                adjoints[inp] = adjoints[inp] + g
            else:
                adjoints[inp] = g
    return adjoints
