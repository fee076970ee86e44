"""Numerical differentiation with central differences.

Submit this one file. You may import numpy and the standard library.
"""

import numpy as np  # noqa: F401  (you will need it)


def numerical_gradient(f, x, h=1e-6):
    """Return the central-difference estimate of df/dx, an array shaped like x.

    For each element i of x:

        df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2h)

    where e_i is 1 at element i and 0 elsewhere.

    Arguments:
        f: a function from an array shaped like x to a scalar (a float).
        x: a numpy array of floats, of any shape (a 0-d array included). Leave it exactly
           as you found it: perturb a copy, or restore each element from its saved value.
        h: the step; use the one you are given.
    """
    raise NotImplementedError("write the central difference")
