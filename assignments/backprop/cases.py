"""Cases of the `backprop` assignment (trusted code: never mounted in the sandbox).

Each case is graded at one random point, which the submission is given as feed_dict.
"""

import autodiff as ad
from grader.grading.backprop_cases import BackpropCase as Case
from reference.graphs import (
    POSITIVE,
    chain,
    diamond,
    fan_out,
    interior_adjoints,
    ladder,
    lecture_sigmoid,
    memory_chain,
    mlp_loss,
    non_leaf_twice,
    nonlinear,
    same_names,
    shared_interior,
    v,
)

CASES = [
    Case("identity", lambda: v("x", (3,)), description="out = x: the adjoint of x is ones"),
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
         visibility="after_due_date", description="shape ops"),
    Case("nonlinear elementwise", nonlinear, domains={"x": POSITIVE, "x3": (0.1, 1.0)},
         visibility="hidden", description="exp, log, sigmoid, tanh, relu, reciprocal, power"),
    Case("MLP loss", mlp_loss, points=3, visibility="hidden",
         description="0.5 * ||relu(x W1 + b1) W2 + b2 - target||^2"),
    Case("ones_like and zeros_like", lambda: v("x", (3,)) * ad.ones_like(v("y", (3,)))
         + ad.zeros_like(v("x2", (3,))), visibility="after_due_date",
         description="ops whose partial adjoints are None: those nodes' adjoints are zero"),
    Case("two variables named alike", same_names, visibility="hidden",
         description="nodes are told apart by identity, not name"),
    Case("non-scalar output", lambda: v("x", (2, 3)) * v("w", (3,)) + 1.0,
         description="the seed is ones with out's shape"),
    Case("adjoints of interior nodes", interior_adjoints, visibility="hidden",
         description="every node's adjoint, not only the variables'"),
    Case("same call twice", shared_interior, check="repeat", visibility="hidden",
         description="gradient() keeps no state between calls"),
    Case("2,500-node chain", lambda: chain(2_500), wrt="variables", trace=False, points=2,
         visibility="hidden", time_limit=20,
         description="deeper than the recursion limit (1,000): the walk must not recurse"),
    Case("50-level diamond ladder", lambda: ladder(50), wrt="variables", trace=False,
         points=2, visibility="hidden", time_limit=10,
         description="x_{i+1} = 0.5 x_i + 0.5 x_i: 2^50 paths, summed per node"),
    Case("2,000-way fan-out", lambda: fan_out(2_000), wrt="variables", trace=False,
         visibility="hidden", time_limit=10, description="one node with 2,000 consumers"),
    Case("linear time", fan_out, check="growth", sizes=(500, 5_000), points=2,
         visibility="hidden", time_limit=30,
         description="time from 500 to 5,000 consumers of one node grows linearly"),
    Case("memory", lambda: memory_chain(20_000, 40), check="memory", wrt="variables",
         visibility="after_due_date",
         time_limit=20, description="peak memory of gradient() against the reference's"),
]

assert len({case.name for case in CASES}) == len(CASES)
