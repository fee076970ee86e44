# expect: double-counted
# Bug: "x * x uses x twice, so its partial adjoint counts twice" -- but the loop already
# visits both input slots, so such partial adjoints are counted twice over.
import autodiff as ad


def gradient(out):
    partials = {out: [ad.ones_like(out)]}
    node_to_grad = {}
    for node in reversed(ad.topological_sort([out])):
        grad = ad.sum_node_list(partials[node]) if node in partials else ad.zeros_like(node)
        node_to_grad[node] = grad
        if not node.inputs:
            continue
        for inp, partial in zip(node.inputs, node.op.gradient(node, grad)):
            if partial is not None:
                uses = node.inputs.count(inp)
                partials.setdefault(inp, []).append(partial * float(uses) if uses > 1 else partial)
    return node_to_grad
