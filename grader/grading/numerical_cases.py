"""The `numerical` assignment's cases: what goes into the sandbox and how the answer is judged.

The submission estimates df/dx in the sandbox, once per step size h of the case; the
estimates come back with how often f was called and whether x was changed. Here they
are compared with the analytic gradient (the reference autodiff for engine graphs, the
formulas below for plain-numpy functions) and with what the reference central
difference and one-sided differences give at the same h, which tells a forward
difference and an ignored h apart from other wrong values.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

import autodiff as ad
from grader.grading.harness import functions, graphio

from .outcome import Outcome, errors, failed, passed, preview
from .sentences import sentence
from .trusted import engine

DEFAULT_H = 1e-6


# -- analytic gradients of the plain-numpy functions of grader/grading/harness/functions.py --
def _grad_sin_sum(spec, x):
    return np.cos(x)


def _grad_quadratic(spec, x):
    a = np.asarray(spec["a"], dtype=np.float64)
    b = np.asarray(spec["b"], dtype=np.float64)
    flat = x.ravel()
    return (0.5 * (a + a.T) @ flat + b).reshape(x.shape)


def _grad_logsumexp(spec, x):
    shifted = np.exp(x - np.max(x))
    return shifted / np.sum(shifted)


def _grad_rosenbrock(spec, x):
    # f = sum_i 100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2, over the first axis.
    grad = np.zeros_like(x)
    inner = x[1:] - x[:-1] ** 2
    grad[:-1] += -400.0 * x[:-1] * inner - 2.0 * (1.0 - x[:-1])
    grad[1:] += 200.0 * inner
    return grad


def _grad_cubic(spec, x):
    return 3.0 * x ** 2


ANALYTIC = {
    "sin_sum": _grad_sin_sum,
    "quadratic": _grad_quadratic,
    "logsumexp": _grad_logsumexp,
    "rosenbrock": _grad_rosenbrock,
    "cubic": _grad_cubic,
}


def _effective(h) -> float:
    return DEFAULT_H if h is None else float(h)


def _label(h) -> str:
    return "with the default h" if h is None else f"with h={h:g}"


@dataclass(eq=False)
class NumericalCase:
    """One function, one point x, and the step sizes numerical_gradient is called with.

    ``function`` is either a plain-numpy spec ({"name": ..., params}) known to
    grader/grading/harness/functions.py, or a builder returning (out, x) of an engine graph in
    which x is the only variable; f(x) is then sum(out).
    """

    name: str
    function: dict | Callable[[], tuple[ad.Node, ad.Node]]
    x: list | float | None = None     # a fixed point; None draws one from shape and domain
    shape: tuple = ()
    domain: tuple[float, float] = (-1.5, 1.5)
    steps: tuple = (None,)            # None: call without h (the default, 1e-6)
    points: float = 1.0
    visibility: str = "visible"
    description: str = ""
    time_limit: float = 10.0
    atol: float = 1e-6
    rtol: float = 1e-5

    timeout_category = "timeout"  # what running out of time on a case says: a loop

    # -- the function and the point ----------------------------------------------------
    @cached_property
    def engine(self) -> tuple[ad.Node, ad.Node] | None:
        if isinstance(self.function, dict):
            return None
        out, x = self.function()
        if x.op.name != "variable" or [n for n in ad.topological_sort([out])
                                        if n.op.name == "variable"] != [x]:
            raise ValueError(f"case {self.name}: x must be the graph's only variable")
        return out, x

    @cached_property
    def point(self) -> np.ndarray:
        if self.x is not None:
            point = np.array(self.x, dtype=np.float64)
        else:
            rng = np.random.default_rng(zlib.crc32(self.name.encode()))
            point = rng.uniform(*self.domain, size=self.shape)
        point = np.asarray(point, dtype=np.float64)
        point.setflags(write=False)
        return point

    @cached_property
    def f(self) -> Callable[[np.ndarray], float]:
        """The case's function on this side of the sandbox (trusted)."""
        if self.engine is None:
            return functions.make(self.function)
        out, x = self.engine

        def f(value):
            return float(np.sum(ad.evaluate([out], {x: value})[0]))

        return f

    @cached_property
    def analytic(self) -> np.ndarray:
        point = np.array(self.point)
        if self.engine is None:
            return np.asarray(ANALYTIC[self.function["name"]](self.function, point),
                              dtype=np.float64)
        out, x = self.engine
        grad = engine().gradient_graph(out)[x]
        return np.asarray(ad.evaluate([grad], {x: point})[0], dtype=np.float64)

    # -- into the sandbox ------------------------------------------------------------
    @cached_property
    def _payload(self) -> dict:
        if self.engine is None:
            spec = dict(self.function)
        else:
            out, x = self.engine
            records, index = graphio.serialize([out])
            spec = {"records": records, "out": index[out], "x": index[x]}
        return {"check": "numerical", "function": spec, "x": graphio.encode_array(self.point),
                "steps": list(self.steps), "time_limit": self.time_limit}

    def payload(self) -> dict:
        return self._payload

    # -- reference computations, once per case -------------------------------------------
    @cached_property
    def reference_estimates(self) -> dict[float, np.ndarray]:
        """The reference central difference at every step size the case uses."""
        estimate = engine().central_difference
        wanted = {_effective(h) for h in self.steps} | {DEFAULT_H}
        return {h: np.asarray(estimate(self.f, np.array(self.point), h)) for h in wanted}

    @cached_property
    def _one_sided_cache(self) -> dict:
        return {}

    def one_sided(self, h: float, direction: int) -> np.ndarray:
        """(f(x + d h e_i) - f(x)) / (d h): the forward (d = 1) or backward (d = -1) difference."""
        cache = self._one_sided_cache
        if (h, direction) not in cache:
            point = np.array(self.point)
            centre = self.f(point)
            grad = np.zeros_like(point)
            for index in np.ndindex(point.shape):
                probe = point.copy()
                probe[index] += direction * h
                grad[index] = (self.f(probe) - centre) / (direction * h)
            cache[(h, direction)] = grad
        return cache[(h, direction)]

    def tolerance(self, h: float) -> np.ndarray:
        """Per element: the case's atol and rtol, plus twice the reference's own error at h."""
        g = self.analytic
        return self.atol + self.rtol * np.abs(g) + 2.0 * np.abs(self.reference_estimates[h] - g)

    # -- out of the sandbox ------------------------------------------------------------
    def snapshot_needs(self) -> list[str]:
        """The cached reference results judging this case reads (snapshots.py)."""
        return ["analytic", "reference_estimates"]

    def judge(self, record: dict) -> Outcome:
        runs = record["runs"]
        if len(runs) != len(self.steps):
            raise ValueError("one run per step size was expected")
        n = self.point.size
        for h, run in zip(self.steps, runs):
            if "not_array" in run:
                return failed("wrong-value", f"numerical_gradient {_label(h)} "
                              f"{run['not_array']}, not a numpy array of numbers.",
                              h=h, hint=sentence("wrong-value", "estimate-not-an-array"))
            if run["modified"]:
                return failed("input-modified", f"numerical_gradient {_label(h)} left x "
                              "changed.", h=h,
                              hint=sentence("input-modified"))
        values = []
        for h, run in zip(self.steps, runs):
            value = graphio.decode_array(run["value"])
            if value.shape != self.point.shape:
                return failed("wrong-shape", f"numerical_gradient {_label(h)} returned shape "
                              f"{list(value.shape)}; x has shape {list(self.point.shape)}.",
                              h=h, expected_shape=list(self.point.shape),
                              received_shape=list(value.shape),
                              hint=sentence("wrong-shape", "estimate"))
            values.append(value)
        ignored = self._h_ignored(values)
        if ignored is not None:
            return ignored
        for h, run, value in zip(self.steps, runs, values):
            h_eff = _effective(h)
            error = np.abs(value - self.analytic)
            if not bool(np.all(error <= self.tolerance(h_eff))):
                return self._classify(h, run, value, values, n)
        return passed(self._success_message(values))

    def _h_ignored(self, values) -> Outcome | None:
        """Two different step sizes that gave bit-identical answers where they should not."""
        steps = [_effective(h) for h in self.steps]
        if not all(np.all(np.isfinite(value)) for value in values):
            return None  # infinities are alike whatever h: _classify says what is wrong
        for i in range(len(steps)):
            for j in range(i + 1, len(steps)):
                if steps[i] == steps[j] or not np.array_equal(values[i], values[j]):
                    continue
                ref_i, ref_j = (self.reference_estimates[steps[i]],
                                self.reference_estimates[steps[j]])
                spread = np.max(np.abs(ref_i - ref_j), initial=0.0)
                if spread > 1e-9 * (1.0 + np.max(np.abs(self.analytic), initial=0.0)):
                    return failed("step-size", f"h={steps[i]:g} and h={steps[j]:g} gave the "
                                  "very same estimate: numerical_gradient does not use its "
                                  "argument h.", steps=[steps[i], steps[j]],
                                  hint=sentence("step-size"))
        return None

    def _classify(self, h, run, value, values, n) -> Outcome:
        h_eff = _effective(h)
        g = self.analytic
        abs_error, rel_error = errors(value, g)
        details = {"h": h, "expected": preview(g), "received": preview(value),
                   "abs_error": abs_error, "rel_error": rel_error, "f_calls": run["calls"],
                   "elements": n}
        if not np.all(np.isfinite(value)):
            # Every comparison below measures a distance, and any distance to inf is inf.
            return failed("wrong-value", f"{_label(h)} the estimate has NaN or infinite "
                          "elements.", **details,
                          hint=sentence("wrong-value", "estimate-not-finite"))
        distance = float(np.max(np.abs(value - g), initial=0.0))
        for direction, formula in ((1, "(f(x + h) - f(x)) / h"), (-1, "(f(x) - f(x - h)) / h")):
            one_sided = self.one_sided(h_eff, direction)
            if float(np.max(np.abs(value - one_sided), initial=0.0)) <= 0.1 * distance:
                return failed("forward-difference", f"{_label(h)} the estimate is the one-sided "
                              f"difference {formula}, whose error shrinks like h; use the central "
                              "difference (f(x + h) - f(x - h)) / (2h), whose error shrinks "
                              f"like h^2.{self._ratio_note(values)}", **details,
                              hint=sentence("forward-difference", "one-sided"))
        for other in self.reference_estimates:
            if other != h_eff and self._is_reference_at(value, other, h_eff):
                return failed("step-size", f"{_label(h)} the estimate is what central "
                              f"differences give with h={other:g}: the h passed in is not "
                              "used.", **details, hint=sentence("step-size"))
        accurate_elsewhere = [
            other for other, v in zip(self.steps, values)
            if _effective(other) != h_eff and bool(np.all(
                np.abs(v - g) <= self.tolerance(_effective(other))))]
        if accurate_elsewhere:
            return failed("step-size", f"the estimate is right {_label(accurate_elsewhere[0])} "
                          f"but wrong {_label(h)}: h is not used consistently.", **details,
                          hint=sentence("step-size", "inconsistent"))
        ratio = self._error_ratio(values)
        if ratio is not None:
            (big, small), factor = ratio
            expected_factor = (big / small) ** 2
            e_big = float(np.max(np.abs(dict(zip(self.steps, values))[big] - g), initial=0.0))
            reference_big = float(np.max(np.abs(self.reference_estimates[big] - g), initial=0.0))
            # An error that stays put is an ignored h only while it is no worse than central
            # differences at the larger h; a constant factor off (say 2x) stays put as well.
            if 0.5 <= factor <= 2.0 and e_big <= 2.0 * reference_big:
                return failed("step-size", f"from h={big:g} to h={small:g} the error did not "
                              f"change ({factor:.1f}x; central differences: about "
                              f"{expected_factor:.0f}x): h is not used as it should be.",
                              **details, hint=sentence("step-size"))
            if (big / small) ** 0.5 <= factor <= (big / small) ** 1.5:
                return failed("forward-difference", f"from h={big:g} to h={small:g} the error "
                              f"fell {factor:.0f}x, like h rather than h^2 (central differences:"
                              f" about {expected_factor:.0f}x): the estimate is only first-order"
                              " accurate.", **details,
                              hint=sentence("forward-difference"))
        if n > 1 and run["calls"] == n + 1:  # central differences call f 2n times
            return failed("forward-difference", f"{_label(h)} the estimate is wrong, and f was "
                          f"called {n + 1} times for {n} elements: the pattern of a one-sided "
                          "difference. Use the central difference "
                          "(f(x + h) - f(x - h)) / (2h).", **details)
        return failed("wrong-value", f"{_label(h)} the estimate is off by up to {abs_error:.3g} "
                      f"(relative {rel_error:.3g}) from the exact gradient.", **details,
                      hint=sentence("wrong-value", "estimate"))

    def _is_reference_at(self, value, other: float, h: float) -> bool:
        """Is ``value`` what central differences give with step ``other`` (and not with h)?"""
        g, estimates = self.analytic, self.reference_estimates
        scale = 1.0 + float(np.max(np.abs(g), initial=0.0))
        rounding = 1e-15 * (1.0 + abs(self.f(np.array(self.point)))) / other
        match = (0.01 * float(np.max(np.abs(estimates[other] - g), initial=0.0))
                 + 1e-8 * scale + rounding)
        apart = float(np.max(np.abs(estimates[other] - estimates[h]), initial=0.0))
        return apart > 10 * match and float(
            np.max(np.abs(value - estimates[other]), initial=0.0)) <= match

    def _ratio_note(self, values) -> str:
        ratio = self._error_ratio(values)
        if ratio is None:
            return ""
        (big, small), factor = ratio
        return (f" From h={big:g} to h={small:g} the error fell {factor:.0f}x "
                f"(central differences: about {(big / small) ** 2:.0f}x).")

    def _error_ratio(self, values):
        """((larger h, smaller h), error ratio) for the two largest explicit steps, if any."""
        explicit = sorted(((h, v) for h, v in zip(self.steps, values) if h is not None),
                          key=lambda item: -item[0])
        if len(explicit) < 2 or explicit[1][0] < 1e-4:
            return None
        (big, v_big), (small, v_small) = explicit[0], explicit[1]
        e_big = float(np.max(np.abs(v_big - self.analytic), initial=0.0))
        e_small = float(np.max(np.abs(v_small - self.analytic), initial=0.0))
        if e_big < 1e-9:  # no truncation error to speak of (f is quadratic or linear here)
            return None
        return (big, small), e_big / max(e_small, 1e-300)

    def _success_message(self, values) -> str:
        steps = ", ".join(_label(h).removeprefix("with the ").removeprefix("with ")
                          for h in self.steps)
        message = f"matches the gradient ({steps})"
        ratio = self._error_ratio(values)
        if ratio is not None:
            (big, small), factor = ratio
            message += f"; from h={big:g} to h={small:g} the error fell {factor:.0f}x"
        return message
