# expect: wrong-shape
# Bug: "a weight's gradient is summed over the batch": the variables' adjoints are
# reduced to scalars, so they no longer have their variables' shapes.
import autodiff as ad


def gradient(out):
    partials = {out: [ad.ones_like(out)]}
    node_to_grad = {}
    for node in reversed(ad.topological_sort([out])):
        grad = ad.sum_node_list(partials[node]) if node in partials else ad.zeros_like(node)
        if not node.inputs:
            node_to_grad[node] = ad.reduce_sum(grad)
            continue
        node_to_grad[node] = grad
        for inp, partial in zip(node.inputs, node.op.gradient(node, grad)):
            if partial is not None:
                partials.setdefault(inp, []).append(partial)
    return node_to_grad
