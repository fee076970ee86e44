"""Cases of the `numerical` assignment: call numerical_gradient(f, x, h) and watch x and f."""

from __future__ import annotations

import numpy as np

from . import functions, graphio


def _function(spec):
    if "records" in spec:
        nodes = graphio.deserialize(spec["records"])
        out, x = nodes[spec["out"]], nodes[spec["x"]]

        def f(value):
            return float(np.sum(graphio.ad.evaluate([out], {x: value})[0]))

        return f
    return functions.make(spec)


def run_case(numerical_gradient, case):
    f = _function(case["function"])
    calls = 0

    def counted(value):
        nonlocal calls
        calls += 1
        return f(value)

    pristine = graphio.decode_array(case["x"])
    runs = []
    for h in case["steps"]:
        x = pristine.copy()
        calls = 0
        grad = numerical_gradient(counted, x) if h is None else numerical_gradient(counted, x, h)
        run = {"h": h, "calls": calls, "modified": not np.array_equal(x, pristine)}
        try:
            run["value"] = graphio.encode_array(grad)
        except (TypeError, ValueError):
            run["not_array"] = f"returned a {type(grad).__name__}"
        runs.append(run)
    return {"runs": runs}
