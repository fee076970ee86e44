"""Backpropagation: the adjoint value of every node, computed on the forward graph.

Submit this one file. You may import numpy, the standard library and `autodiff`, and
define any helpers you like (your own topological sort included).
"""

import numpy as np  # noqa: F401  (you will need it)

import autodiff as ad  # noqa: F401  (ad.topological_sort may help)


def gradient(out, feed_dict):
    """Return {node: adjoint value} for every node that `out` depends on, `out` included.

    The adjoint of a node is d sum(out) / d node, a numpy array shaped like the node's
    value; the adjoint of `out` itself is np.ones_like(value of out).

    1. Forward pass: compute every node's value in topological order, with
       node.op.compute(node, [values of node.inputs]); variables take their value from
       feed_dict.
    2. Reverse pass: visit the nodes in reverse topological order. A node's adjoint is the
       sum of the partial adjoints its consumers sent it; then
       node.op.vjp(node, [values of node.inputs], adjoint) gives one partial adjoint per
       input (None means "no contribution").

    Arguments:
        out: the Node to differentiate.
        feed_dict: {variable Node: numpy array} for every variable that out depends on.
    """
    raise NotImplementedError("write the forward and the reverse pass")
