# expect: input-modified
# Perturbs x in place and "puts it back" by arithmetic: x[i] + h - 2h + h is not always x[i].
import numpy as np


def numerical_gradient(f, x, h=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        f_plus = f(x)
        x[i] -= 2 * h
        f_minus = f(x)
        x[i] += h
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
