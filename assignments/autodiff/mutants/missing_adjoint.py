# expect: missing-adjoint
# Bug: only nodes with inputs get an entry; the variables' adjoints are never stored.
import autodiff as ad


def gradient(out):
    partials = {out: [ad.ones_like(out)]}
    node_to_grad = {}
    for node in reversed(ad.topological_sort([out])):
        if not node.inputs:
            continue
        grad = ad.sum_node_list(partials[node]) if node in partials else ad.zeros_like(node)
        node_to_grad[node] = grad
        for inp, partial in zip(node.inputs, node.op.gradient(node, grad)):
            if partial is not None:
                partials.setdefault(inp, []).append(partial)
    return node_to_grad
