# expect: step-size
# The step is tuned once inside the function and the argument h is never used.
import numpy as np


def numerical_gradient(f, x, h=1e-6):
    eps = 1e-6
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[i] += eps
        minus[i] -= eps
        grad[i] = (f(plus) - f(minus)) / (2 * eps)
    return grad
