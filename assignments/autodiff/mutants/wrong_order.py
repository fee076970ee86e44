# expect: wrong-order
# Bug: a breadth-first walk from out passes a node's adjoint on as soon as the node is
# first reached, before every consumer has sent its partial adjoint.
from collections import deque

import autodiff as ad


def gradient(out):
    partials = {out: [ad.ones_like(out)]}
    node_to_grad = {}
    queue, seen = deque([out]), {out}
    while queue:
        node = queue.popleft()
        grad = ad.sum_node_list(partials[node]) if node in partials else ad.zeros_like(node)
        node_to_grad[node] = grad
        if not node.inputs:
            continue
        for inp, partial in zip(node.inputs, node.op.gradient(node, grad)):
            if partial is not None:
                partials.setdefault(inp, []).append(partial)
            if inp not in seen:
                seen.add(inp)
                queue.append(inp)
    return node_to_grad
