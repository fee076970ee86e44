"""Reference solution of the `numerical` assignment: central differences."""

import numpy as np


def numerical_gradient(f, x, h=1e-6):
    """Central-difference estimate of df/dx, shaped like x; x is left as it was found."""
    point = np.array(x, dtype=np.float64)  # a private copy: f and the probes never touch x
    grad = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        original = point[index]
        point[index] = original + h
        forward = float(f(point))
        point[index] = original - h
        backward = float(f(point))
        point[index] = original
        grad[index] = (forward - backward) / (2 * h)
    return grad
