"""The ops of the kit: each is a small class with compute, gradient and vjp side by side.

Elementwise ops broadcast as numpy does. A partial adjoint has the shape of the
node it flows out of, so each gradient reduces it back to its input's shape:
``sum_like(grad, input)`` in the graph, ``unbroadcast(value, shape)`` in numbers.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np

from .graph import Node, Op, as_node, is_number

# ---------------------------------------------------------------------------
# Shape helpers


def unbroadcast(value: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``value`` over the axes numpy broadcast to turn ``shape`` into value's shape."""
    value = np.asarray(value)
    if value.shape == tuple(shape):
        return value
    extra = value.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, size in enumerate(shape) if size == 1 and value.shape[extra + i] != 1
    )
    return np.sum(value, axis=axes, keepdims=True).reshape(shape)


def _reduced_to_input(grad: Node, inp: Node) -> Node:
    """The partial adjoint ``grad``, summed down to ``inp``'s shape where it may differ."""
    if grad.shape is not None and grad.shape == inp.shape:
        return grad
    return sum_like(grad, inp)


def _normalise_axes(axis, ndim: int) -> tuple[int, ...]:
    axes = tuple(range(ndim)) if axis is None else (axis,) if isinstance(axis, int) else axis
    normalised = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of bounds for {ndim} dimensions")
        normalised.append(a % ndim)
    return tuple(normalised)


def _reshaped(shape: tuple[int, ...], new_shape: tuple[int, ...]) -> tuple[int, ...]:
    size = math.prod(shape)
    unknown = [i for i, d in enumerate(new_shape) if d == -1]
    known = math.prod(d for d in new_shape if d != -1)
    if len(unknown) > 1 or (unknown and (known == 0 or size % known)) or (
        not unknown and known != size
    ):
        raise ValueError(f"cannot reshape {shape} into {new_shape}")
    if unknown:
        new_shape = tuple(size // known if d == -1 else d for d in new_shape)
    return tuple(new_shape)


def _broadcast_shape(*shapes) -> tuple[int, ...]:
    if all(shape == shapes[0] for shape in shapes):
        return tuple(shapes[0])
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"shapes {' and '.join(map(str, shapes))} do not broadcast") from None


class ElementwiseBinary(Op):
    def infer_shape(self, node, input_shapes):
        return _broadcast_shape(*input_shapes)


class ElementwiseUnary(Op):
    def infer_shape(self, node, input_shapes):
        return input_shapes[0]


# ---------------------------------------------------------------------------
# Arithmetic


class Add(ElementwiseBinary):
    name = "add"

    def compute(self, node, input_values):
        a, b = input_values
        return a + b

    def gradient(self, node, output_grad):
        a, b = node.inputs
        return [_reduced_to_input(output_grad, a), _reduced_to_input(output_grad, b)]

    def vjp(self, node, input_values, output_grad_value):
        a, b = input_values
        return [unbroadcast(output_grad_value, np.shape(a)),
                unbroadcast(output_grad_value, np.shape(b))]


class Sub(ElementwiseBinary):
    name = "sub"

    def compute(self, node, input_values):
        a, b = input_values
        return a - b

    def gradient(self, node, output_grad):
        a, b = node.inputs
        return [_reduced_to_input(output_grad, a),
                _reduced_to_input(neg(output_grad), b)]

    def vjp(self, node, input_values, output_grad_value):
        a, b = input_values
        return [unbroadcast(output_grad_value, np.shape(a)),
                unbroadcast(-output_grad_value, np.shape(b))]


class Mul(ElementwiseBinary):
    name = "mul"

    def compute(self, node, input_values):
        a, b = input_values
        return a * b

    def gradient(self, node, output_grad):
        a, b = node.inputs
        return [_reduced_to_input(mul(output_grad, b), a),
                _reduced_to_input(mul(output_grad, a), b)]

    def vjp(self, node, input_values, output_grad_value):
        a, b = input_values
        return [unbroadcast(output_grad_value * b, np.shape(a)),
                unbroadcast(output_grad_value * a, np.shape(b))]


class Div(ElementwiseBinary):
    name = "div"

    def compute(self, node, input_values):
        a, b = input_values
        return a / b

    def gradient(self, node, output_grad):
        # d(a/b)/da = 1/b and d(a/b)/db = -a/b^2 = -(a/b)/b, which reuses the node itself.
        a, b = node.inputs
        return [_reduced_to_input(div(output_grad, b), a),
                _reduced_to_input(neg(div(mul(output_grad, node), b)), b)]

    def vjp(self, node, input_values, output_grad_value):
        a, b = input_values
        return [unbroadcast(output_grad_value / b, np.shape(a)),
                unbroadcast(-output_grad_value * a / (b * b), np.shape(b))]


class Neg(ElementwiseUnary):
    name = "neg"

    def compute(self, node, input_values):
        return -input_values[0]

    def gradient(self, node, output_grad):
        return [neg(output_grad)]

    def vjp(self, node, input_values, output_grad_value):
        return [-output_grad_value]


class AddConst(ElementwiseUnary):
    """x + c for a number c kept in ``attrs['const']``."""

    name = "add_const"

    def compute(self, node, input_values):
        return input_values[0] + node.attrs["const"]

    def gradient(self, node, output_grad):
        return [output_grad]

    def vjp(self, node, input_values, output_grad_value):
        return [output_grad_value]


class MulConst(ElementwiseUnary):
    """x * c for a number c kept in ``attrs['const']``."""

    name = "mul_const"

    def compute(self, node, input_values):
        return input_values[0] * node.attrs["const"]

    def gradient(self, node, output_grad):
        return [mul_const(output_grad, node.attrs["const"])]

    def vjp(self, node, input_values, output_grad_value):
        return [output_grad_value * node.attrs["const"]]


class Power(ElementwiseUnary):
    """x ** p for a number p kept in ``attrs['exponent']``."""

    name = "power"

    def compute(self, node, input_values):
        return np.power(input_values[0], node.attrs["exponent"])

    def gradient(self, node, output_grad):
        # d(x^p)/dx = p x^(p-1); the special cases keep the graph small and avoid 0 * inf.
        (x,) = node.inputs
        p = node.attrs["exponent"]
        if p == 0:
            return [None]
        if p == 1:
            return [output_grad]
        local = mul_const(x, 2.0) if p == 2 else mul_const(power(x, p - 1), p)
        return [mul(output_grad, local)]

    def vjp(self, node, input_values, output_grad_value):
        p = node.attrs["exponent"]
        if p == 0:
            return [None]
        return [output_grad_value * p * np.power(input_values[0], p - 1)]


# ---------------------------------------------------------------------------
# Nonlinear elementwise functions


class Exp(ElementwiseUnary):
    name = "exp"

    def compute(self, node, input_values):
        return np.exp(input_values[0])

    def gradient(self, node, output_grad):
        return [mul(output_grad, node)]  # d(e^x)/dx = e^x, the node itself

    def vjp(self, node, input_values, output_grad_value):
        return [output_grad_value * np.exp(input_values[0])]


class Log(ElementwiseUnary):
    name = "log"

    def compute(self, node, input_values):
        return np.log(input_values[0])

    def gradient(self, node, output_grad):
        return [div(output_grad, node.inputs[0])]

    def vjp(self, node, input_values, output_grad_value):
        return [output_grad_value / input_values[0]]


class Reciprocal(ElementwiseUnary):
    name = "reciprocal"

    def compute(self, node, input_values):
        return 1.0 / input_values[0]

    def gradient(self, node, output_grad):
        # d(1/x)/dx = -1/x^2 = -(1/x)^2, the node squared.
        return [neg(mul(output_grad, mul(node, node)))]

    def vjp(self, node, input_values, output_grad_value):
        x = input_values[0]
        return [-output_grad_value / (x * x)]


class Sigmoid(ElementwiseUnary):
    name = "sigmoid"

    def compute(self, node, input_values):
        # The tanh form never overflows, unlike 1 / (1 + exp(-x)) for large negative x.
        return 0.5 * (np.tanh(0.5 * input_values[0]) + 1.0)

    def gradient(self, node, output_grad):
        # sigma' = sigma (1 - sigma)
        return [mul(output_grad, mul(node, add_const(neg(node), 1.0)))]

    def vjp(self, node, input_values, output_grad_value):
        s = self.compute(node, input_values)
        return [output_grad_value * s * (1.0 - s)]


class Tanh(ElementwiseUnary):
    name = "tanh"

    def compute(self, node, input_values):
        return np.tanh(input_values[0])

    def gradient(self, node, output_grad):
        # tanh' = 1 - tanh^2
        return [mul(output_grad, add_const(neg(mul(node, node)), 1.0))]

    def vjp(self, node, input_values, output_grad_value):
        t = np.tanh(input_values[0])
        return [output_grad_value * (1.0 - t * t)]


class Relu(ElementwiseUnary):
    name = "relu"

    def compute(self, node, input_values):
        return np.maximum(input_values[0], 0.0)

    def gradient(self, node, output_grad):
        return [mul(output_grad, step(node.inputs[0]))]

    def vjp(self, node, input_values, output_grad_value):
        return [output_grad_value * (input_values[0] > 0)]


class Step(ElementwiseUnary):
    """1 where x > 0, else 0: relu's derivative. Its own derivative is 0 almost everywhere."""

    name = "step"

    def compute(self, node, input_values):
        return (input_values[0] > 0).astype(np.float64)

    def gradient(self, node, output_grad):
        return [None]

    def vjp(self, node, input_values, output_grad_value):
        return [None]


# ---------------------------------------------------------------------------
# Linear algebra and shapes


class MatMul(Op):
    """a @ b for 2-D operands and batches of them (leading axes broadcast)."""

    name = "matmul"

    def infer_shape(self, node, input_shapes):
        a, b = input_shapes
        if len(a) < 2 or len(b) < 2:
            raise ValueError(f"matmul needs operands of at least 2 dimensions, got {a} and {b}")
        if a[-1] != b[-2]:
            raise ValueError(f"matmul shapes {a} and {b} do not align ({a[-1]} != {b[-2]})")
        return _broadcast_shape(a[:-2], b[:-2]) + (a[-2], b[-1])

    def compute(self, node, input_values):
        a, b = input_values
        if np.ndim(a) < 2 or np.ndim(b) < 2:
            raise ValueError("matmul needs operands of at least 2 dimensions, "
                             f"got {np.shape(a)} and {np.shape(b)}")
        return np.matmul(a, b)

    def gradient(self, node, output_grad):
        a, b = node.inputs
        return [_reduced_to_input(matmul(output_grad, matrix_transpose(b)), a),
                _reduced_to_input(matmul(matrix_transpose(a), output_grad), b)]

    def vjp(self, node, input_values, output_grad_value):
        a, b = input_values
        return [unbroadcast(np.matmul(output_grad_value, np.swapaxes(b, -1, -2)), np.shape(a)),
                unbroadcast(np.matmul(np.swapaxes(a, -1, -2), output_grad_value), np.shape(b))]


class MatrixTranspose(Op):
    """Swap the last two axes (a batch of transposes)."""

    name = "matrix_transpose"

    def infer_shape(self, node, input_shapes):
        (shape,) = input_shapes
        if len(shape) < 2:
            raise ValueError(f"matrix_transpose needs at least 2 dimensions, got {shape}")
        return shape[:-2] + (shape[-1], shape[-2])

    def compute(self, node, input_values):
        return np.swapaxes(input_values[0], -1, -2)

    def gradient(self, node, output_grad):
        return [matrix_transpose(output_grad)]

    def vjp(self, node, input_values, output_grad_value):
        return [np.swapaxes(output_grad_value, -1, -2)]


class Transpose(Op):
    """numpy's transpose: ``attrs['axes']`` permutes the axes; None reverses them."""

    name = "transpose"

    def infer_shape(self, node, input_shapes):
        (shape,) = input_shapes
        axes = node.attrs["axes"]
        if axes is None:
            return tuple(reversed(shape))
        if sorted(_normalise_axes(axes, len(shape))) != list(range(len(shape))):
            raise ValueError(f"axes {axes} are not a permutation of {len(shape)} dimensions")
        return tuple(shape[a] for a in axes)

    def compute(self, node, input_values):
        return np.transpose(input_values[0], node.attrs["axes"])

    def gradient(self, node, output_grad):
        return [transpose(output_grad, self._inverse(node, len(node.inputs[0].shape or ())))]

    def vjp(self, node, input_values, output_grad_value):
        return [np.transpose(output_grad_value, self._inverse(node, np.ndim(input_values[0])))]

    @staticmethod
    def _inverse(node, ndim):
        axes = node.attrs["axes"]
        if axes is None:
            return None  # reversing twice is the identity
        return tuple(int(i) for i in np.argsort(_normalise_axes(axes, len(axes))))


class Reshape(Op):
    name = "reshape"

    def infer_shape(self, node, input_shapes):
        return _reshaped(input_shapes[0], node.attrs["shape"])

    def compute(self, node, input_values):
        return np.reshape(input_values[0], node.attrs["shape"])

    def gradient(self, node, output_grad):
        return [reshape_like(output_grad, node.inputs[0])]

    def vjp(self, node, input_values, output_grad_value):
        return [np.reshape(output_grad_value, np.shape(input_values[0]))]


class ReshapeLike(Op):
    """Reshape x to the shape of ref; ref contributes its shape only."""

    name = "reshape_like"

    def infer_shape(self, node, input_shapes):
        return _reshaped(input_shapes[0], input_shapes[1])

    def compute(self, node, input_values):
        x, ref = input_values
        return np.reshape(x, np.shape(ref))

    def gradient(self, node, output_grad):
        return [reshape_like(output_grad, node.inputs[0]), None]

    def vjp(self, node, input_values, output_grad_value):
        return [np.reshape(output_grad_value, np.shape(input_values[0])), None]


class BroadcastTo(Op):
    name = "broadcast_to"

    def infer_shape(self, node, input_shapes):
        target = node.attrs["shape"]
        if _broadcast_shape(input_shapes[0], target) != target:
            raise ValueError(f"cannot broadcast {input_shapes[0]} to {target}")
        return target

    def compute(self, node, input_values):
        return np.broadcast_to(input_values[0], node.attrs["shape"]).copy()

    def gradient(self, node, output_grad):
        return [sum_like(output_grad, node.inputs[0])]

    def vjp(self, node, input_values, output_grad_value):
        return [unbroadcast(output_grad_value, np.shape(input_values[0]))]


class BroadcastLike(Op):
    """Broadcast x to the shape of ref; ref contributes its shape only."""

    name = "broadcast_like"

    def infer_shape(self, node, input_shapes):
        x, ref = input_shapes
        if _broadcast_shape(x, ref) != ref:
            raise ValueError(f"cannot broadcast {x} to {ref}")
        return ref

    def compute(self, node, input_values):
        x, ref = input_values
        return np.broadcast_to(x, np.shape(ref)).copy()

    def gradient(self, node, output_grad):
        return [sum_like(output_grad, node.inputs[0]), None]

    def vjp(self, node, input_values, output_grad_value):
        return [unbroadcast(output_grad_value, np.shape(input_values[0])), None]


class SumLike(Op):
    """Sum x down to the shape of ref (undoing a broadcast); ref contributes its shape only."""

    name = "sum_like"

    def infer_shape(self, node, input_shapes):
        x, ref = input_shapes
        if _broadcast_shape(x, ref) != x:
            raise ValueError(f"cannot sum {x} down to {ref}")
        return ref

    def compute(self, node, input_values):
        x, ref = input_values
        return unbroadcast(x, np.shape(ref))

    def gradient(self, node, output_grad):
        return [broadcast_like(output_grad, node.inputs[0]), None]

    def vjp(self, node, input_values, output_grad_value):
        return [np.broadcast_to(output_grad_value, np.shape(input_values[0])).copy(), None]


class ReduceSum(Op):
    """Sum over ``attrs['axis']`` (an int, a tuple, or None for all axes)."""

    name = "reduce_sum"

    def infer_shape(self, node, input_shapes):
        (shape,) = input_shapes
        axes = _normalise_axes(node.attrs["axis"], len(shape))
        if node.attrs["keepdims"]:
            return tuple(1 if i in axes else d for i, d in enumerate(shape))
        return tuple(d for i, d in enumerate(shape) if i not in axes)

    def compute(self, node, input_values):
        return np.sum(input_values[0], axis=node.attrs["axis"], keepdims=node.attrs["keepdims"])

    def gradient(self, node, output_grad):
        (x,) = node.inputs
        axis = node.attrs["axis"]
        if axis is not None and not node.attrs["keepdims"]:
            output_grad = expand_dims(output_grad, axis)
        return [broadcast_like(output_grad, x)]

    def vjp(self, node, input_values, output_grad_value):
        x = input_values[0]
        axis = node.attrs["axis"]
        if axis is not None and not node.attrs["keepdims"]:
            output_grad_value = np.expand_dims(output_grad_value, axis)
        return [np.broadcast_to(output_grad_value, np.shape(x)).copy()]


class ExpandDims(Op):
    """Insert size-1 axes at ``attrs['axis']``, as numpy.expand_dims."""

    name = "expand_dims"

    def infer_shape(self, node, input_shapes):
        return np.expand_dims(np.empty(input_shapes[0], dtype=np.bool_), node.attrs["axis"]).shape

    def compute(self, node, input_values):
        return np.expand_dims(input_values[0], node.attrs["axis"])

    def gradient(self, node, output_grad):
        # The inserted axes have size 1, so summing over them is the inverse reshape.
        return [reduce_sum(output_grad, axis=node.attrs["axis"])]

    def vjp(self, node, input_values, output_grad_value):
        return [np.reshape(output_grad_value, np.shape(input_values[0]))]


class OnesLike(ElementwiseUnary):
    name = "ones_like"

    def compute(self, node, input_values):
        return np.ones(np.shape(input_values[0]))

    def gradient(self, node, output_grad):
        return [None]

    def vjp(self, node, input_values, output_grad_value):
        return [None]


class ZerosLike(ElementwiseUnary):
    name = "zeros_like"

    def compute(self, node, input_values):
        return np.zeros(np.shape(input_values[0]))

    def gradient(self, node, output_grad):
        return [None]

    def vjp(self, node, input_values, output_grad_value):
        return [None]


# ---------------------------------------------------------------------------
# The functions students call. Numbers on either side of + - * / become attributes.

_add, _sub, _mul, _div, _neg = Add(), Sub(), Mul(), Div(), Neg()
_add_const, _mul_const, _power = AddConst(), MulConst(), Power()
_exp, _log, _reciprocal, _sigmoid, _tanh, _relu, _step = (
    Exp(), Log(), Reciprocal(), Sigmoid(), Tanh(), Relu(), Step())
_matmul, _matrix_transpose, _transpose = MatMul(), MatrixTranspose(), Transpose()
_reshape, _reshape_like, _broadcast_to, _broadcast_like, _sum_like = (
    Reshape(), ReshapeLike(), BroadcastTo(), BroadcastLike(), SumLike())
_reduce_sum, _expand_dims, _ones_like, _zeros_like = (
    ReduceSum(), ExpandDims(), OnesLike(), ZerosLike())


def _number(value) -> float:
    return float(value)


def add(a, b) -> Node:
    if is_number(b) and isinstance(a, Node):
        return add_const(a, b)
    if is_number(a) and isinstance(b, Node):
        return add_const(b, a)
    return _add.make_node(as_node(a), as_node(b))


def sub(a, b) -> Node:
    if is_number(b) and isinstance(a, Node):
        return add_const(a, -_number(b))
    if is_number(a) and isinstance(b, Node):
        return add_const(neg(b), a)  # c - x = (-x) + c
    return _sub.make_node(as_node(a), as_node(b))


def mul(a, b) -> Node:
    if is_number(b) and isinstance(a, Node):
        return mul_const(a, b)
    if is_number(a) and isinstance(b, Node):
        return mul_const(b, a)
    return _mul.make_node(as_node(a), as_node(b))


def div(a, b) -> Node:
    if is_number(b) and isinstance(a, Node):
        return mul_const(a, 1.0 / _number(b))
    if is_number(a) and isinstance(b, Node):
        return mul_const(reciprocal(b), a)  # c / x = c * (1/x)
    return _div.make_node(as_node(a), as_node(b))


def neg(x) -> Node:
    return _neg.make_node(as_node(x))


def add_const(x, const) -> Node:
    return _add_const.make_node(as_node(x), const=_number(const))


def mul_const(x, const) -> Node:
    return _mul_const.make_node(as_node(x), const=_number(const))


def power(x, p) -> Node:
    if not is_number(p):
        raise TypeError(f"power() takes a number as exponent, not {type(p).__name__}")
    return _power.make_node(as_node(x), exponent=_number(p))


def exp(x) -> Node:
    return _exp.make_node(as_node(x))


def log(x) -> Node:
    return _log.make_node(as_node(x))


def reciprocal(x) -> Node:
    return _reciprocal.make_node(as_node(x))


def sigmoid(x) -> Node:
    return _sigmoid.make_node(as_node(x))


def tanh(x) -> Node:
    return _tanh.make_node(as_node(x))


def relu(x) -> Node:
    return _relu.make_node(as_node(x))


def step(x) -> Node:
    return _step.make_node(as_node(x))


def matmul(a, b) -> Node:
    return _matmul.make_node(as_node(a), as_node(b))


def matrix_transpose(x) -> Node:
    return _matrix_transpose.make_node(as_node(x))


def transpose(x, axes: Sequence[int] | None = None) -> Node:
    return _transpose.make_node(as_node(x), axes=None if axes is None else tuple(axes))


def reshape(x, shape: Sequence[int]) -> Node:
    return _reshape.make_node(as_node(x), shape=tuple(int(d) for d in shape))


def reshape_like(x, ref: Node) -> Node:
    return _reshape_like.make_node(as_node(x), ref)


def broadcast_to(x, shape: Sequence[int]) -> Node:
    return _broadcast_to.make_node(as_node(x), shape=tuple(int(d) for d in shape))


def broadcast_like(x, ref: Node) -> Node:
    return _broadcast_like.make_node(as_node(x), ref)


def sum_like(x, ref: Node) -> Node:
    return _sum_like.make_node(as_node(x), ref)


def reduce_sum(x, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Node:
    if axis is not None and not isinstance(axis, int):
        axis = tuple(int(a) for a in axis)
    return _reduce_sum.make_node(as_node(x), axis=axis, keepdims=bool(keepdims))


def expand_dims(x, axis: int | Sequence[int]) -> Node:
    if not isinstance(axis, int):
        axis = tuple(int(a) for a in axis)
    return _expand_dims.make_node(as_node(x), axis=axis)


def ones_like(x) -> Node:
    return _ones_like.make_node(as_node(x))


def zeros_like(x) -> Node:
    return _zeros_like.make_node(as_node(x))


def sum_node_list(nodes: Sequence[Node]) -> Node:
    """One node adding a non-empty list of nodes."""
    nodes = list(nodes)
    if not nodes:
        raise ValueError("sum_node_list needs at least one node")
    return functools.reduce(add, nodes)


__all__ = [
    "add", "sub", "mul", "div", "neg", "add_const", "mul_const", "power", "exp", "log",
    "reciprocal", "sigmoid", "tanh", "relu", "step", "matmul", "matrix_transpose",
    "transpose", "reshape", "reshape_like", "broadcast_to", "broadcast_like", "sum_like",
    "reduce_sum", "expand_dims", "ones_like", "zeros_like", "sum_node_list", "unbroadcast",
]
