"""Public tests of op_gradients.py.

Run them in the folder that holds your op_gradients.py (and the `autodiff` kit):

    python -m pytest test_op_gradients.py

Each test builds one node, asks your gradient(node, output_grad) for its partial adjoints,
and compares their values with central differences of sum(output_grad * node). Passing
them is a good sign, not a guarantee: the grader tries more shapes and axes, at other points.
"""

import numpy as np
import pytest
from op_gradients import gradient

import autodiff as ad

H = 1e-6


def central_difference(f, x):
    x = np.array(x, dtype=float)
    estimate = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        saved = x[i]
        x[i] = saved + H
        above = f(x)
        x[i] = saved - H
        below = f(x)
        x[i] = saved
        estimate[i] = (above - below) / (2 * H)
    return estimate


def check(node, feed):
    """gradient(node, g) against central differences, for every input of node."""
    rng = np.random.default_rng(1)
    g = ad.variable("g", node.shape)
    weights = rng.uniform(-1.5, 1.5, size=node.shape)
    partials = gradient(node, g)
    assert len(partials) == len(node.inputs), "one partial adjoint per input"
    for inp, partial in zip(node.inputs, partials):
        assert isinstance(partial, ad.Node), f"the partial adjoint of {inp.name} is not a Node"
        (value,) = ad.evaluate([partial], {**feed, g: weights})
        assert value.shape == feed[inp].shape, \
            f"the partial adjoint of {inp.name} has shape {value.shape}, not {feed[inp].shape}"

        def total(x, inp=inp):
            return float(np.sum(weights * ad.evaluate([node], {**feed, inp: x})[0]))

        np.testing.assert_allclose(value, central_difference(total, feed[inp]),
                                   rtol=1e-4, atol=1e-6)


def variables(**shapes):
    rng = np.random.default_rng(0)
    nodes = [ad.variable(name, shape) for name, shape in shapes.items()]
    return nodes, {node: rng.uniform(0.5, 2.0, size=node.shape) for node in nodes}


def test_div():
    (a, b), feed = variables(a=(2, 3), b=(2, 3))
    check(ad.div(a, b), feed)


def test_exp_and_log():
    (x,), feed = variables(x=(4,))
    check(ad.exp(x), feed)
    check(ad.log(x), feed)


@pytest.mark.parametrize("shapes", [((3, 3), (3, 3)), ((2, 4), (4, 3))])
def test_matmul(shapes):
    (a, b), feed = variables(a=shapes[0], b=shapes[1])
    check(ad.matmul(a, b), feed)


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_reduce_sum(axis):
    (x,), feed = variables(x=(3, 4))
    check(ad.reduce_sum(x, axis=axis), feed)


def test_broadcast_to():
    (x,), feed = variables(x=(3,))
    check(ad.broadcast_to(x, (2, 3)), feed)


def test_transpose():
    (x,), feed = variables(x=(3, 4))
    check(ad.transpose(x), feed)
