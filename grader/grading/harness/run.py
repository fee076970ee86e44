"""Entry point inside the sandbox: load the submission, run each case, write JSON lines.

Usage: python run.py JOB_JSON RESULTS_JSONL SUBMISSION_DIR
Every line of RESULTS_JSONL is one JSON object: first {"import": ...} (the import record:
how importing the submission went), then one
{"case": id, ...} per case, written as soon as the case ends so that a crash or a
timeout later on loses nothing already measured.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import os
import signal
import sys
import threading
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the harness is the package `harness` inside the sandbox


# Time limits count the CPU time of this process (ITIMER_PROF), not the wall clock, so that a
# loaded machine at a deadline does not cut off correct code; the sandbox's wall limit and
# the grading budget bound what never uses the CPU (a sleep).
WATCHDOG_GRACE = 1.0  # CPU seconds the student's code may go on after the alarm regardless


class CaseTimeout(BaseException):
    """Raised in the student's code when a case's time limit passes.

    A BaseException, so that the commonest student catch-all (`except Exception`) inside a
    loop does not swallow it.
    """


def _on_alarm(signum, frame):
    raise CaseTimeout("the case's time limit passed")


class Watchdog(threading.Thread):
    """End the process when a case outlives its alarm (signals ignored, the timeout caught).

    It writes the case's timeout record first, so the grader knows which case it was and
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


def describe_exception(exc: BaseException, submission_dir: str, limit: int = 4000) -> str:
    """The exception with the student's own frames only (harness frames say nothing to them)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename.startswith(submission_dir)]
    text = "".join(traceback.format_list(frames[-8:])) + "".join(
        traceback.format_exception_only(type(exc), exc))
    return text[-limit:]


def load_submission(path: Path):
    spec = importlib.util.spec_from_file_location("submission", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["submission"] = module
    spec.loader.exec_module(module)
    return module


def main(job_path: str, results_path: str, submission_dir: str) -> int:
    job = json.loads(Path(job_path).read_text())
    from harness import kinds
    from harness.lookups import NodeKeyError

    runner = kinds.RUNNERS[job["kind"]]
    sink = open(results_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 (lives to exit)
    sink_lock = threading.Lock()

    def emit(record):
        with sink_lock:  # the watchdog may write too
            sink.write(json.dumps(record, allow_nan=True) + "\n")
            sink.flush()

    signal.signal(signal.SIGPROF, _on_alarm)
    watchdog = Watchdog(emit)
    watchdog.start()

    path = Path(submission_dir) / job["submit_file"]
    started = time.perf_counter()
    load_limit = float(job.get("load_time_limit", 10))
    import_timeout = {"category": "timeout", "limit": load_limit,
                    "message": f"importing {job['submit_file']} did not finish within "
                               f"{load_limit:g} s of CPU time"}
    watchdog.arm({"import": import_timeout}, time.process_time() + load_limit + WATCHDOG_GRACE)
    signal.setitimer(signal.ITIMER_PROF, load_limit)
    try:
        module = load_submission(path)
    except CaseTimeout:
        emit({"import": import_timeout})
        return 0
    except SyntaxError as exc:
        emit({"import": {"category": "syntax-error",
                       "message": f"line {exc.lineno}: {exc.msg}\n{(exc.text or '').rstrip()}"}})
        return 0
    except MemoryError as exc:
        emit({"import": {"category": "memory-limit",
                       "message": describe_exception(exc, submission_dir)}})
        return 0
    except BaseException as exc:  # noqa: BLE001 (any failure of student code is data)
        emit({"import": {"category": "exception",
                       "message": describe_exception(exc, submission_dir)}})
        return 0
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        watchdog.disarm()
    entry = getattr(module, job["entry"], None)
    if not callable(entry):
        emit({"import": {"category": "missing-function",
                       "message": f"{job['submit_file']} does not define {job['entry']}()"}})
        return 0
    emit({"import": {"category": None, "seconds": time.perf_counter() - started}})
    # What lives for the whole run (the job's graphs, numpy, the kit, the submission) is
    # moved out of the collector's sight: the timings collect before each timed call, and
    # would otherwise walk all of it every time.
    gc.freeze()

    for case in job["cases"]:
        record = {"case": case["id"]}
        limit = float(case.get("time_limit", 10))
        timed_out = {"category": case.get("timeout_category", "timeout"), "limit": limit,
                     "message": f"stopped after {limit:g} s of CPU time"}
        case_started, cpu_started = time.perf_counter(), time.process_time()
        ended = {**record, "error": timed_out, "cpu_seconds": limit, "ended_process": True}
        watchdog.arm(ended, cpu_started + limit + WATCHDOG_GRACE)
        signal.setitimer(signal.ITIMER_PROF, limit)
        try:
            record.update(runner(entry, case))
        except NodeKeyError as exc:  # a mistake the judge can explain, not a crash
            record["key_error"] = {**exc.details,
                                   "message": describe_exception(exc.__cause__, submission_dir)}
        except CaseTimeout:
            record["error"] = timed_out
        except RecursionError as exc:
            record["error"] = {"category": "recursion-limit",
                               "message": describe_exception(exc, submission_dir)}
        except MemoryError as exc:
            record["error"] = {"category": "memory-limit",
                               "message": describe_exception(exc, submission_dir)}
        except BaseException as exc:  # noqa: BLE001
            record["error"] = {"category": "exception",
                               "message": describe_exception(exc, submission_dir)}
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
            watchdog.disarm()
        record["wall_seconds"] = time.perf_counter() - case_started
        record["cpu_seconds"] = time.process_time() - cpu_started
        emit(record)
    return 0


if __name__ == "__main__":
    sys.setrecursionlimit(1000)  # the default, stated: deep graphs must not need recursion
    sys.exit(main(*sys.argv[1:4]))
