"""A correct `backprop` written unlike the reference: Kahn's algorithm on consumer counts,
its own forward pass, and adjoints accumulated with np.add into a dict."""

from collections import deque

import numpy as np


def gradient(out, feed_dict):
    # Every node out depends on, found without recursion, and how many times each is consumed.
    consumers = {out: 0}
    frontier = [out]
    while frontier:
        node = frontier.pop()
        for inp in node.inputs:
            if inp not in consumers:
                consumers[inp] = 0
                frontier.append(inp)
            consumers[inp] += 1

    # Forward pass in an order of our own: a node once all of its inputs are known.
    values = {}
    waiting = {node: len(set(node.inputs)) for node in consumers}
    users = {}
    for node in consumers:
        for inp in set(node.inputs):
            users.setdefault(inp, []).append(node)
    ready = deque(node for node, count in waiting.items() if count == 0)
    while ready:
        node = ready.popleft()
        if node in feed_dict:
            values[node] = np.array(feed_dict[node], dtype=np.float64)
        else:
            values[node] = np.asarray(node.op.compute(node, [values[i] for i in node.inputs]))
        for user in users.get(node, []):
            waiting[user] -= 1
            if waiting[user] == 0:
                ready.append(user)

    # Reverse pass: a node is ready once every one of its consumers has sent its partial.
    adjoint = {node: np.zeros(np.shape(values[node])) for node in consumers}
    adjoint[out] = np.ones(np.shape(values[out]))
    remaining = dict(consumers)
    ready = deque([out])
    while ready:
        node = ready.popleft()
        if node.inputs:
            partials = node.op.vjp(node, [values[i] for i in node.inputs], adjoint[node])
            for inp, partial in zip(node.inputs, partials):
                if partial is not None:
                    adjoint[inp] = np.add(adjoint[inp], partial)
        for inp in node.inputs:
            remaining[inp] -= 1
            if remaining[inp] == 0:
                ready.append(inp)
    return adjoint
