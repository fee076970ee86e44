"""Reference solution of the `autodiff` assignment: build the gradient graph."""

import autodiff as ad


def gradient(out):
    """Return node_to_grad: for every node `out` depends on, a Node computing d sum(out)/d node."""
    partial_adjoints = {out: [ad.ones_like(out)]}
    node_to_grad = {}
    for node in reversed(ad.topological_sort([out])):
        partials = partial_adjoints.pop(node, None)
        if not partials:
            # No path carries an adjoint here (e.g. it only feeds ones_like): it is zero.
            node_to_grad[node] = ad.zeros_like(node)
            continue
        grad = ad.sum_node_list(partials)
        node_to_grad[node] = grad
        if not node.inputs:
            continue
        for inp, partial in zip(node.inputs, node.op.gradient(node, grad)):
            if partial is not None:
                partial_adjoints.setdefault(inp, []).append(partial)
    return node_to_grad
