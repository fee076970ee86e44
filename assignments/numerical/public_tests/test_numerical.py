"""Public tests of numerical.py.

Run them in the folder that holds your numerical.py (and the `autodiff` kit):

    python -m pytest test_numerical.py

Passing them is a good sign, not a guarantee: the grader tries more functions and steps.

These are not the grader's tests, so their count differs from `autograder test numerical
numerical.py`, which runs the grader's own visible tests with its diagnosis (README: Testing on
your machine). Both should pass before you submit.
"""

import numpy as np
import pytest
from numerical import numerical_gradient

import autodiff as ad


def sin_sum(x):
    return float(np.sum(np.sin(x)))


def test_lecture_example_w_dot_x():
    # f(W) = W . x with the lecture's W and x: df/dW = x.
    x = np.array([0.5, -0.2])
    grad = numerical_gradient(lambda w: float(w @ x), np.array([-0.8, 0.3]))
    np.testing.assert_allclose(grad, x, atol=1e-6)


def test_vector_input():
    x = np.array([0.3, -1.2, 2.0, 0.0])
    np.testing.assert_allclose(numerical_gradient(sin_sum, x), np.cos(x), rtol=1e-5, atol=1e-6)


def test_matrix_input_keeps_its_shape():
    x = np.arange(12.0).reshape(3, 4) / 10.0

    def logsumexp(value):
        return float(np.log(np.sum(np.exp(value))))

    grad = numerical_gradient(logsumexp, x)
    assert grad.shape == x.shape
    np.testing.assert_allclose(grad, np.exp(x) / np.sum(np.exp(x)), rtol=1e-5, atol=1e-6)


def test_scalar_input():
    x = np.array(0.7)
    grad = numerical_gradient(lambda value: float(value ** 3), x)
    assert np.shape(grad) == ()
    np.testing.assert_allclose(grad, 3 * 0.7 ** 2, rtol=1e-5)


def test_a_function_built_with_the_engine():
    w = ad.variable("w", (3,))
    out = ad.sigmoid(ad.reduce_sum(w * ad.constant([1.0, -1.2, 0.7])))

    def f(value):
        return float(ad.evaluate([out], {w: value})[0])

    point = np.array([0.1, 0.4, -0.3])
    s = 1 / (1 + np.exp(-(point @ np.array([1.0, -1.2, 0.7]))))
    np.testing.assert_allclose(numerical_gradient(f, point),
                               s * (1 - s) * np.array([1.0, -1.2, 0.7]), rtol=1e-5, atol=1e-7)


def test_x_is_left_as_it_was_found():
    x = np.random.default_rng(0).uniform(-1, 1, size=(4, 3))
    pristine = x.copy()
    numerical_gradient(sin_sum, x)
    numerical_gradient(sin_sum, x, 1e-3)
    np.testing.assert_array_equal(x, pristine)


@pytest.mark.parametrize("h", [1e-3, 1e-4, 1e-5])
def test_accuracy_at_several_steps(h):
    x = np.array([0.3, -1.2, 2.0])
    # Central differences are off by about h^2 |f'''| / 6, plus rounding.
    np.testing.assert_allclose(numerical_gradient(sin_sum, x, h), np.cos(x),
                               atol=h * h / 6 + 1e-9)


def test_the_error_falls_as_h_squared():
    x = np.array([0.3, -1.2, 2.0])
    big = np.max(np.abs(numerical_gradient(sin_sum, x, 1e-2) - np.cos(x)))
    small = np.max(np.abs(numerical_gradient(sin_sum, x, 1e-3) - np.cos(x)))
    # h ten times smaller: a central difference is about 100x better, a one-sided one 10x.
    assert 50 < big / small < 200, f"the error fell {big / small:.1f}x"
