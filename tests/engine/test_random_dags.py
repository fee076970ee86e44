"""Random DAGs with shared subexpressions: AutoDiff, Backprop and central differences agree."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autodiff as ad
from reference import solutions
from reference.gradcheck import compare, numeric_adjoint

# Smooth ops with bounded outputs keep every intermediate value in a safe domain.
UNARY = [ad.sigmoid, ad.tanh, lambda n: n * 0.5, ad.neg, lambda n: ad.exp(ad.tanh(n))]
BINARY = [ad.add, ad.sub, ad.mul, lambda a, b: a / (ad.sigmoid(b) + 1.0)]


@st.composite
def random_dag(draw):
    """A list of steps; each step picks an op and earlier nodes (so nodes get reused)."""
    n_vars = draw(st.integers(1, 3))
    steps = draw(st.lists(
        st.tuples(st.booleans(), st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 3)),
        min_size=1, max_size=25))
    shape = draw(st.sampled_from([(), (3,), (2, 3)]))
    seed = draw(st.integers(0, 2**32 - 1))
    return n_vars, steps, shape, seed


def build(n_vars, steps, shape):
    variables = [ad.variable(f"x{i}", shape) for i in range(n_vars)]
    nodes = list(variables)
    for binary, i, j, k in steps:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        nodes.append(BINARY[k](a, b) if binary else UNARY[k % len(UNARY)](a))
    out = nodes[-1]
    for node in nodes[n_vars:-1:3]:  # tie in more earlier nodes as shared subexpressions
        out = out + node * 0.25
    return variables, out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_dag())
def test_autodiff_backprop_and_central_differences_agree(dag):
    n_vars, steps, shape, seed = dag
    variables, out = build(n_vars, steps, shape)
    rng = np.random.default_rng(seed)
    feed = {x: rng.uniform(-1.5, 1.5, size=shape) for x in variables}

    node_to_grad = solutions.load("autodiff").gradient(out)
    adjoints = solutions.load("backprop").gradient(out, feed)
    order = ad.topological_sort([out])
    assert set(node_to_grad) == set(adjoints) == set(order)

    graph_values = ad.evaluate([node_to_grad[n] for n in order], feed)
    for node, graph_value in zip(order, graph_values):
        np.testing.assert_allclose(graph_value, adjoints[node], rtol=1e-9, atol=1e-12)
    for x in (v for v in variables if v in adjoints):  # out may not use every variable
        ok, worst = compare(x.name, adjoints[x], numeric_adjoint(out, feed, x))
        assert ok, str(worst)
