# expect: wrong-seed
# Bug: the walk starts from the number 1 instead of ones_like(out), so a non-scalar
# output gets a scalar adjoint.
import autodiff as ad


def gradient(out):
    partials = {out: [ad.constant(1.0)]}
    node_to_grad = {}
    for node in reversed(ad.topological_sort([out])):
        grad = ad.sum_node_list(partials[node]) if node in partials else ad.zeros_like(node)
        node_to_grad[node] = grad
        if not node.inputs:
            continue
        for inp, partial in zip(node.inputs, node.op.gradient(node, grad)):
            if partial is not None:
                partials.setdefault(inp, []).append(partial)
    return node_to_grad
