"""Nodes, names, evaluation and its errors."""

import numpy as np
import pytest

import autodiff as ad


def test_nodes_hash_and_compare_by_identity():
    a, b = ad.variable("x"), ad.variable("x")
    assert a != b and a is not b
    assert len({a, b}) == 2
    assert {a: 1, b: 2}[a] == 1


def test_building_never_evaluates():
    x = ad.variable("x", (2,))
    y = ad.log(x)  # no feed, no value: building is enough
    assert y.inputs == [x] and y.op.name == "log"


def test_node_fields_follow_the_contract():
    x = ad.variable("x1", (3,))
    y = x * 5.0
    assert y.inputs == [x]
    assert y.attrs == {"const": 5.0}
    assert y.shape == (3,)
    assert x.inputs == [] and x.shape == (3,)
    s = ad.reduce_sum(x, axis=0)
    assert s.attrs == {"axis": 0, "keepdims": False}
    assert isinstance(y.op, ad.Op)


def test_same_node_twice_as_input():
    x = ad.variable("x")
    y = x * x
    assert y.inputs == [x, x]


def test_readable_names_name_leaf_inputs():
    x1, w1 = ad.variable("x1"), ad.variable("w1")
    assert ad.mul(x1, w1).name == "mul(x1,w1)"


def test_names_stay_short_on_deep_shared_graphs():
    x = ad.variable("x")
    node = x
    for _ in range(200):
        node = node * 0.5 + node * 0.5
    assert len(node.name) < 40


def test_numbers_and_arrays_on_either_side():
    x = ad.variable("x")
    exprs = [x + 1, 1 + x, x - 1, 1 - x, x * 2, 2 * x, x / 2, 2 / x, -x, x ** 2,
             np.float64(3) * x, x * np.float64(3), np.array([1.0, 2.0]) + x, np.array([2.0]) * x]
    values = ad.evaluate(exprs, {x: 4.0})
    expected = [5, 5, 3, -3, 8, 8, 2, 0.5, -4, 16, 12, 12, [5, 6], [8]]
    for got, want in zip(values, expected):
        np.testing.assert_allclose(got, want)


def test_evaluate_returns_arrays_of_float64():
    x = ad.variable("x")
    (value,) = ad.evaluate([x * 2], {x: 3})
    assert isinstance(value, np.ndarray) and value.dtype == np.float64 and value.shape == ()


def test_shared_subgraph_is_computed_once():
    calls = []

    class Counting(ad.Op):
        name = "counting"

        def compute(self, node, input_values):
            calls.append(node)
            return input_values[0] + 1

    x = ad.variable("x")
    shared = Counting().make_node(x)
    out = shared * shared + shared
    np.testing.assert_allclose(ad.evaluate([out, shared], {x: 1.0})[0], 6.0)
    assert calls == [shared]


def test_missing_feed_names_the_variable():
    x, y = ad.variable("weights"), ad.variable("bias")
    with pytest.raises(ad.EvaluationError, match="bias"):
        ad.evaluate([x + y], {x: 1.0})


def test_feed_shape_mismatch_names_the_variable():
    x = ad.variable("inputs", (3,))
    with pytest.raises(ad.EvaluationError, match=r"inputs.*\(3,\).*\(4,\)"):
        ad.evaluate([x * 2], {x: np.ones(4)})


def test_runtime_shape_error_names_the_node():
    a, b = ad.variable("a"), ad.variable("b")
    with pytest.raises(ad.EvaluationError, match=r"matmul\(a,b\)"):
        ad.evaluate([ad.matmul(a, b)], {a: np.ones((2, 3)), b: np.ones((2, 3))})


def test_static_shape_error_names_the_node():
    with pytest.raises(ValueError, match=r"add\(a,b\).*do not broadcast"):
        ad.variable("a", (2, 3)) + ad.variable("b", (4,))


def test_topological_sort_puts_inputs_first_and_is_deterministic():
    x = ad.variable("x")
    a, b = ad.exp(x), ad.log(x)
    out = a * b + a
    order = ad.topological_sort([out])
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        assert all(position[inp] < position[node] for inp in node.inputs)
    assert order == ad.topological_sort([out])
    assert len(order) == len(set(order)) == 5


def test_power_needs_a_number():
    with pytest.raises(TypeError):
        ad.power(ad.variable("x"), ad.variable("p"))


def test_constants_are_read_only():
    c = ad.constant([1.0, 2.0])
    (value,) = ad.evaluate([c], {})
    with pytest.raises(ValueError):
        c.attrs["value"][0] = 5.0
    np.testing.assert_allclose(value, [1.0, 2.0])
