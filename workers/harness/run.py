"""Entry point inside the sandbox: load the submission, run each case, write JSON lines.

Usage: python run.py JOB_JSON RESULTS_JSONL SUBMISSION_DIR
Every line of RESULTS_JSONL is one JSON object: first {"load": ...}, then one
{"case": id, ...} per case, written as soon as the case ends so that a crash or a
timeout later on loses nothing already measured.
"""

from __future__ import annotations

import importlib.util
import json
import signal
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the harness is the package `harness` inside the sandbox


class CaseTimeout(Exception):
    """Raised in the student's code when a case's time limit passes."""


def _on_alarm(signum, frame):
    raise CaseTimeout("the case's time limit passed")


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

    def emit(record):
        sink.write(json.dumps(record, allow_nan=True) + "\n")
        sink.flush()

    path = Path(submission_dir) / job["submit_file"]
    started = time.perf_counter()
    try:
        module = load_submission(path)
    except SyntaxError as exc:
        emit({"load": {"category": "syntax-error",
                       "message": f"line {exc.lineno}: {exc.msg}\n{(exc.text or '').rstrip()}"}})
        return 0
    except BaseException as exc:  # noqa: BLE001 (any failure of student code is data)
        emit({"load": {"category": "exception",
                       "message": describe_exception(exc, submission_dir)}})
        return 0
    entry = getattr(module, job["entry"], None)
    if not callable(entry):
        emit({"load": {"category": "missing-function",
                       "message": f"{job['submit_file']} does not define {job['entry']}()"}})
        return 0
    emit({"load": {"category": None, "seconds": time.perf_counter() - started}})

    signal.signal(signal.SIGALRM, _on_alarm)
    for case in job["cases"]:
        record = {"case": case["id"]}
        case_started = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, float(case.get("time_limit", 10)))
        try:
            record.update(runner(entry, case))
        except NodeKeyError as exc:  # a mistake the judge can explain, not a crash
            record["key_error"] = {**exc.details,
                                   "message": describe_exception(exc.__cause__, submission_dir)}
        except CaseTimeout:
            record["error"] = {"category": "too-slow",
                               "message": f"stopped after {case.get('time_limit', 10)} s"}
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
            signal.setitimer(signal.ITIMER_REAL, 0)
        record["wall_seconds"] = time.perf_counter() - case_started
        emit(record)
    return 0


if __name__ == "__main__":
    sys.setrecursionlimit(1000)  # the default, stated: deep graphs must not need recursion
    sys.exit(main(*sys.argv[1:4]))
