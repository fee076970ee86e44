# expect: wrong-shape
# Collects the partial derivatives in a flat list: right for vectors, flat for matrices and
# one element long for a 0-d x.
import numpy as np


def numerical_gradient(f, x, h=1e-6):
    x = np.array(x, dtype=float)
    grads = []
    for i in range(x.size):
        step = np.zeros(x.size)
        step[i] = h
        step = step.reshape(x.shape)
        grads.append((f(x + step) - f(x - step)) / (2 * h))
    return np.array(grads)
