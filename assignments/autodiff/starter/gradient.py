"""Automatic differentiation: build the graph that computes every adjoint.

Submit this one file. You may import numpy, the standard library and `autodiff`, and
define any helpers you like (your own topological sort included).
"""

import autodiff as ad  # noqa: F401  (ad.topological_sort, ad.ones_like, ad.sum_node_list ...)


def gradient(out):
    """Return node_to_grad: {node: Node computing d sum(out) / d node}.

    Every node that `out` depends on gets an entry, `out` included; the adjoint of `out` is
    ad.ones_like(out). The adjoints are graph nodes, not numbers: nothing is evaluated here,
    and gradient() applies again to them (a gradient of a gradient).

    The lecture's algorithm:

        node_to_grad[out] = ones_like(out)
        for node in reverse_topo_order(nodes that out depends on):
            grad <- sum of the partial adjoints node received from its consumers
            input_grads <- node.op.gradient(node, grad)   (one per input; None: none)
            add each input's partial adjoint to that input's list

    Arguments:
        out: the Node to differentiate.
    """
    raise NotImplementedError("build the gradient graph")
