"""Which runner handles the cases of each kind of assignment."""

from . import autodiff_runner, backprop_runner, numerical_runner

RUNNERS = {
    "autodiff": autodiff_runner.run_case,
    "backprop": backprop_runner.run_case,
    "numerical": numerical_runner.run_case,
}
