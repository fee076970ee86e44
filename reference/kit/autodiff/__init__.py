"""autodiff: the graph framework of the course "Backpropagation and Automatic Differentiation".

Build graphs from variables, constants and ops; evaluate them with ``evaluate``.
The kit holds the framework only: the gradient algorithms are yours to write.
"""

from .evaluate import EvaluationError, evaluate
from .graph import Node, Op, as_node, constant, topological_sort, variable
from .ops import (
    add,
    add_const,
    broadcast_like,
    broadcast_to,
    div,
    exp,
    expand_dims,
    log,
    matmul,
    matrix_transpose,
    mul,
    mul_const,
    neg,
    ones_like,
    power,
    reciprocal,
    reduce_sum,
    relu,
    reshape,
    reshape_like,
    sigmoid,
    step,
    sub,
    sum_like,
    sum_node_list,
    tanh,
    transpose,
    unbroadcast,
    zeros_like,
)

__all__ = [
    "EvaluationError", "Node", "Op", "add", "add_const", "as_node", "broadcast_like",
    "broadcast_to", "constant", "div", "evaluate", "exp", "expand_dims", "log", "matmul",
    "matrix_transpose", "mul", "mul_const", "neg", "ones_like", "power", "reciprocal",
    "reduce_sum", "relu", "reshape", "reshape_like", "sigmoid", "step", "sub", "sum_like",
    "sum_node_list", "tanh", "topological_sort", "transpose", "unbroadcast", "variable",
    "zeros_like",
]
