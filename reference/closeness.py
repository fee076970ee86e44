"""When an adjoint is close enough to its numerical estimate: the tolerances, the worst element.

The comparison of reference/gradcheck.py, apart from the reference engine it checks: it
imports numpy alone, so the student package ships it with the instructor's test kit
(grader/grading/instructor_tests.py), which compares a student's partial adjoints by it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPS, ATOL, RTOL = 1e-6, 1e-5, 1e-3


@dataclass(frozen=True)
class WorstElement:
    """The element of an adjoint that is furthest from its numerical estimate."""

    node: str
    index: tuple[int, ...]
    analytic: float
    numeric: float
    abs_error: float
    rel_error: float

    def __str__(self) -> str:
        return (f"d/d{self.node}{list(self.index)}: analytic {self.analytic:.6g}, "
                f"numeric {self.numeric:.6g} (abs error {self.abs_error:.3g}, "
                f"rel error {self.rel_error:.3g})")


class GradcheckError(AssertionError):
    """Raised by gradcheck when an adjoint disagrees with central differences."""


def compare(name: str, analytic, numeric, atol: float = ATOL, rtol: float = RTOL):
    """(ok, worst element) of one adjoint against its estimate."""
    analytic = np.asarray(analytic, dtype=np.float64)
    numeric = np.asarray(numeric, dtype=np.float64)
    if analytic.shape != numeric.shape:
        raise GradcheckError(
            f"d/d{name}: analytic shape {analytic.shape} != numeric shape {numeric.shape}")
    if analytic.size == 0:
        return True, None
    abs_error = np.abs(analytic - numeric)
    excess = np.where(np.isfinite(abs_error), abs_error - (atol + rtol * np.abs(numeric)), np.inf)
    flat = int(np.argmax(excess))
    index = tuple(int(i) for i in np.unravel_index(flat, analytic.shape))
    worst = WorstElement(
        node=name, index=index, analytic=float(analytic[index]), numeric=float(numeric[index]),
        abs_error=float(abs_error[index]),
        rel_error=float(abs_error[index] / max(abs(numeric[index]), np.finfo(float).tiny)),
    )
    return bool(excess[index] <= 0), worst
