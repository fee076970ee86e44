"""Numerical checks: central differences as the oracle, modeled on torch.autograd.gradcheck.

An analytic adjoint passes where |analytic - numeric| <= atol + rtol * |numeric| for
every element; a failure names the worst element (the one furthest over that bound). The
comparison itself is reference/closeness.py's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

import autodiff as ad

from . import engine
from .closeness import ATOL, EPS, RTOL, GradcheckError, WorstElement, compare

__all__ = ["ATOL", "EPS", "RTOL", "GradcheckError", "GradcheckResult", "WorstElement",
           "analytic_adjoints", "compare", "gradcheck", "gradgradcheck", "numeric_adjoint",
           "variables_of"]


@dataclass(frozen=True)
class GradcheckResult:
    ok: bool
    worst: WorstElement | None  # the worst element overall, failing or not

    def __bool__(self) -> bool:
        return self.ok


def variables_of(out: ad.Node) -> list[ad.Node]:
    """The variable leaves ``out`` depends on, in topological order."""
    return [node for node in ad.topological_sort([out]) if node.op.name == "variable"]


def numeric_adjoint(out: ad.Node, feed_dict: Mapping, wrt: ad.Node, eps: float = EPS):
    """Central-difference estimate of d sum(out) / d wrt at the point ``feed_dict``."""
    def total(value):
        return float(np.sum(ad.evaluate([out], {**feed_dict, wrt: value})[0]))

    return engine.central_difference(total, np.asarray(feed_dict[wrt], dtype=np.float64), eps)


def analytic_adjoints(out: ad.Node, feed_dict: Mapping, wrt: Sequence[ad.Node],
                      method: str = "autodiff") -> list[np.ndarray]:
    """The reference engine's adjoints of ``wrt``, by the gradient graph or by backprop."""
    if method == "autodiff":
        node_to_grad = engine.gradient_graph(out)
        return ad.evaluate([node_to_grad[x] for x in wrt], feed_dict)
    if method == "backprop":
        adjoints = engine.adjoint_values(out, feed_dict)
        return [np.asarray(adjoints[x]) for x in wrt]
    raise ValueError(f"unknown method {method!r}: use 'autodiff' or 'backprop'")


def gradcheck(out: ad.Node, feed_dict: Mapping, wrt: Sequence[ad.Node] | None = None, *,
              method: str = "autodiff", eps: float = EPS, atol: float = ATOL,
              rtol: float = RTOL, raise_exception: bool = True) -> GradcheckResult:
    """Check the reference adjoints of ``wrt`` (default: all variables) by central differences."""
    wrt = variables_of(out) if wrt is None else list(wrt)
    analytic = analytic_adjoints(out, feed_dict, wrt, method)
    checks = [compare(x.name, value, numeric_adjoint(out, feed_dict, x, eps), atol, rtol)
              for x, value in zip(wrt, analytic)]
    ok = all(x_ok for x_ok, _ in checks)
    # Report the worst failing element, or when everything passes the largest error seen.
    candidates = [w for x_ok, w in checks if w is not None and (ok or not x_ok)]
    worst = max(candidates, key=lambda w: w.abs_error, default=None)
    if not ok and raise_exception:
        raise GradcheckError(f"gradient check failed: {worst}")
    return GradcheckResult(ok, worst)


def gradgradcheck(out: ad.Node, feed_dict: Mapping, wrt: Sequence[ad.Node] | None = None, *,
                  seed: int = 0, **options) -> GradcheckResult:
    """Check second derivatives: gradcheck of sum(adjoint(x) * v) for a fixed random v."""
    wrt = variables_of(out) if wrt is None else list(wrt)
    node_to_grad = engine.gradient_graph(out)
    rng = np.random.default_rng(seed)
    result = GradcheckResult(True, None)
    for x in wrt:
        grad = node_to_grad[x]
        (grad_value,) = ad.evaluate([grad], feed_dict)
        weights = ad.constant(rng.uniform(0.5, 1.5, size=np.shape(grad_value)), name="v")
        projected = ad.reduce_sum(ad.mul(grad, weights))
        result = gradcheck(projected, feed_dict, wrt, **options)
        if not result.ok:
            return result
    return result
