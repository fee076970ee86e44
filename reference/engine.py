"""The trusted reference engine: the answers every judge compares a submission against.

The lecture's three algorithms, each with one home: the reference solution file that
implements it (a file a student could submit, under reference/solutions/). The engine names
those files itself, by path, never by an assignment's slug: a judge does not depend on which
assignments a course has, and an assignment folder copied under a new slug with its own
solution is judged the same way, its own solution setting only its limits (the pipeline
calibrates time and memory on the manifest's ``solution``).
"""

from __future__ import annotations

from pathlib import Path

from . import solutions

# Which solution file implements each algorithm: the engine's whole dependency on them.
FILES = {
    "gradient_graph": "autodiff/gradient.py",       # AutoDiff: the gradient graph
    "adjoint_values": "backprop/backprop.py",       # Backprop: adjoint values
    "central_difference": "numerical/numerical.py",  # numerical differentiation
}


def gradient_graph(out):
    """node_to_grad: for every node ``out`` depends on, a Node computing d sum(out)/d node."""
    return solutions.load_file(FILES["gradient_graph"]).gradient(out)


def adjoint_values(out, feed_dict):
    """The adjoint value d sum(out)/d node of every node ``out`` depends on, at feed_dict."""
    return solutions.load_file(FILES["adjoint_values"]).gradient(out, feed_dict)


def central_difference(f, x, h: float = 1e-6):
    """The central-difference estimate of df/dx (f maps an array like x to a scalar)."""
    return solutions.load_file(FILES["central_difference"]).numerical_gradient(f, x, h)


def files() -> list[Path]:
    """The solution files the engine runs (what a grading elsewhere must ship)."""
    return [solutions.resolve(name) for name in FILES.values()]
