"""The course's test graphs, shared by the assignments' cases (trusted code, never mounted).

Each builder makes fresh variables (with declared shapes, so random points can be drawn)
and returns the output node.
"""

import autodiff as ad

POSITIVE = (0.5, 2.0)  # a domain for log, division and fractional powers


def v(name, shape=()):
    return ad.variable(name, shape)


def lecture_sigmoid():
    """The lecture's logistic unit f = 1 / (1 + exp(-(w0 + w1 x1 + w2 x2)))."""
    w0, w1, w2, x1, x2 = (v(n) for n in ("w0", "w1", "w2", "x1", "x2"))
    return ad.reciprocal(1.0 + ad.exp(-(w0 + w1 * x1 + w2 * x2)))


def diamond():
    x, w = v("x", (3,)), v("w", (3,))
    u = x * w
    return ad.tanh(u) + ad.sigmoid(u)


def shared_interior():
    x1, x2 = v("x1", (2, 2)), v("x2", (2, 2))
    u = x1 * x2
    return ad.exp(u) * u + ad.tanh(u)


def non_leaf_twice():
    x = v("x")
    y = 3.0 * x
    return 2.0 * y + 5.0 * y


def second_order_example():
    x2, x3 = v("x2"), v("x3")
    return x2 * x2 + x2 * x3


def hessian_vector():
    x, direction = v("x", (3,)), v("v", (3,))
    # v enters the graph only so that the check can project onto it (with weight zero here).
    return ad.reduce_sum(ad.tanh(x * x)) + direction * 0.0


def third_order():
    x = v("x")
    return ad.power(x, 4.0) + ad.exp(x)


def nonlinear():
    x, x2, x3 = v("x", (4,)), v("x2", (4,)), v("x3", (4,))
    return (ad.log(x) * ad.sigmoid(x2) + ad.relu(x3) + ad.reciprocal(x) + ad.power(x, 1.5)
            - ad.tanh(x2))


def interior_adjoints():
    x, w = v("x", (3,)), v("w", (3,))
    return ad.sigmoid(ad.exp(x * 0.5) * w) * w


def mlp_loss():
    x, w1, b1 = v("x", (4, 3)), v("w1", (3, 5)), v("b1", (5,))
    w2, b2, target = v("w2", (5, 2)), v("b2", (2,)), v("target", (4, 2))
    hidden = ad.relu(ad.matmul(x, w1) + b1)
    error = ad.matmul(hidden, w2) + b2 - target
    return ad.reduce_sum(error * error) * 0.5


def same_names():
    a, b = v("x", (2,)), v("x", (2,))
    return a * ad.exp(b) + b


def chain(length):
    x = v("x", (3,))
    node = x
    for _ in range(length):
        node = ad.tanh(node)
    return node


def ladder(levels):
    """x_{i+1} = 0.5 x_i + 0.5 x_i: 2^levels paths from out to x."""
    x = v("x")
    node = x
    for _ in range(levels):
        node = node * 0.5 + node * 0.5
    return node


def fan_out(width):
    x = v("x", (2,))
    shared = ad.exp(x)
    return ad.sum_node_list([shared * float(i % 7 + 1) for i in range(width)])


def memory_chain(size, steps):
    x = v("x", (size,))
    node = x
    for _ in range(steps):
        node = ad.tanh(node) * 0.9
    return ad.reduce_sum(node)
