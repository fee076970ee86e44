"""Every op's gradient (graph) and vjp (values) against central differences in float64."""

import numpy as np
import pytest

import autodiff as ad
from reference.gradcheck import gradcheck, gradgradcheck

# Inputs stay away from kinks and domain edges: log and division see values in [0.5, 2],
# relu sees |x| >= 0.1.
POSITIVE = (0.5, 2.0)


def away_from_zero(rng, shape):
    values = rng.uniform(0.1, 1.5, size=shape)
    return values * rng.choice([-1.0, 1.0], size=shape)


def sample(rng, shape, domain=None):
    if domain == "positive":
        return rng.uniform(*POSITIVE, size=shape)
    if domain == "nonzero":
        return away_from_zero(rng, shape)
    return rng.normal(size=shape)


def check_both(out, feed):
    gradcheck(out, feed, method="autodiff")
    gradcheck(out, feed, method="backprop")


UNARY = [
    ("neg", ad.neg, None),
    ("exp", ad.exp, None),
    ("log", ad.log, "positive"),
    ("reciprocal", ad.reciprocal, "positive"),
    ("sigmoid", ad.sigmoid, None),
    ("tanh", ad.tanh, None),
    ("relu", ad.relu, "nonzero"),
    ("power_3", lambda x: ad.power(x, 3), None),
    ("power_2", lambda x: x ** 2, None),
    ("power_half", lambda x: ad.power(x, 0.5), "positive"),
    ("power_neg", lambda x: ad.power(x, -1.5), "positive"),
    ("add_number", lambda x: x + 2.5, None),
    ("number_add", lambda x: 2.5 + x, None),
    ("sub_number", lambda x: x - 1.5, None),
    ("number_sub", lambda x: 1.5 - x, None),
    ("mul_number", lambda x: x * -3.0, None),
    ("number_div", lambda x: 2.0 / x, "positive"),
    ("div_number", lambda x: x / 4.0, None),
    ("numpy_scalar", lambda x: np.float64(2.0) * x, None),
]

BINARY = [
    ("add", ad.add, None),
    ("sub", ad.sub, None),
    ("mul", ad.mul, None),
    ("div", ad.div, "positive"),
    ("operators", lambda a, b: (a - b) * a + b / 3.0, None),
]

BROADCAST_SHAPES = [((), (3, 3, 3)), ((1, 3), (3, 3)), ((5, 4, 1), (5, 4, 3)), ((3,), (2, 3)),
                    ((4, 1), (1, 5)), ((2, 3), (2, 3))]


@pytest.mark.parametrize("name, fn, domain", UNARY, ids=[u[0] for u in UNARY])
@pytest.mark.parametrize("shape", [(), (4,), (2, 3)])
def test_unary_op_gradients(rng, name, fn, domain, shape):
    x = ad.variable("x", shape)
    check_both(fn(x), {x: sample(rng, shape, domain)})


@pytest.mark.parametrize("name, fn, domain", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
def test_binary_op_gradients_broadcast(rng, name, fn, domain, shapes):
    a_shape, b_shape = shapes
    for first, second in [(a_shape, b_shape), (b_shape, a_shape)]:
        a, b = ad.variable("a", first), ad.variable("b", second)
        check_both(fn(a, b), {a: sample(rng, first, domain), b: sample(rng, second, domain)})


def test_array_constant_on_either_side(rng):
    x = ad.variable("x", (2, 3))
    c = rng.uniform(1, 2, size=(3,))
    out = (c * x) + (x / c) - (c - x) + (c + x) * x
    check_both(out, {x: sample(rng, (2, 3))})


@pytest.mark.parametrize("a_shape, b_shape", [((3, 4), (4, 2)), ((4, 4), (4, 4)),
                                              ((2, 3, 4), (2, 4, 5)), ((2, 3, 4), (4, 5)),
                                              ((3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2))])
def test_matmul_gradients(rng, a_shape, b_shape):
    a, b = ad.variable("a", a_shape), ad.variable("b", b_shape)
    check_both(ad.matmul(a, b), {a: sample(rng, a_shape), b: sample(rng, b_shape)})
    check_both(a @ b, {a: sample(rng, a_shape), b: sample(rng, b_shape)})


def test_matmul_rejects_vectors_with_a_clear_error():
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        ad.matmul(ad.variable("v", (3,)), ad.variable("m", (3, 3)))
    with pytest.raises(ValueError, match="do not align"):
        ad.matmul(ad.variable("a", (2, 3)), ad.variable("b", (2, 3)))


@pytest.mark.parametrize("shape, axes", [((2, 3), None), ((2, 3, 4), None), ((2, 3, 4), (1, 0, 2)),
                                         ((2, 3, 4), (2, 0, 1)), ((2, 3, 4), (-1, 0, 1))])
def test_transpose_gradients(rng, shape, axes):
    x = ad.variable("x", shape)
    out = ad.transpose(x, axes) * ad.constant(rng.normal(size=np.transpose(np.empty(shape), axes).shape))
    check_both(out, {x: sample(rng, shape)})


@pytest.mark.parametrize("shape, new_shape", [((2, 3), (3, 2)), ((2, 3, 4), (6, -1)), ((6,), (1, 2, 3)),
                                              ((), (1, 1))])
def test_reshape_gradients(rng, shape, new_shape):
    x = ad.variable("x", shape)
    out = ad.reshape(x, new_shape)
    weights = ad.constant(rng.normal(size=out.shape))
    check_both(out * weights, {x: sample(rng, shape)})


@pytest.mark.parametrize("shape, target", [((), (3, 3, 3)), ((1, 3), (3, 3)), ((5, 4, 1), (5, 4, 3)),
                                           ((3,), (2, 2, 3))])
def test_broadcast_to_gradients(rng, shape, target):
    x = ad.variable("x", shape)
    weights = ad.constant(rng.normal(size=target))
    check_both(ad.broadcast_to(x, target) * weights, {x: sample(rng, shape)})


AXES_3D = [None, 0, 1, 2, -1, (0, 1), (0, 2), (1, 2), (0, 1, 2), (-1, 0)]


@pytest.mark.parametrize("axis", AXES_3D, ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduce_sum_gradients(rng, axis, keepdims):
    x = ad.variable("x", (2, 3, 4))
    out = ad.reduce_sum(x * x, axis=axis, keepdims=keepdims)
    weights = ad.constant(rng.normal(size=out.shape))
    check_both(out * weights, {x: sample(rng, (2, 3, 4))})


def test_reduce_sum_values_match_numpy(rng):
    value = rng.normal(size=(2, 3, 4))
    x = ad.variable("x", (2, 3, 4))
    for axis in AXES_3D:
        for keepdims in (False, True):
            node = ad.reduce_sum(x, axis=axis, keepdims=keepdims)
            (got,) = ad.evaluate([node], {x: value})
            expected = np.sum(value, axis=axis, keepdims=keepdims)
            np.testing.assert_allclose(got, expected)
            assert node.shape == expected.shape


def test_ones_and_zeros_like_have_no_gradient(rng):
    x = ad.variable("x", (3,))
    out = x * ad.ones_like(x) + ad.zeros_like(x)
    check_both(out, {x: sample(rng, (3,))})


def test_sum_node_list_adds_every_node(rng):
    x = ad.variable("x", (3,))
    nodes = [x, x * 2.0, ad.exp(x)]
    total = ad.sum_node_list(nodes)
    value = sample(rng, (3,))
    (got,) = ad.evaluate([total], {x: value})
    np.testing.assert_allclose(got, value + 2 * value + np.exp(value))
    with pytest.raises(ValueError):
        ad.sum_node_list([])


def test_shape_ops_with_unknown_static_shapes(rng):
    """Gradients must not need static shapes: variables declared without one still work."""
    a, b, w = ad.variable("a"), ad.variable("b"), ad.variable("w")
    out = ad.reduce_sum(ad.sigmoid(ad.matmul(a, w) + b) * ad.reshape(a, (3, 2)) @ ad.transpose(w),
                        axis=0)
    feed = {a: sample(rng, (3, 2)), w: sample(rng, (2, 2)), b: sample(rng, (2,))}
    check_both(out, feed)


SECOND_ORDER = [
    ("mul", lambda x, y: x * y * x, None),
    ("div", lambda x, y: x / y, "positive"),
    ("exp", lambda x, y: ad.exp(x * y), None),
    ("log", lambda x, y: ad.log(x * y), "positive"),
    ("reciprocal", lambda x, y: ad.reciprocal(x + y), "positive"),
    ("sigmoid", lambda x, y: ad.sigmoid(x * y), None),
    ("tanh", lambda x, y: ad.tanh(x - y), None),
    ("power", lambda x, y: ad.power(x, 3.5) * y, "positive"),
    ("sub_neg", lambda x, y: -(x - y) * (y - x), None),
    ("relu", lambda x, y: ad.relu(x) * y * y, "nonzero"),
    ("matmul", lambda x, y: ad.matmul(ad.reshape(x, (2, 2)), ad.reshape(y, (2, 2))) ** 2, None),
    ("transpose", lambda x, y: ad.transpose(ad.reshape(x * y, (2, 2))) * ad.reshape(x, (2, 2)), None),
    ("broadcast", lambda x, y: ad.broadcast_to(ad.reduce_sum(x * y), (3, 4)) * ad.reduce_sum(x), None),
    ("reduce_axis", lambda x, y: ad.reduce_sum(ad.reshape(x * x * y, (2, 2)), axis=0) ** 2, None),
    ("broadcast_binary", lambda x, y: ad.reshape(x, (4, 1)) * ad.reshape(y * y, (1, 4)), None),
]


@pytest.mark.parametrize("name, fn, domain", SECOND_ORDER, ids=[s[0] for s in SECOND_ORDER])
def test_second_derivatives(rng, name, fn, domain):
    x, y = ad.variable("x", (4,)), ad.variable("y", (4,))
    feed = {x: sample(rng, (4,), domain), y: sample(rng, (4,), domain)}
    gradgradcheck(fn(x, y), feed)
