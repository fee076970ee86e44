# expect: missing-adjoint
# Bug: every node is assumed to receive at least one partial adjoint. A node whose only
# consumers pass None (it feeds only ones_like / zeros_like) has no list, so the lookup
# raises KeyError instead of giving the node the adjoint zero.
import autodiff as ad


def gradient(out):
    partials = {out: [ad.ones_like(out)]}
    node_to_grad = {}
    for node in reversed(ad.topological_sort([out])):
        grad = ad.sum_node_list(partials[node])
        node_to_grad[node] = grad
        for inp, partial in zip(node.inputs, node.op.gradient(node, grad)):
            if partial is not None:
                partials.setdefault(inp, []).append(partial)
    return node_to_grad
