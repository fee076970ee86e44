# expect: adjoint-not-summed
# Bug: each partial adjoint overwrites the previous one instead of adding to it.
import autodiff as ad


def gradient(out):
    node_to_grad = {out: ad.ones_like(out)}
    for node in reversed(ad.topological_sort([out])):
        grad = node_to_grad.setdefault(node, ad.zeros_like(node))
        if not node.inputs:
            continue
        for inp, partial in zip(node.inputs, node.op.gradient(node, grad)):
            if partial is not None:
                node_to_grad[inp] = partial
    return node_to_grad
