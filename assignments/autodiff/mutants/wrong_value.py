# expect: wrong-value
# Bug: the chain rule is applied with the inputs' values instead of the node's own
# adjoint for sigmoid and tanh nodes (the local derivative is used alone).
import autodiff as ad


def gradient(out):
    partials = {out: [ad.ones_like(out)]}
    node_to_grad = {}
    for node in reversed(ad.topological_sort([out])):
        grad = ad.sum_node_list(partials[node]) if node in partials else ad.zeros_like(node)
        node_to_grad[node] = grad
        if not node.inputs:
            continue
        passed_on = ad.ones_like(node) if node.op.name in ("sigmoid", "tanh") else grad
        for inp, partial in zip(node.inputs, node.op.gradient(node, passed_on)):
            if partial is not None:
                partials.setdefault(inp, []).append(partial)
    return node_to_grad
