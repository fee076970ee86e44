"""A correct `numerical` written unlike the reference: x itself is perturbed in place with
nditer, and each entry is restored from its saved value (exactly, even if f raises)."""

import numpy as np


def numerical_gradient(f, x, h=1e-6):
    grad = np.zeros(x.shape)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    while not it.finished:
        index = it.multi_index
        saved = x[index]
        try:
            x[index] = saved + h
            upper = f(x)
            x[index] = saved - h
            lower = f(x)
        finally:
            x[index] = saved
        grad[index] = (upper - lower) / (2 * h)
        it.iternext()
    return grad
