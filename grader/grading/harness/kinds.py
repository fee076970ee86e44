"""Which runner handles the cases of each kind of assignment.

A registry of kinds, not of assignments: a manifest names its assignment's kind, so an
assignment of an existing kind is added without touching this (assignments/README.md).
"""

from . import autodiff_runner, backprop_runner, numerical_runner

RUNNERS = {
    "autodiff": autodiff_runner.run_case,
    "backprop": backprop_runner.run_case,
    "numerical": numerical_runner.run_case,
}
