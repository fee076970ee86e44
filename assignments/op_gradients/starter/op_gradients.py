"""The backward rule of seven ops: gradient(node, output_grad), the lecture's op.gradient.

Submit this one file. You may import numpy, the standard library and autodiff. Build every
partial adjoint from kit ops (ad.mul, ad.div, ad.matmul, ...): return graph Nodes, evaluate
nothing, and do not call the kit's own node.op.gradient for these ops.
"""

import autodiff as ad  # noqa: F401  (you will need it)


def gradient(node, output_grad):
    """Return the partial adjoints of node's inputs: one entry per input, in order.

    node.op.name is one of "div", "exp", "log", "matmul", "reduce_sum", "broadcast_to",
    "transpose". output_grad is a Node of node's shape: the adjoint of node. Each entry
    you return is a Node with the shape of its input (sum it back over the axes the
    forward op broadcast the input along), or None for an input with no adjoint.
    """
    raise NotImplementedError(f"write the gradient rule of {node.op.name}")
