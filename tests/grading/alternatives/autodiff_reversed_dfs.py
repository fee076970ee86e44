"""A correct solution written differently: its own DFS visiting inputs right to left."""

import functools

import autodiff as ad


def reverse_topological_order(out):
    order, visited, stack = [], {out}, [(out, iter(reversed(out.inputs)))]
    while stack:
        node, pending = stack[-1]
        child = next((c for c in pending if c not in visited), None)
        if child is None:
            stack.pop()
            order.append(node)
        else:
            visited.add(child)
            stack.append((child, iter(reversed(child.inputs))))
    return order[::-1]


def gradient(out):
    partial_adjoints = {out: [ad.ones_like(out)]}
    node_to_grad = {}
    for node in reverse_topological_order(out):
        grads = partial_adjoints.pop(node, [])
        node_to_grad[node] = functools.reduce(ad.add, grads) if grads else ad.zeros_like(node)
        if node.inputs and grads:
            for inp, partial in zip(node.inputs, node.op.gradient(node, node_to_grad[node])):
                if partial is not None:
                    partial_adjoints.setdefault(inp, []).append(partial)
    return node_to_grad
