"""A correct solution written differently: Kahn's algorithm from out, running sums."""

from collections import deque

import autodiff as ad


def gradient(out):
    consumers = {}
    seen, stack = {out}, [out]
    while stack:
        node = stack.pop()
        for inp in node.inputs:
            consumers[inp] = consumers.get(inp, 0) + 1
            if inp not in seen:
                seen.add(inp)
                stack.append(inp)
    node_to_grad = {out: ad.ones_like(out)}
    ready = deque([out])
    while ready:
        node = ready.popleft()
        grad = node_to_grad.setdefault(node, ad.zeros_like(node))
        partials = node.op.gradient(node, grad) if node.inputs else []
        for inp, partial in zip(node.inputs, partials):
            if partial is not None:
                node_to_grad[inp] = node_to_grad[inp] + partial if inp in node_to_grad else partial
            consumers[inp] -= 1
            if consumers[inp] == 0:
                ready.append(inp)
    return node_to_grad
