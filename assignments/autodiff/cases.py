"""Cases of the `autodiff` assignment (trusted code: never mounted in the sandbox)."""

import autodiff as ad
from grader.grading.autodiff_cases import AutodiffCase as Case

POSITIVE = (0.5, 2.0)


def v(name, shape=()):
    return ad.variable(name, shape)


def lecture_sigmoid():
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


def chain(length):
    x = v("x", (3,))
    node = x
    for _ in range(length):
        node = ad.tanh(node)
    return node


def ladder(levels):
    x = v("x")
    node = x
    for _ in range(levels):
        node = node * 0.5 + node * 0.5
    return node


def fan_out(width):
    x = v("x", (2,))
    shared = ad.exp(x)
    return ad.sum_node_list([shared * float(i % 7 + 1) for i in range(width)])


def memory_chain():
    x = v("x", (10_000,))
    node = x
    for _ in range(300):
        node = ad.tanh(node) * 0.9
    return ad.reduce_sum(node)


CASES = [
    Case("identity", lambda: v("x", (3,)), description="out = x: node_to_grad[x] = ones_like(x)"),
    Case("constant ops", lambda: (v("x") * 3.0 + 2.0) / 4.0 - 1.0,
         description="numbers on either side of + - * /"),
    Case("x * x", lambda: (lambda x: x * x)(v("x", (3,))),
         description="the same node twice as input of one op"),
    Case("diamond", diamond, points=2, description="one node feeding two consumers"),
    Case("shared interior node", shared_interior, points=2,
         description="an interior node with three consumers"),
    Case("non-leaf used twice", non_leaf_twice, points=2,
         description="y = 3x; out = 2y + 5y"),
    Case("lecture sigmoid", lecture_sigmoid, points=2,
         description="f = 1 / (1 + exp(-(w0 + w1 x1 + w2 x2)))"),
    Case("matmul non-square", lambda: ad.matmul(v("a", (3, 4)), v("b", (4, 2))),
         description="(3,4) @ (4,2)"),
    Case("matmul batched", lambda: ad.tanh(ad.matmul(v("a", (2, 3, 4)), v("b", (4, 5)))),
         visibility="hidden", description="batched (2,3,4) @ (4,5)"),
    Case("broadcasting", lambda: v("a", (3, 1)) * v("b", (1, 4)) + v("c", ()) - v("d", (4,)),
         description="elementwise ops that broadcast"),
    Case("reduce_sum, reshape, transpose",
         lambda: ad.reduce_sum(ad.transpose(ad.reshape(v("x", (2, 6)) ** 2, (3, 4))), axis=0,
                               keepdims=True) * v("w", (1, 3)),
         description="shape ops"),
    Case("nonlinear elementwise", nonlinear, domains={"x": POSITIVE, "x3": (-1.0, 1.0)},
         visibility="hidden",
         description="exp, log, sigmoid, tanh, relu, reciprocal, power"),
    Case("MLP loss", mlp_loss, points=3, visibility="hidden",
         description="0.5 * ||relu(x W1 + b1) W2 + b2 - target||^2"),
    Case("ones_like and zeros_like", lambda: v("x", (3,)) * ad.ones_like(v("y", (3,)))
         + ad.zeros_like(v("x2", (3,))), visibility="hidden",
         description="ops whose partial adjoints are None"),
    Case("gradient of gradient", second_order_example,
         check="higher-order", chain=(("x2", None), ("x2", None)), points=2,
         description="y = x2*x2 + x2*x3: d2y/dx2^2 = 2"),
    Case("mixed second derivative", second_order_example,
         check="higher-order", chain=(("x2", None), ("x3", None)),
         description="y = x2*x2 + x2*x3: d2y/dx2 dx3 = 1"),
    Case("Hessian-vector product", hessian_vector,
         check="higher-order", chain=(("x", "v"), ("x", None)), points=2, visibility="hidden",
         description="H v by differentiating sum(grad * v)"),
    Case("third derivative", third_order,
         check="higher-order", chain=(("x", None), ("x", None), ("x", None)),
         visibility="hidden", description="d3/dx3 (x^4 + e^x)"),
    Case("two variables named alike",
         lambda: (lambda a, b: a * ad.exp(b) + b)(v("x", (2,)), v("x", (2,))),
         visibility="hidden", description="nodes are told apart by identity, not name"),
    Case("non-scalar output", lambda: v("x", (2, 3)) * v("w", (3,)) + 1.0,
         description="the seed is ones_like(out), with out's shape"),
    Case("adjoints of interior nodes", interior_adjoints,
         visibility="hidden", description="every node's adjoint, not only the variables'"),
    Case("same call twice", shared_interior, check="repeat", visibility="hidden",
         description="gradient() keeps no state between calls"),
    Case("10,000-node chain", lambda: chain(10_000), wrt="variables", trace=False, points=2,
         n_points=1, visibility="hidden", time_limit=20,
         description="deep graphs under the default recursion limit"),
    Case("12-level diamond ladder", lambda: ladder(12), max_graph_ratio=4, n_points=1,
         description="a shared node's adjoint is summed once, not once per path"),
    Case("50-level diamond ladder", lambda: ladder(50), wrt="variables", max_graph_ratio=4,
         n_points=1, trace=False, points=2, visibility="hidden", time_limit=10,
         description="x_{i+1} = 0.5 x_i + 0.5 x_i: 2^50 paths, summed per node"),
    Case("10,000-way fan-out", lambda: fan_out(10_000), wrt="variables", trace=False, n_points=1,
         visibility="hidden", time_limit=20,
         description="one node with 10,000 consumers"),
    Case("linear time", chain, check="growth", sizes=(2_000, 20_000), points=2,
         visibility="hidden", time_limit=30,
         description="time from 2,000 to 20,000 nodes grows linearly"),
    Case("memory", memory_chain, check="memory", wrt="variables", visibility="hidden",
         time_limit=20,
         description="peak memory of gradient() and of its graph's evaluation"),
]

assert len({case.name for case in CASES}) == len(CASES)
