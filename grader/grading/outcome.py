"""The verdict on one case, and the vocabulary of diagnosis categories."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Stable ids: dashboards count them, so they are never renamed.
GRAPH_CATEGORIES = (
    "adjoint-not-summed", "wrong-order", "double-counted", "missing-adjoint", "wrong-seed",
    "not-a-graph", "stale-state", "recursion-limit", "exponential-graph", "too-slow", "memory",
    "wrong-shape", "wrong-value",
)
NUMERICAL_CATEGORIES = ("forward-difference", "step-size", "input-modified")
RUN_CATEGORIES = ("syntax-error", "missing-function", "exception", "timeout", "crash",
                  "memory-limit", "output-limit", "forbidden")
# Instructor-written tests (tests_cases.py): a failed assertion, and a test that itself broke
# (the course's bug, never the student's).
TEST_CATEGORIES = ("test-failed", "test-error")
CATEGORIES = GRAPH_CATEGORIES + NUMERICAL_CATEGORIES + RUN_CATEGORIES + TEST_CATEGORIES

# Adjoints from two exact computations differ only by rounding.
RTOL, ATOL = 1e-6, 1e-9


@dataclass
class Outcome:
    passed: bool
    message: str = ""
    category: str | None = None
    diagnosis: dict = field(default_factory=dict)
    fraction: float | None = None  # of the points; None means all or nothing

    @property
    def earned(self) -> float:
        if self.fraction is not None:
            return self.fraction
        return 1.0 if self.passed else 0.0


def passed(message: str = "") -> Outcome:
    return Outcome(True, message)


def failed(category: str, message: str, **diagnosis) -> Outcome:
    assert category in CATEGORIES, category
    return Outcome(False, message, category, {"category": category, **diagnosis})


def close(received, expected) -> bool:
    received, expected = np.asarray(received), np.asarray(expected)
    return received.shape == expected.shape and bool(
        np.allclose(received, expected, rtol=RTOL, atol=ATOL, equal_nan=False))


def errors(received, expected) -> tuple[float, float]:
    """Worst absolute and relative error between two arrays of one shape."""
    received, expected = np.asarray(received, float), np.asarray(expected, float)
    if received.shape != expected.shape or received.size == 0:
        return float("nan"), float("nan")
    diff = np.abs(received - expected)
    worst = int(np.nanargmax(np.where(np.isnan(diff), np.inf, diff)))
    abs_error = float(diff.flat[worst])
    return abs_error, abs_error / max(abs(float(expected.flat[worst])), 1e-300)


def preview(value, limit: int = 6):
    """A short JSON-friendly rendering of an array for feedback."""
    array = np.asarray(value, dtype=float)
    # + 0.0 turns -0.0 (and what rounds to it) into 0.0: feedback never shows [-0]; NaN and
    # infinities stay floats here and are named ("NaN", "Infinity") in the strict document.
    flat = [round(float(v), 8) + 0.0 if np.isfinite(v) else float(v)
            for v in array.ravel()[:limit]]
    return {"shape": list(array.shape), "values": flat, "truncated": array.size > limit}
