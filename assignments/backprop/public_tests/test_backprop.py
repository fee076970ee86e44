"""Public tests of backprop.py.

Run them in the folder that holds your backprop.py and the `autodiff` kit:

    python -m pytest test_backprop.py

They check your adjoints against central differences on a few small graphs. Passing
them is a good sign, not a guarantee: the grader runs more (and larger) graphs.

These are not the grader's tests, so their count differs from `autograder test backprop
backprop.py`, which runs the grader's own visible tests with its diagnosis (README: Testing on
your machine). Both should pass before you submit.
"""

import numpy as np
import pytest
from backprop import gradient

import autodiff as ad


def central_difference(out, feed, wrt, h=1e-6):
    """d sum(out) / d wrt by central differences, to check against."""
    base = {node: np.array(value, dtype=np.float64) for node, value in feed.items()}
    grad = np.zeros_like(base[wrt])
    for index in np.ndindex(grad.shape):
        totals = []
        for sign in (1.0, -1.0):
            probe = dict(base)
            probe[wrt] = base[wrt].copy()
            probe[wrt][index] += sign * h
            totals.append(float(np.sum(ad.evaluate([out], probe)[0])))
        grad[index] = (totals[0] - totals[1]) / (2 * h)
    return grad


def random_feed(out, seed=0, low=-1.5, high=1.5):
    rng = np.random.default_rng(seed)
    return {node: rng.uniform(low, high, size=node.shape)
            for node in ad.topological_sort([out]) if node.op.name == "variable"}


def check_variables(out, feed):
    """Every variable's adjoint matches central differences; returns all the adjoints."""
    adjoints = gradient(out, feed)
    assert isinstance(adjoints, dict), "gradient() must return a dict"
    for variable in feed:
        assert variable in adjoints, f"no adjoint for variable {variable.name}"
        np.testing.assert_allclose(np.asarray(adjoints[variable]),
                                   central_difference(out, feed, variable),
                                   rtol=1e-5, atol=1e-7, err_msg=f"adjoint of {variable.name}")
    return adjoints


def test_lecture_logistic_unit():
    w0, w1, w2, x1, x2 = (ad.variable(name, ()) for name in ("w0", "w1", "w2", "x1", "x2"))
    out = ad.reciprocal(1.0 + ad.exp(-(w0 + w1 * x1 + w2 * x2)))
    feed = {w0: np.array(-3.0), w1: np.array(2.0), w2: np.array(-3.0),
            x1: np.array(-1.0), x2: np.array(-2.0)}
    adjoints = check_variables(out, feed)
    np.testing.assert_allclose(adjoints[out], 1.0)
    # w0 + w1 x1 + w2 x2 = 1, so df/dw0 = f (1 - f) = 0.197 and df/dx1 = 0.197 w1 = 0.393.
    np.testing.assert_allclose(adjoints[w0], 0.19661193, rtol=1e-6)
    np.testing.assert_allclose(adjoints[x1], 0.39322387, rtol=1e-6)


def test_every_node_gets_an_adjoint_of_its_shape():
    a, b = ad.variable("a", (3, 4)), ad.variable("b", (4, 2))
    out = ad.reduce_sum(ad.tanh(ad.matmul(a, b)) * 2.0, axis=1)
    feed = random_feed(out)
    adjoints = gradient(out, feed)
    values = dict(zip(ad.topological_sort([out]),
                      ad.evaluate(ad.topological_sort([out]), feed)))
    for node, value in values.items():
        assert node in adjoints, f"no adjoint for {node.name}"
        assert np.shape(adjoints[node]) == np.shape(value), f"shape of {node.name}'s adjoint"


def test_the_seed_is_ones_shaped_like_out():
    x, w = ad.variable("x", (2, 3)), ad.variable("w", (3,))
    out = x * w + 1.0
    adjoints = check_variables(out, random_feed(out))
    np.testing.assert_array_equal(adjoints[out], np.ones((2, 3)))


def test_the_same_node_twice_as_input():
    x = ad.variable("x", (3,))
    feed = {x: np.array([0.5, -1.0, 2.0])}
    adjoints = check_variables(x * x, feed)
    np.testing.assert_allclose(adjoints[x], 2 * feed[x])


def test_partial_adjoints_of_several_consumers_are_summed():
    x, w = ad.variable("x", (3,)), ad.variable("w", (3,))
    u = x * w
    out = ad.tanh(u) + ad.sigmoid(u)
    feed = random_feed(out, seed=1)
    adjoints = check_variables(out, feed)
    value = feed[x] * feed[w]
    sigmoid = 1 / (1 + np.exp(-value))
    expected = (1 - np.tanh(value) ** 2) + sigmoid * (1 - sigmoid)
    np.testing.assert_allclose(adjoints[u], expected, rtol=1e-7)


def test_a_non_leaf_used_twice():
    x = ad.variable("x", ())
    y = 3.0 * x
    out = 2.0 * y + 5.0 * y
    adjoints = check_variables(out, {x: np.array(0.3)})
    np.testing.assert_allclose(adjoints[y], 7.0)
    np.testing.assert_allclose(adjoints[x], 21.0)



def test_a_node_reached_by_paths_of_different_lengths():
    # u feeds out directly and through two more nodes: its adjoint is complete only after
    # exp(tanh(u)) and tanh(u) have sent theirs (reverse topological order, not breadth first).
    x, w = ad.variable("x", (2,)), ad.variable("w", (2,))
    u = x * w
    out = u + ad.exp(ad.tanh(u))
    check_variables(out, random_feed(out, seed=3))

def test_broadcasting_mlp_loss():
    x, w1, b1 = ad.variable("x", (4, 3)), ad.variable("w1", (3, 5)), ad.variable("b1", (5,))
    w2, target = ad.variable("w2", (5, 2)), ad.variable("target", (4, 2))
    error = ad.matmul(ad.tanh(ad.matmul(x, w1) + b1), w2) - target
    out = ad.reduce_sum(error * error) * 0.5
    check_variables(out, random_feed(out, seed=2))


def test_no_state_is_kept_between_calls():
    x = ad.variable("x", (2,))
    u = ad.exp(x) * x
    out = u + ad.tanh(u)
    first, second = {x: np.array([0.1, -0.4])}, {x: np.array([0.9, 0.3])}
    again = {node: np.array(value) for node, value in gradient(out, first).items()}
    gradient(out, second)
    for node, value in gradient(out, first).items():
        np.testing.assert_allclose(value, again[node], err_msg=f"adjoint of {node.name}")
    np.testing.assert_allclose(gradient(out, second)[x], central_difference(out, second, x),
                               rtol=1e-5, atol=1e-7)


def test_a_deep_chain_needs_no_recursion():
    x = ad.variable("x", (3,))
    node = x
    for _ in range(3_000):
        node = ad.tanh(node)
    feed = {x: np.array([0.2, -0.5, 1.0])}
    adjoints = gradient(node, feed)
    # The chain rule by hand: the product of tanh'(input) over the links, from out down.
    inputs, value = [], feed[x]
    for _ in range(3_000):
        inputs.append(value)
        value = np.tanh(value)
    expected = np.ones(3)
    for before in reversed(inputs):
        expected = expected * (1 - np.tanh(before) ** 2)
    np.testing.assert_allclose(adjoints[x], expected, rtol=1e-9)


@pytest.mark.parametrize("levels", [5, 20])
def test_a_ladder_of_diamonds(levels):
    # x_{i+1} = 0.5 x_i + 0.5 x_i: 2^levels paths from out to x, each adjoint summed once.
    x = ad.variable("x", ())
    node = x
    for _ in range(levels):
        node = node * 0.5 + node * 0.5
    adjoints = gradient(node, {x: np.array(1.3)})
    np.testing.assert_allclose(adjoints[x], 1.0)
