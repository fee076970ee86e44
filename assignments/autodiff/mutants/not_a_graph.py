# expect: not-a-graph
# Bug: returns the lists of partial adjoints instead of one summed Node per node.
import autodiff as ad


def gradient(out):
    partials = {out: [ad.ones_like(out)]}
    for node in reversed(ad.topological_sort([out])):
        grads = partials.setdefault(node, [ad.zeros_like(node)])
        if not node.inputs:
            continue
        for inp, partial in zip(node.inputs, node.op.gradient(node, ad.sum_node_list(grads))):
            if partial is not None:
                partials.setdefault(inp, []).append(partial)
    return partials
