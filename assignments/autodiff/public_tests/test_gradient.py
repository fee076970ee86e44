"""Public tests of gradient.py.

Run them in the folder that holds your gradient.py and the `autodiff` kit:

    python -m pytest test_gradient.py

They evaluate the gradient graph you build and compare it with central differences.
Passing them is a good sign, not a guarantee: the grader runs more (and larger) graphs.

These are not the grader's tests, so their count differs from `autograder test autodiff
gradient.py`, which runs the grader's own visible tests with its diagnosis (README: Testing on
your machine). Both should pass before you submit.
"""

import numpy as np
import pytest
from gradient import gradient

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
    """Every variable's adjoint node evaluates to the central differences; returns node_to_grad."""
    node_to_grad = gradient(out)
    assert isinstance(node_to_grad, dict), "gradient() must return a dict"
    for variable in feed:
        assert variable in node_to_grad, f"no adjoint for variable {variable.name}"
        adjoint = node_to_grad[variable]
        assert isinstance(adjoint, ad.Node), f"the adjoint of {variable.name} must be a Node"
        (value,) = ad.evaluate([adjoint], feed)
        np.testing.assert_allclose(value, central_difference(out, feed, variable),
                                   rtol=1e-5, atol=1e-7, err_msg=f"adjoint of {variable.name}")
    return node_to_grad


def test_lecture_logistic_unit():
    w0, w1, w2, x1, x2 = (ad.variable(name, ()) for name in ("w0", "w1", "w2", "x1", "x2"))
    out = ad.reciprocal(1.0 + ad.exp(-(w0 + w1 * x1 + w2 * x2)))
    feed = {w0: np.array(-3.0), w1: np.array(2.0), w2: np.array(-3.0),
            x1: np.array(-1.0), x2: np.array(-2.0)}
    node_to_grad = check_variables(out, feed)
    (seed,) = ad.evaluate([node_to_grad[out]], feed)
    np.testing.assert_allclose(seed, 1.0)


def test_every_node_gets_a_node_of_its_shape():
    a, b = ad.variable("a", (3, 4)), ad.variable("b", (4, 2))
    out = ad.reduce_sum(ad.tanh(ad.matmul(a, b)) * 2.0, axis=1)
    feed = random_feed(out)
    node_to_grad = gradient(out)
    nodes = ad.topological_sort([out])
    values = dict(zip(nodes, ad.evaluate(nodes, feed)))
    for node, value in values.items():
        assert node in node_to_grad, f"no adjoint for {node.name}"
        assert isinstance(node_to_grad[node], ad.Node)
        (adjoint,) = ad.evaluate([node_to_grad[node]], feed)
        assert adjoint.shape == value.shape, f"shape of {node.name}'s adjoint"


def test_the_seed_is_ones_like_out():
    x, w = ad.variable("x", (2, 3)), ad.variable("w", (3,))
    out = x * w + 1.0
    feed = random_feed(out)
    node_to_grad = check_variables(out, feed)
    (seed,) = ad.evaluate([node_to_grad[out]], feed)
    np.testing.assert_array_equal(seed, np.ones((2, 3)))


def test_the_same_node_twice_as_input():
    x = ad.variable("x", (3,))
    check_variables(x * x, {x: np.array([0.5, -1.0, 2.0])})


def test_partial_adjoints_of_several_consumers_are_summed():
    x, w = ad.variable("x", (3,)), ad.variable("w", (3,))
    u = x * w
    out = ad.tanh(u) + ad.sigmoid(u)
    feed = random_feed(out, seed=1)
    node_to_grad = check_variables(out, feed)
    value = feed[x] * feed[w]
    sigmoid = 1 / (1 + np.exp(-value))
    (adjoint,) = ad.evaluate([node_to_grad[u]], feed)
    np.testing.assert_allclose(adjoint, (1 - np.tanh(value) ** 2) + sigmoid * (1 - sigmoid),
                               rtol=1e-7)



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


def test_gradient_of_a_gradient():
    # y = x2 * x2 + x2 * x3: d2y/dx2^2 = 2 and d2y/dx2 dx3 = 1.
    x2, x3 = ad.variable("x2", ()), ad.variable("x3", ())
    y = x2 * x2 + x2 * x3
    first = gradient(y)[x2]
    feed = {x2: np.array(0.7), x3: np.array(-1.1)}
    np.testing.assert_allclose(ad.evaluate([gradient(first)[x2]], feed)[0], 2.0)
    np.testing.assert_allclose(ad.evaluate([gradient(first)[x3]], feed)[0], 1.0)


def test_no_state_is_kept_between_calls():
    x = ad.variable("x", (2,))
    u = ad.exp(x) * x
    out = u + ad.tanh(u)
    feed = {x: np.array([0.1, -0.4])}
    first = ad.evaluate([gradient(out)[x]], feed)[0]
    second = ad.evaluate([gradient(out)[x]], feed)[0]
    np.testing.assert_allclose(second, first)


def test_a_deep_chain_needs_no_recursion():
    x = ad.variable("x", (3,))
    node = x
    for _ in range(3_000):
        node = ad.tanh(node)
    feed = {x: np.array([0.2, -0.5, 1.0])}
    (adjoint,) = ad.evaluate([gradient(node)[x]], feed)
    inputs, value = [], feed[x]
    for _ in range(3_000):
        inputs.append(value)
        value = np.tanh(value)
    expected = np.ones(3)
    for before in reversed(inputs):
        expected = expected * (1 - np.tanh(before) ** 2)
    np.testing.assert_allclose(adjoint, expected, rtol=1e-9)


@pytest.mark.parametrize("levels", [5, 16])
def test_a_ladder_of_diamonds_builds_a_small_graph(levels):
    # x_{i+1} = 0.5 x_i + 0.5 x_i: 2^levels paths from out to x, but summing each node's
    # partial adjoints once keeps the gradient graph linear in the number of levels.
    x = ad.variable("x", ())
    node = x
    for _ in range(levels):
        node = node * 0.5 + node * 0.5
    adjoint = gradient(node)[x]
    assert len(ad.topological_sort([adjoint])) < 40 * levels + 20
    np.testing.assert_allclose(ad.evaluate([adjoint], {x: np.array(1.3)})[0], 1.0)
