# expect: memory
# Bug: a debugging snapshot of every adjoint so far is kept at each step: quadratic memory.
import autodiff as ad


def gradient(out):
    partials = {out: [ad.ones_like(out)]}
    node_to_grad = {}
    history = []
    for node in reversed(ad.topological_sort([out])):
        grad = ad.sum_node_list(partials[node]) if node in partials else ad.zeros_like(node)
        node_to_grad[node] = grad
        history.append((dict(node_to_grad), {k: list(v) for k, v in partials.items()}))
        if not node.inputs:
            continue
        for inp, partial in zip(node.inputs, node.op.gradient(node, grad)):
            if partial is not None:
                partials.setdefault(inp, []).append(partial)
    return node_to_grad
