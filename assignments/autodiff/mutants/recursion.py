# expect: recursion-limit
# Bug: a recursive topological sort, which overflows Python's stack on deep graphs.
import autodiff as ad


def topo_sort(node, visited, order):
    if node in visited:
        return
    visited.add(node)
    for inp in node.inputs:
        topo_sort(inp, visited, order)
    order.append(node)


def gradient(out):
    order = []
    topo_sort(out, set(), order)
    partials = {out: [ad.ones_like(out)]}
    node_to_grad = {}
    for node in reversed(order):
        grad = ad.sum_node_list(partials[node]) if node in partials else ad.zeros_like(node)
        node_to_grad[node] = grad
        if not node.inputs:
            continue
        for inp, partial in zip(node.inputs, node.op.gradient(node, grad)):
            if partial is not None:
                partials.setdefault(inp, []).append(partial)
    return node_to_grad
