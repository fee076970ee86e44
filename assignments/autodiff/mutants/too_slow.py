# expect: too-slow
# Bug: visited nodes are kept in a list, so every membership test scans it: quadratic time.
import autodiff as ad


def topo_sort(out):
    visited, order, stack = [], [], [(out, iter(out.inputs))]
    visited.append(out)
    while stack:
        node, pending = stack[-1]
        for inp in pending:
            if inp not in visited:
                visited.append(inp)
                stack.append((inp, iter(inp.inputs)))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def gradient(out):
    partials = {out: [ad.ones_like(out)]}
    node_to_grad = {}
    for node in reversed(topo_sort(out)):
        grad = ad.sum_node_list(partials[node]) if node in partials else ad.zeros_like(node)
        node_to_grad[node] = grad
        if not node.inputs:
            continue
        for inp, partial in zip(node.inputs, node.op.gradient(node, grad)):
            if partial is not None:
                partials.setdefault(inp, []).append(partial)
    return node_to_grad
