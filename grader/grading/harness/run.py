"""The harness in one process, for a student's own machine: load the submission, run each
case, write JSON lines.

Usage: python run.py JOB_JSON RESULTS_JSONL SUBMISSION_DIR
Every line of RESULTS_JSONL is one JSON object: first {"import": ...} (the import record:
how importing the submission went), then one {"case": id, ...} per case, written as soon as
the case ends so that a crash or a timeout later on loses nothing already measured.

Here the process that runs the student's code also measures it: right for a student
checking their own work (the `autograder test` of the student package), never for a grade.
The grader runs warden.py instead, which keeps every measurement out of the student's reach.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the harness is the package `harness`

from harness import kinds, protocol  # noqa: E402
from harness.student_code import (  # noqa: E402
    guarded,
    import_submission,
    install_alarm,
    timeout_error,
)

WATCHDOG_GRACE = 1.0  # CPU seconds the student's code may go on after the alarm regardless


class Watchdog(threading.Thread):
    """End the process when a case outlives its alarm (signals ignored, the timeout caught).

    It writes the case's timeout record first, so the runner knows which case it was and
    runs the others in a fresh process.
    """

    def __init__(self, emit):
        super().__init__(daemon=True, name="case-watchdog")
        self.emit = emit
        self.lock = threading.Lock()
        self.armed: tuple[dict, float] | None = None
        self.wake = threading.Event()

    def arm(self, record: dict, deadline: float) -> None:
        """Write record and end the process once its CPU time passes deadline."""
        with self.lock:
            self.armed = (record, deadline)
        self.wake.set()

    def disarm(self) -> None:
        with self.lock:
            self.armed = None

    def run(self) -> None:
        while True:
            self.wake.wait(0.25)
            self.wake.clear()
            with self.lock:
                armed = self.armed
            if armed is None or time.process_time() < armed[1]:
                continue
            self.emit(armed[0])
            os._exit(3)


def main(job_path: str, results_path: str, submission_dir: str) -> int:
    job = json.loads(Path(job_path).read_text())
    runner = kinds.runner(job["kind"])  # before the student's code runs
    sink = open(results_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 (lives to exit)
    sink_lock = threading.Lock()

    def emit(record):
        with sink_lock:  # the watchdog may write too
            sink.write(json.dumps(record, allow_nan=True) + "\n")
            sink.flush()

    install_alarm()
    watchdog = Watchdog(emit)
    watchdog.start()

    started = time.perf_counter()
    load_limit = float(job.get("load_time_limit", 10))
    watchdog.arm({protocol.IMPORT: timeout_error(load_limit)},
                 time.process_time() + load_limit + WATCHDOG_GRACE)
    entry, import_record = import_submission(submission_dir, job["submit_file"], job["entry"],
                                             load_limit)
    watchdog.disarm()
    if entry is None:
        emit({protocol.IMPORT: import_record})
        return 0
    emit({protocol.IMPORT: {"category": None, "seconds": time.perf_counter() - started}})
    gc.freeze()  # what lives for the whole run is out of the collector's sight (timing.py)

    for case in job["cases"]:
        limit = float(case.get("time_limit", 10))
        category = case.get("timeout_category", "timeout")
        case_started, cpu_started = time.perf_counter(), time.process_time()
        watchdog.arm({"case": case["id"], "error": timeout_error(limit, category),
                      "cpu_seconds": limit, "ended_process": True},
                     cpu_started + limit + WATCHDOG_GRACE)
        record = {"case": case["id"], **guarded(lambda case=case: runner.run_case(entry, case),
                                                submission_dir, limit, category)}
        watchdog.disarm()
        record["wall_seconds"] = time.perf_counter() - case_started
        record["cpu_seconds"] = time.process_time() - cpu_started
        emit(record)
    return 0


if __name__ == "__main__":
    sys.setrecursionlimit(1000)  # the default, stated: deep graphs must not need recursion
    sys.exit(main(*sys.argv[1:4]))
