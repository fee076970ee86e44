# expect: stale-state
# Bug: the partial adjoints live in a module-level dict that is never cleared, so a
# second call on the same graph adds to what the first call left behind.
import autodiff as ad

partial_adjoints = {}


def gradient(out):
    partial_adjoints.setdefault(out, []).append(ad.ones_like(out))
    node_to_grad = {}
    for node in reversed(ad.topological_sort([out])):
        grads = partial_adjoints.get(node)
        grad = ad.sum_node_list(grads) if grads else ad.zeros_like(node)
        node_to_grad[node] = grad
        if not node.inputs:
            continue
        for inp, partial in zip(node.inputs, node.op.gradient(node, grad)):
            if partial is not None:
                partial_adjoints.setdefault(inp, []).append(partial)
    return node_to_grad
