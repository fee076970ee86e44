"""A correct op_gradients.py written differently: node reuse, reduce_sum and reshape by hand."""

import numpy as np

import autodiff as ad


def _unbroadcast(grad, shape):
    """grad summed over the leading axes and the size-1 axes broadcast to reach its shape."""
    extra = len(grad.shape) - len(shape)
    axes = tuple(range(extra)) + tuple(extra + i for i, size in enumerate(shape)
                                       if size == 1 and grad.shape[extra + i] != 1)
    if axes:
        grad = ad.reshape(ad.reduce_sum(grad, axis=axes, keepdims=True), shape)
    return grad


def gradient(node, output_grad):
    op, inputs = node.op.name, node.inputs
    if op == "div":
        a, b = inputs
        # -a/b^2 = -(a/b)/b: the node itself stands for a/b
        return [_unbroadcast(output_grad / b, a.shape),
                _unbroadcast(-(output_grad * node) / b, b.shape)]
    if op == "exp":
        return [output_grad * ad.exp(inputs[0])]
    if op == "log":
        return [output_grad * ad.reciprocal(inputs[0])]
    if op == "matmul":
        a, b = inputs
        return [_unbroadcast(ad.matmul(output_grad, ad.matrix_transpose(b)), a.shape),
                _unbroadcast(ad.matmul(ad.matrix_transpose(a), output_grad), b.shape)]
    if op == "reduce_sum":
        (x,) = inputs
        axis, keepdims = node.attrs["axis"], node.attrs["keepdims"]
        if axis is None:
            axes = tuple(range(len(x.shape)))
        else:
            axes = tuple(a % len(x.shape) for a in ((axis,) if isinstance(axis, int) else axis))
        if not keepdims:
            output_grad = ad.reshape(output_grad, tuple(1 if i in axes else d
                                                        for i, d in enumerate(x.shape)))
        return [ad.broadcast_to(output_grad, x.shape)]
    if op == "broadcast_to":
        return [_unbroadcast(output_grad, inputs[0].shape)]
    if op == "transpose":
        axes = node.attrs["axes"]
        inverse = None if axes is None else tuple(int(i) for i in np.argsort(axes))
        return [ad.transpose(output_grad, inverse)]
    raise NotImplementedError(op)
