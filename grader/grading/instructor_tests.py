"""What an instructor writes tests with, for an assignment of the `tests` kind.

An assignment folder's ``tests.py`` (its visible tests, which the student package ships with
this module) and ``hidden_tests.py`` (its hidden and after-due-date tests, which never leave
the server) import it::

    import autodiff as ad
    from grader.grading.instructor_tests import check_gradient, test

    @test(points=2, time_limit=5)
    def div_same_shapes(student, rng):
        '''a / b, both of shape (3, 4)'''
        a, b, g = ad.variable("a", (3, 4)), ad.variable("b", (3, 4)), ad.variable("g", (3, 4))
        node = ad.div(a, b)
        feed = {a: rng.normal(size=(3, 4)), b: rng.uniform(0.5, 2, (3, 4)),
                g: rng.normal(size=(3, 4))}
        check_gradient(node, student.gradient(node, g), feed, g)

In hidden_tests.py the same with ``@test(visibility="hidden")`` (or ``"after_due_date"``); it
may import tests.py's helpers (``from .tests import ...``). Loading the folder refuses a test
in the wrong file (assignments.py).

A test takes ``student`` (``student.<entry>(...)`` calls the students' function, the
manifest's ``entry``; ``student.cpu_seconds`` is the CPU time its calls took so far, each
measured by the grader; ``student.measure_memory(...)`` is a call whose peak memory is
measured, read after it as ``student.peak_bytes`` beside ``student.reference_peak_bytes``),
and may take ``rng`` (a seeded numpy Generator: tests are deterministic) and
``reference`` (the assignment's reference solution: hidden tests only, since a visible
test runs on students' machines too, where it is not). A failed ``assert`` fails the test
with its message as the feedback; ``fail(category, message)`` fails it with a diagnosis
category of grader/grading/outcome.py; a number in [0, 1] returned (or ``(number,
message)``) is partial credit. How the tests run: grader/grading/tests_cases.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

import autodiff as ad
from reference.closeness import ATOL, EPS, RTOL, compare

from .outcome import preview
from .sentences import sentence
from .tests_cases import InstructorError, InstructorTest, TestFailure

__all__ = ["TestFailure", "check_gradient", "central_difference", "fail", "test"]


def test(points: float = 1.0, visibility: str = "visible", time_limit: float = 10.0,
         name: str | None = None, seed: int = 0) -> Callable[[Callable], InstructorTest]:
    """Mark a function of tests.py (visible) or hidden_tests.py (hidden, after_due_date) as a
    test; its docstring's first line describes it."""

    def mark(function: Callable) -> InstructorTest:
        doc = (function.__doc__ or "").strip().splitlines()
        return InstructorTest(function, name or function.__name__.replace("_", " "),
                              points=float(points), visibility=visibility,
                              description=doc[0] if doc else "", time_limit=float(time_limit),
                              seed=seed)

    return mark


def fail(category: str, message: str, **diagnosis):
    """Fail the test with a diagnosis category (grader/grading/outcome.py's CATEGORIES)."""
    raise TestFailure(category, message, **diagnosis)


def central_difference(function: Callable[[np.ndarray], float], x, eps: float = EPS):
    """d function / dx by central differences: (f(x + eps e_i) - f(x - eps e_i)) / 2 eps."""
    x = np.array(x, dtype=np.float64)
    estimate = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        saved = x[i]
        x[i] = saved + eps
        above = function(x)
        x[i] = saved - eps
        below = function(x)
        x[i] = saved
        estimate[i] = (above - below) / (2 * eps)
    return estimate


def check_gradient(node: ad.Node, partials, feed_dict: Mapping, output_grad: ad.Node, *,
                   eps: float = EPS, atol: float = ATOL, rtol: float = RTOL,
                   raise_on_failure: bool = True) -> bool:
    """Check ``partials``, what ``gradient(node, output_grad)`` returned, at one point.

    Each input of ``node`` fed in ``feed_dict`` (a variable) is checked: its partial adjoint
    must be a Node, evaluate (by the kit's engine) to an array of the input's shape, and
    equal the central-difference estimate (h = eps) of d sum(output_grad * node) / d input
    (the tolerances of reference/closeness.py, gradcheck's). ``output_grad`` is a variable fed
    there too.
    A failure raises TestFailure with its category (not-a-graph, missing-adjoint,
    wrong-shape, wrong-value), or returns False when ``raise_on_failure`` is off.
    """
    try:
        _check(node, partials, feed_dict, output_grad, eps, atol, rtol)
    except TestFailure:
        if raise_on_failure:
            raise
        return False
    return True


def _check(node, partials, feed_dict, output_grad, eps, atol, rtol) -> None:
    inputs = list(node.inputs)
    checked = [inp for inp in inputs if inp in feed_dict]
    if len(set(checked)) != len(checked) or output_grad not in feed_dict \
            or output_grad in inputs:
        raise InstructorError("check_gradient needs distinct fed variables as the node's "
                              "inputs, and output_grad fed apart from them")
    op = node.op.name
    if not isinstance(partials, (list, tuple)):
        fail("not-a-graph", f"gradient() of a {op} node returned a {type(partials).__name__}, "
             f"not a list of {len(inputs)} partial adjoints.",
             hint=sentence("not-a-graph", "op-gradient"))
    if len(partials) != len(inputs):
        fail("not-a-graph", f"a {op} node has {len(inputs)} input(s), so gradient() returns "
             f"{len(inputs)} partial adjoint(s); it returned {len(partials)}.",
             hint=sentence("not-a-graph", "op-gradient"))
    weights = np.asarray(feed_dict[output_grad], dtype=np.float64)

    def total(inp):
        def value(x):
            (out,) = ad.evaluate([node], {**feed_dict, inp: x})
            return float(np.sum(weights * out))
        return value

    for position, (inp, partial) in enumerate(zip(inputs, partials)):
        if inp not in feed_dict:
            continue
        point = np.asarray(feed_dict[inp], dtype=np.float64)
        label = f"the partial adjoint of input {position} of {op} ({inp.name}, shape " \
                f"{tuple(point.shape)})"
        where = {"node": str(inp.name), "op": op}
        if partial is None:
            fail("missing-adjoint", f"{label} is None, but the {op} node's value depends on "
                 "that input.", **where, hint=sentence("missing-adjoint", "op-gradient"))
        if not isinstance(partial, ad.Node):
            fail("not-a-graph", f"{label} is a {type(partial).__name__}, not a Node.",
                 **where, hint=sentence("not-a-graph", "op-gradient"))
        try:
            (received,) = ad.evaluate([partial], feed_dict)
        except (ad.EvaluationError, ValueError, TypeError, ArithmeticError) as exc:
            fail("not-a-graph", f"{label} cannot be evaluated: {exc}.", **where,
                 hint=sentence("not-a-graph", "op-gradient"))
        received = np.asarray(received, dtype=np.float64)
        if received.shape != point.shape:
            fail("wrong-shape", f"{label} has shape {tuple(received.shape)}: a partial adjoint "
                 "has its input's shape.", **where, received=preview(received),
                 hint=sentence("wrong-shape", "op-gradient"))
        expected = central_difference(total(inp), point, eps)
        ok, worst = compare(str(inp.name), received, expected, atol, rtol)
        if not ok:
            element = f"{worst.node}{list(worst.index)}"
            fail("wrong-value", f"{label} disagrees with central differences: at {element} "
                 f"yours is {worst.analytic:.6g}, central differences give "
                 f"{worst.numeric:.6g} (abs error {worst.abs_error:.3g}).",
                 **where, expected=preview(expected), received=preview(received),
                 abs_error=worst.abs_error, rel_error=worst.rel_error,
                 hint=sentence("wrong-value", "op-gradient"))

