# expect: exponential-graph
# Bug: every partial adjoint is pushed down its own path at once instead of being summed
# per node first: right values, but one subgraph per path (2^n paths on a ladder).
import autodiff as ad


def gradient(out):
    node_to_grad = {}
    stack = [(out, ad.ones_like(out))]
    while stack:
        node, grad = stack.pop()
        node_to_grad[node] = node_to_grad[node] + grad if node in node_to_grad else grad
        if not node.inputs:
            continue
        for inp, partial in zip(node.inputs, node.op.gradient(node, grad)):
            if partial is not None:
                stack.append((inp, partial))
    return node_to_grad
