"""A correct `numerical` written unlike the reference: the perturbations are the rows of h
times an identity matrix, reshaped like x; the answer is reshaped at the end."""

import numpy as np


def numerical_gradient(f, x, h=1e-6):
    x = np.asarray(x, dtype=np.float64)
    directions = (np.eye(x.size) * h).reshape((x.size, *x.shape))
    differences = np.array([f(x + step) - f(x - step) for step in directions])
    return (differences / (2.0 * h)).reshape(x.shape)
