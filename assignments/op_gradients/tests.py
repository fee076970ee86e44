"""The visible tests of the `op_gradients` assignment (never mounted in the sandbox; the
student package ships this file, so it holds no hidden test: those are in hidden_tests.py).

Each test builds one node of an op on variables, asks the student's
gradient(node, output_grad) for its partial adjoints and checks them against central
differences at random points (instructor_tests.check_gradient). How tests are written and
run: grader/grading/instructor_tests.py.
"""

import autodiff as ad
from grader.grading.instructor_tests import check_gradient, test

POSITIVE = (0.5, 2.0)  # away from log's and division's pole at 0


def _variables(rng, **shapes):
    """Variables named and shaped as given, fed with random values (positive ones for names
    starting with p_)."""
    nodes, feed = {}, {}
    for name, shape in shapes.items():
        node = ad.variable(name.removeprefix("p_"), shape)
        nodes[name] = node
        feed[node] = rng.uniform(*POSITIVE, size=shape) if name.startswith("p_") \
            else rng.uniform(-1.5, 1.5, size=shape)
    return nodes, feed


def _check(student, rng, make_node, **shapes):
    """Build the node, feed random points and an output gradient, check the partials."""
    nodes, feed = _variables(rng, **shapes)
    node = make_node(**nodes)
    output_grad = ad.variable("output_grad", node.shape)
    feed[output_grad] = rng.uniform(-1.5, 1.5, size=node.shape)
    check_gradient(node, student.gradient(node, output_grad), feed, output_grad)


# -- div -----------------------------------------------------------------------------------
@test(points=2)
def div(student, rng):
    """a / b, same shapes: d/da = 1/b, d/db = -a/b^2"""
    _check(student, rng, lambda a, p_b: ad.div(a, p_b), a=(3, 4), p_b=(3, 4))


# -- exp and log ---------------------------------------------------------------------------
@test()
def exp(student, rng):
    """exp(x): d/dx = exp(x)"""
    _check(student, rng, lambda x: ad.exp(x), x=(2, 3))


@test()
def log(student, rng):
    """log(x): d/dx = 1/x"""
    _check(student, rng, lambda p_x: ad.log(p_x), p_x=(5,))


# -- matmul --------------------------------------------------------------------------------
@test(points=2)
def matmul_square(student, rng):
    """(3, 3) @ (3, 3): d/da = g b^T, d/db = a^T g"""
    _check(student, rng, lambda a, b: ad.matmul(a, b), a=(3, 3), b=(3, 3))


@test(points=2)
def matmul_rectangular(student, rng):
    """(3, 4) @ (4, 2)"""
    _check(student, rng, lambda a, b: ad.matmul(a, b), a=(3, 4), b=(4, 2))


# -- reduce_sum and broadcast_to -----------------------------------------------------------
@test()
def reduce_sum_all(student, rng):
    """reduce_sum(x): every element's adjoint is the output gradient"""
    _check(student, rng, lambda x: ad.reduce_sum(x), x=(3, 4))


@test()
def reduce_sum_axis(student, rng):
    """reduce_sum(x, axis=1)"""
    _check(student, rng, lambda x: ad.reduce_sum(x, axis=1), x=(3, 4))


@test(points=2)
def broadcast_to(student, rng):
    """broadcast_to(x, (2, 3)) for x of shape (3,): summed back over the new axis"""
    _check(student, rng, lambda x: ad.broadcast_to(x, (2, 3)), x=(3,))


# -- transpose -----------------------------------------------------------------------------
@test()
def transpose(student, rng):
    """transpose(x) of a (3, 4) x: the adjoint transposed back"""
    _check(student, rng, lambda x: ad.transpose(x), x=(3, 4))
