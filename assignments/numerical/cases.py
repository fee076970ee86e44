"""Cases of the `numerical` assignment (trusted code: never mounted in the sandbox).

A function is either an engine graph whose only variable is x (f(x) = sum(out)), or a
plain-numpy function of grader/grading/harness/functions.py named with its parameters.
"""

import numpy as np

import autodiff as ad
from grader.grading.numerical_cases import NumericalCase as Case

LECTURE_W = [-0.8, 0.3]
LECTURE_X = [0.5, -0.2]


def lecture_dot():
    """f(W) = W . x with the lecture's x fixed: df/dW = x."""
    w = ad.variable("W", (2,))
    return ad.reduce_sum(w * ad.constant(LECTURE_X, name="x")), w


def logistic_unit():
    """The lecture's logistic unit as a function of (w0, w1, w2) with x1, x2 fixed."""
    w = ad.variable("w", (3,))
    inputs = ad.constant([1.0, -1.2, 0.7], name="(1,x1,x2)")
    return ad.reciprocal(1.0 + ad.exp(-ad.reduce_sum(w * inputs))), w


def scalar_engine():
    x = ad.variable("x", ())
    return ad.tanh(x) * x + ad.power(x, 3.0), x


def matrix_engine():
    x = ad.variable("X", (3, 4))
    weights = ad.constant(np.linspace(-1.0, 1.0, 8).reshape(4, 2), name="W")
    hidden = ad.tanh(ad.matmul(x, weights))
    return ad.reduce_sum(hidden * hidden) + ad.reduce_sum(ad.exp(x * 0.3)), x


def vector_engine():
    x = ad.variable("x", (8,))
    return ad.sigmoid(x) * ad.tanh(x * 2.0) + x * x * 0.25, x


def quadratic(n, seed):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n, n))
    return {"name": "quadratic", "a": (a @ a.T).tolist(), "b": rng.normal(size=n).tolist()}


CASES = [
    Case("lecture: W . x, perturbing W", lecture_dot, x=LECTURE_W,
         description="f(W) = W . x with W = [-0.8, 0.3], x = [0.5, -0.2]: df/dW = x"),
    Case("lecture: W . x in plain numpy",
         {"name": "quadratic", "a": [[0.0, 0.0], [0.0, 0.0]], "b": LECTURE_X}, x=LECTURE_W,
         description="the same function written with numpy"),
    Case("scalar input", {"name": "sin_sum"}, x=0.7,
         description="x is a 0-d array: the gradient is a 0-d array too"),
    Case("vector input", {"name": "cubic"}, shape=(5,), description="sum(x^3)"),
    Case("matrix input", {"name": "logsumexp"}, shape=(3, 4),
         description="log(sum(exp(X))) over a (3,4) matrix"),
    Case("accuracy at several h", {"name": "sin_sum"}, shape=(6,), steps=(1e-3, 1e-4, 1e-5),
         points=2, description="central differences at h = 1e-3, 1e-4, 1e-5"),
    Case("error falls as h^2", {"name": "sin_sum"}, shape=(4,), steps=(1e-2, 1e-3), points=2,
         description="from h=1e-2 to h=1e-3 the error of central differences falls ~100x"),
    Case("x left unchanged", vector_engine, shape=(8,), steps=(None, 1e-3),
         description="x is the same array, bit for bit, after the call"),
    Case("engine graph: logistic unit", logistic_unit, shape=(3,), visibility="hidden",
         description="1 / (1 + exp(-(w0 + w1 x1 + w2 x2))) as a function of w"),
    Case("engine graph: scalar", scalar_engine, x=0.4, visibility="hidden",
         description="tanh(x) x + x^3 at a 0-d x"),
    Case("engine graph: matrix", matrix_engine, shape=(3, 4), points=2, visibility="hidden",
         description="sum(tanh(X W)^2) + sum(exp(0.3 X))"),
    Case("quadratic form", quadratic(4, 7), shape=(4,), visibility="hidden",
         description="0.5 x^T A x + b . x"),
    Case("steep function", {"name": "rosenbrock"}, shape=(6,), domain=(-1.2, 1.2), points=2,
         visibility="hidden", rtol=1e-7,
         description="Rosenbrock: second derivatives near 1000, so a one-sided difference is "
                     "off by about 1e-3 even at h=1e-6"),
    Case("h is honoured", {"name": "logsumexp"}, shape=(5,), steps=(None, 1e-2, 1e-3),
         points=2, visibility="hidden",
         description="different h give different estimates, each as accurate as it should be"),
    Case("x left unchanged (matrix)", {"name": "cubic"}, shape=(3, 3), steps=(1e-3, None),
         visibility="after_due_date", description="x is left as it was found, any h"),
    Case("engine graph: error falls as h^2", matrix_engine, shape=(3, 4), steps=(1e-2, 1e-3),
         visibility="after_due_date",
         description="the h^2 error of central differences on an engine graph"),
]

assert len({case.name for case in CASES}) == len(CASES)
