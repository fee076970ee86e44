"""Cases of the `tests` kind: replay the calls an instructor's test made, return what came back.

The test itself never runs here: the trusted side recorded its calls to the student's
function (the assignment's ``entry``) while the reference solution answered them
(grader/grading/tests_cases.py), and judges the answers this runner returns. A case is
``{"calls": [{"records": graph, "args": [...], "kwargs": {...}}, ...]}``; each call's
arguments are rebuilt from the data (calls.py), the function is called on them, and its
result is encoded with its graph: the Nodes it built refer to the call's own argument
nodes by their index, so the judge rebuilds the returned graph on top of its own nodes
with the kit's ops and never runs any of the student's code.
"""

from __future__ import annotations

import time

from . import calls, graphio, protocol
from .measure.memory import measure_memory


def _call(function, call: dict) -> dict:
    nodes = graphio.deserialize(call["records"])
    index = {node: i for i, node in enumerate(nodes)}
    args = calls.decode(call["args"], nodes)
    kwargs = calls.decode(call.get("kwargs", {"dict": []}), nodes)
    result = function(*args, **kwargs)
    try:
        records, value, _ = calls.encode(result, known=index)
    except graphio.GraphFormatError as exc:
        return {"refused": str(exc)[:500]}
    return {"records": records, "value": value}


def calls_of(case) -> list[dict]:
    """A case's calls: the warden sends each as a request of its own and times it
    (``run_call`` answers it), so a test can read each call's CPU time; a call marked
    ``memory`` runs in a process of its own, whose peak the warden reads."""
    return case["calls"]


def run_call(function, call: dict) -> dict:
    """One recorded call, in a confined process; an exception of the student's ends the
    case (the harness turns it into the case's error)."""
    return _call(function, call)


def run_case(function, case):
    """Each recorded call in order, in this process, each timed on its CPU clock: the
    one-process harness of a student's own machine (run.py), where the process that runs
    the code may measure it."""
    results, seconds, peaks = [], [], {}
    for number, call in enumerate(case["calls"]):
        started = time.process_time()
        if call.get("memory"):
            report = measure_memory(_call, function, call)
            results.append(report.result)
            peaks[str(number)] = report.peak_bytes
        else:
            results.append(_call(function, call))
        seconds.append(time.process_time() - started)
    record = {"results": results, protocol.CALL_SECONDS: seconds}
    if peaks:
        record[protocol.CALL_PEAKS] = {"method": protocol.TRACED, "bytes": peaks}
    return record
