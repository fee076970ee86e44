# expect: wrong-value
"""Mutant: matmul's partial adjoints without the transpose (g b instead of g b^T)."""


import autodiff as ad


def _to_shape_of(grad, inp):
    """grad summed back over the axes the forward op broadcast inp along."""
    if grad.shape is not None and grad.shape == inp.shape:
        return grad
    return ad.sum_like(grad, inp)


def _div(node, output_grad):
    a, b = node.inputs
    # d(a/b)/da = 1/b; d(a/b)/db = -a/b^2
    return [_to_shape_of(ad.div(output_grad, b), a),
            _to_shape_of(ad.neg(ad.div(ad.mul(output_grad, a), ad.mul(b, b))), b)]


def _exp(node, output_grad):
    return [ad.mul(output_grad, node)]  # d(e^x)/dx = e^x: the node itself


def _log(node, output_grad):
    return [ad.div(output_grad, node.inputs[0])]  # d(log x)/dx = 1/x, at the input


def _matmul(node, output_grad):
    a, b = node.inputs
    return [_to_shape_of(ad.matmul(output_grad, b), a),
            _to_shape_of(ad.matmul(ad.matrix_transpose(a), output_grad), b)]


def _reduce_sum(node, output_grad):
    (x,) = node.inputs
    axis = node.attrs["axis"]
    if axis is not None and not node.attrs["keepdims"]:
        output_grad = ad.expand_dims(output_grad, axis)  # the summed axes, back as size 1
    return [ad.broadcast_like(output_grad, x)]


def _broadcast_to(node, output_grad):
    return [ad.sum_like(output_grad, node.inputs[0])]


def _transpose(node, output_grad):
    axes = node.attrs["axes"]
    if axes is None:
        return [ad.transpose(output_grad)]  # reversing the axes twice is the identity
    ndim = len(axes)
    inverse = [0] * ndim
    for position, axis in enumerate(axes):
        inverse[axis % ndim] = position
    return [ad.transpose(output_grad, tuple(inverse))]


RULES = {"div": _div, "exp": _exp, "log": _log, "matmul": _matmul,
         "reduce_sum": _reduce_sum, "broadcast_to": _broadcast_to, "transpose": _transpose}


def gradient(node, output_grad):
    """The partial adjoints of node's inputs, given the adjoint output_grad of node."""
    rule = RULES.get(node.op.name)
    if rule is None:
        raise NotImplementedError(f"no gradient rule for {node.op.name}")
    return rule(node, output_grad)
