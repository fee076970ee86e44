"""Deep and wide graphs: no recursion, and work and graph size linear in the input graph."""

import sys

import numpy as np

import autodiff as ad
from reference import solutions


def chain(length):
    x = ad.variable("x")
    node = x
    for _ in range(length):
        node = ad.tanh(node) * 0.5 + 0.1
    return x, node


def diamond_ladder(levels):
    """x_{i+1} = 0.5 * x_i + 0.5 * x_i: every level doubles the paths to x."""
    x = ad.variable("x")
    node = x
    for _ in range(levels):
        node = node * 0.5 + node * 0.5
    return x, node


def gradient_graph_size(out):
    node_to_grad = solutions.load("autodiff").gradient(out)
    return len(ad.topological_sort(node_to_grad.values()))


def test_100k_node_chain_under_the_default_recursion_limit():
    assert sys.getrecursionlimit() <= 10_000
    x, out = chain(33_334)  # three nodes per link: about 100,000 nodes
    assert len(ad.topological_sort([out])) > 100_000
    node_to_grad = solutions.load("autodiff").gradient(out)
    value, grad = ad.evaluate([out, node_to_grad[x]], {x: 0.3})
    assert np.isfinite(value) and np.isfinite(grad)
    adjoints = solutions.load("backprop").gradient(out, {x: 0.3})
    np.testing.assert_allclose(adjoints[x], grad, rtol=1e-12)


def test_diamond_ladder_of_60_levels():
    x, out = diamond_ladder(60)
    node_to_grad = solutions.load("autodiff").gradient(out)
    (grad,) = ad.evaluate([node_to_grad[x]], {x: 1.7})
    np.testing.assert_allclose(grad, 1.0)  # each level has slope 0.5 + 0.5
    adjoints = solutions.load("backprop").gradient(out, {x: 1.7})
    np.testing.assert_allclose(adjoints[x], 1.0)
    assert gradient_graph_size(out) < 20 * 60


def test_gradient_graph_grows_linearly():
    small = gradient_graph_size(chain(1_000)[1])
    large = gradient_graph_size(chain(10_000)[1])
    assert 9 <= large / small <= 11
    small = gradient_graph_size(diamond_ladder(20)[1])
    large = gradient_graph_size(diamond_ladder(40)[1])
    assert 1.8 <= large / small <= 2.2


def test_evaluate_computes_each_node_once_on_a_wide_fan_out():
    x = ad.variable("x", (3,))
    shared = ad.exp(x)
    out = ad.sum_node_list([shared * float(i) for i in range(10_000)])
    (value,) = ad.evaluate([out], {x: np.zeros(3)})
    np.testing.assert_allclose(value, np.full(3, sum(range(10_000))))
