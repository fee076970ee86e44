"""The numerical tools themselves: central differences and the gradient checks."""

import numpy as np
import pytest

import autodiff as ad
from reference import solutions
from reference.gradcheck import GradcheckError, compare, gradcheck

numerical_gradient = solutions.load("numerical").numerical_gradient


def test_lecture_example_w_dot_x():
    w, x = np.array([-0.8, 0.3]), np.array([0.5, -0.2])
    np.testing.assert_allclose(numerical_gradient(lambda v: v @ x, w), x, atol=1e-9)


def test_central_difference_error_falls_as_h_squared():
    def f(v):
        return float(np.sum(np.sin(v)))

    x = np.array([0.3, 1.1])
    errors = [np.max(np.abs(numerical_gradient(f, x, h) - np.cos(x))) for h in (1e-2, 1e-3)]
    assert 50 < errors[0] / errors[1] < 200  # 10x smaller h, about 100x smaller error


def test_numerical_gradient_leaves_x_unchanged_and_keeps_its_shape():
    x = np.arange(6.0).reshape(2, 3)
    before = x.copy()
    grad = numerical_gradient(lambda v: float(np.sum(v ** 2)), x)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(grad, 2 * x, atol=1e-6)


def test_compare_reports_the_worst_element():
    ok, worst = compare("w", [1.0, 2.0, 3.5], [1.0, 2.0, 3.0])
    assert not ok
    assert worst.index == (2,) and worst.analytic == 3.5 and worst.numeric == 3.0
    assert worst.abs_error == pytest.approx(0.5) and worst.rel_error == pytest.approx(1 / 6)


def test_compare_treats_nan_as_a_failure():
    ok, worst = compare("w", [1.0, np.nan], [1.0, 2.0])
    assert not ok and worst.index == (1,)


def test_gradcheck_catches_a_wrong_gradient():
    class WrongSquare(ad.Op):
        name = "wrong_square"

        def compute(self, node, input_values):
            return input_values[0] ** 2

        def gradient(self, node, output_grad):
            return [output_grad * node.inputs[0]]  # missing the factor 2

        def vjp(self, node, input_values, output_grad_value):
            return [output_grad_value * input_values[0]]

    x = ad.variable("x", (3,))
    out = WrongSquare().make_node(x)
    feed = {x: np.array([0.5, 1.0, -2.0])}
    for method in ("autodiff", "backprop"):
        with pytest.raises(GradcheckError, match=r"d/dx\[2\]"):
            gradcheck(out, feed, method=method)
        result = gradcheck(out, feed, method=method, raise_exception=False)
        assert not result and result.worst.index == (2,)
    assert gradcheck(x ** 2, feed)
