"""A correct `backprop` written unlike the reference: an explicit-stack post-order DFS that
visits inputs right to left, a defaultdict of adjoints, and no popping of partial lists."""

from collections import defaultdict

import numpy as np


def post_order(out):
    order, done, stack = [], set(), [(out, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if node in done:
            continue
        done.add(node)
        stack.append((node, True))
        for inp in node.inputs:  # pushed left to right, so visited right to left
            if inp not in done:
                stack.append((inp, False))
    return order


def gradient(out, feed_dict):
    order = post_order(out)
    values = {}
    for node in order:
        if node in feed_dict:
            values[node] = np.asarray(feed_dict[node], dtype=float)
        else:
            values[node] = node.op.compute(node, [values[i] for i in node.inputs])

    received = defaultdict(list)
    received[out].append(np.ones_like(values[out], dtype=float))
    node_to_grad = {}
    for node in order[::-1]:
        grad = np.zeros(np.shape(values[node]))
        for partial in received[node]:
            grad = grad + partial
        node_to_grad[node] = grad
        if not node.inputs:
            continue
        input_values = [values[i] for i in node.inputs]
        for inp, partial in zip(node.inputs, node.op.vjp(node, input_values, grad)):
            if partial is not None:
                received[inp].append(partial)
    return node_to_grad
