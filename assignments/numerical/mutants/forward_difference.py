# expect: forward-difference
# The first formula of the lecture, (f(x + h) - f(x)) / h: one-sided, its error shrinks like h.
import numpy as np


def numerical_gradient(f, x, h=1e-6):
    x = np.array(x, dtype=float)
    fx = f(x)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        shifted = x.copy()
        shifted[i] += h
        grad[i] = (f(shifted) - fx) / h
    return grad
