"""The hidden and after-due-date tests of the `op_gradients` assignment (trusted code: never
mounted in the sandbox, never shipped to students). Its visible tests, and the helpers both
use, are in tests.py.
"""

import autodiff as ad
from grader.grading.instructor_tests import check_gradient, test

from .tests import _check, _variables


# -- div -----------------------------------------------------------------------------------
@test(points=2, visibility="hidden")
def div_broadcast(student, rng):
    """a / b with b of shape (4,): the partial adjoint of b is summed over the rows"""
    _check(student, rng, lambda a, p_b: ad.div(a, p_b), a=(3, 4), p_b=(4,))


# -- log -----------------------------------------------------------------------------------
@test(visibility="hidden")
def log_of_a_matrix(student, rng):
    """log(x) for a (3, 2) x"""
    _check(student, rng, lambda p_x: ad.log(p_x), p_x=(3, 2))


# -- matmul --------------------------------------------------------------------------------
@test(points=2, visibility="hidden")
def matmul_batched(student, rng):
    """(2, 3, 4) @ (4, 5): the batch axis is summed out of b's partial adjoint"""
    _check(student, rng, lambda a, b: ad.matmul(a, b), a=(2, 3, 4), b=(4, 5))


# -- reduce_sum and broadcast_to -----------------------------------------------------------
@test(visibility="hidden")
def reduce_sum_keepdims(student, rng):
    """reduce_sum(x, axis=(0, 2), keepdims=True)"""
    _check(student, rng, lambda x: ad.reduce_sum(x, axis=(0, 2), keepdims=True), x=(2, 3, 4))


@test(points=2, visibility="hidden")
def broadcast_to_size_one_axes(student, rng):
    """broadcast_to(x, (2, 3, 4)) for x of shape (3, 1)"""
    _check(student, rng, lambda x: ad.broadcast_to(x, (2, 3, 4)), x=(3, 1))


# -- transpose -----------------------------------------------------------------------------
@test(visibility="hidden")
def transpose_axes(student, rng):
    """transpose(x, (1, 2, 0)): the adjoint goes back through the inverse permutation"""
    _check(student, rng, lambda x: ad.transpose(x, (1, 2, 0)), x=(2, 3, 4))


# -- all at once, with partial credit ------------------------------------------------------
ALL_OPS = {
    "div": (lambda a, p_b: ad.div(a, p_b), {"a": (2, 3), "p_b": (2, 3)}),
    "exp": (lambda x: ad.exp(x), {"x": (4,)}),
    "log": (lambda p_x: ad.log(p_x), {"p_x": (4,)}),
    "matmul": (lambda a, b: ad.matmul(a, b), {"a": (2, 5), "b": (5, 3)}),
    "reduce_sum": (lambda x: ad.reduce_sum(x, axis=0), {"x": (4, 2)}),
    "broadcast_to": (lambda x: ad.broadcast_to(x, (3, 2)), {"x": (1, 2)}),
    "transpose": (lambda x: ad.transpose(x), {"x": (2, 5)}),
}


@test(points=7, visibility="after_due_date")
def every_op_once_more(student, rng):
    """each op at a fresh point: one seventh of the points per op whose rule is right"""
    right = []
    for name, (make_node, shapes) in ALL_OPS.items():
        nodes, feed = _variables(rng, **shapes)
        node = make_node(**nodes)
        output_grad = ad.variable("output_grad", node.shape)
        feed[output_grad] = rng.uniform(-1.5, 1.5, size=node.shape)
        if check_gradient(node, student.gradient(node, output_grad), feed, output_grad,
                          raise_on_failure=False):
            right.append(name)
    wrong = [name for name in ALL_OPS if name not in right]
    return len(right) / len(ALL_OPS), f"wrong rules: {', '.join(wrong)}" if wrong else ""


@test(visibility="hidden", time_limit=5)
def builds_without_evaluating(student, rng):
    """gradient() builds nodes and evaluates nothing: fast even for large shapes"""
    a, b = ad.variable("a", (400, 300)), ad.variable("b", (300, 500))
    node = ad.matmul(a, b)
    partials = student.gradient(node, ad.variable("output_grad", node.shape))
    assert isinstance(partials, (list, tuple)) and len(partials) == 2, \
        "gradient() of a matmul node returns a list of two partial adjoints"
    assert [getattr(p, "shape", None) for p in partials] == [(400, 300), (300, 500)], \
        "the partial adjoints of a matmul node have the shapes of its inputs"
    assert student.cpu_seconds < 1.0, (
        f"gradient() took {student.cpu_seconds:.2f} s of CPU time for one matmul node: it "
        "should only build nodes (evaluating them is the engine's job)")
