"""Running the student's code: importing the submission, calling it under a CPU alarm, and
turning what it raises into a record's fields.

Shared by both drivers of the harness: the warden's confined processes in the grader
(confined.py) and the single process on a student's own machine (run.py). Nothing here is
trusted to measure: it runs in the process the student's code controls.
"""

from __future__ import annotations

import importlib.util
import signal
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .lookups import NodeKeyError


class CaseTimeout(BaseException):
    """Raised in the student's code when a case's time limit passes.

    A BaseException, so that the commonest student catch-all (`except Exception`) inside a
    loop does not swallow it.
    """


_armed = False  # whether an alarm that fires now ends the call under way


def _on_alarm(signum, frame):
    if _armed:
        raise CaseTimeout("the case's time limit passed")


def install_alarm() -> None:
    """Time limits count the CPU time of the process (ITIMER_PROF), not the wall clock, so
    that a loaded machine at a deadline does not cut off correct code."""
    signal.signal(signal.SIGPROF, _on_alarm)


def set_alarm(cpu_seconds: float) -> None:
    global _armed
    _armed = cpu_seconds > 0  # disarmed first: a signal already on its way does nothing
    signal.setitimer(signal.ITIMER_PROF, max(cpu_seconds, 0.0))


def _under_alarm(call: Callable[[], Any], limit: float) -> Any:
    """call() under a CPU alarm of ``limit`` seconds, disarmed before anything else runs. An
    alarm firing as the call starts or ends (a case's last few microseconds) raises
    CaseTimeout here, for the caller to catch, and never in the code that follows."""
    set_alarm(limit)
    try:
        return call()
    finally:
        set_alarm(0)


def describe_exception(exc: BaseException, submission_dir: str, limit: int = 4000) -> str:
    """The exception with the student's own frames only (harness frames say nothing to them)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename.startswith(submission_dir)]
    text = "".join(traceback.format_list(frames[-8:])) + "".join(
        traceback.format_exception_only(type(exc), exc))
    return text[-limit:]


def timeout_error(limit: float, category: str = "timeout") -> dict:
    return {"category": category, "limit": limit,
            "message": f"stopped after {limit:g} s of CPU time"}


def import_submission(submission_dir: str, submit_file: str, entry_name: str,
                      load_limit: float) -> tuple[Callable | None, dict]:
    """(the entry function or None, the import record's body: category None when it worked).

    Importing runs the student's module-level code under a CPU alarm of ``load_limit``.
    """
    import_timeout = {"category": "timeout", "limit": load_limit,
                      "message": f"importing {submit_file} did not finish within "
                                 f"{load_limit:g} s of CPU time"}
    try:
        module = _under_alarm(lambda: _load(Path(submission_dir) / submit_file), load_limit)
    except CaseTimeout:
        return None, import_timeout
    except SyntaxError as exc:
        return None, {"category": "syntax-error",
                      "message": f"line {exc.lineno}: {exc.msg}\n{(exc.text or '').rstrip()}"}
    except MemoryError as exc:
        return None, {"category": "memory-limit",
                      "message": describe_exception(exc, submission_dir)}
    except BaseException as exc:  # noqa: BLE001 (any failure of student code is data)
        return None, {"category": "exception", "message": describe_exception(exc, submission_dir)}
    entry = getattr(module, entry_name, None)
    if not callable(entry):
        return None, {"category": "missing-function",
                      "message": f"{submit_file} does not define {entry_name}()"}
    return entry, {"category": None}


def _load(path: Path):
    spec = importlib.util.spec_from_file_location("submission", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["submission"] = module
    spec.loader.exec_module(module)
    return module


def guarded(call: Callable[[], dict], submission_dir: str, limit: float,
            timeout_category: str = "timeout") -> dict:
    """call()'s record fields, or what it raised as an error the judge understands; under a
    CPU alarm of ``limit`` seconds."""
    try:
        return _under_alarm(call, limit)
    except NodeKeyError as exc:  # a mistake the judge can explain, not a crash
        return {"key_error": {**exc.details,
                              "message": describe_exception(exc.__cause__, submission_dir)}}
    except CaseTimeout:
        return {"error": timeout_error(limit, timeout_category)}
    except RecursionError as exc:
        return {"error": {"category": "recursion-limit",
                          "message": describe_exception(exc, submission_dir)}}
    except MemoryError as exc:
        return {"error": {"category": "memory-limit",
                          "message": describe_exception(exc, submission_dir)}}
    except BaseException as exc:  # noqa: BLE001
        return {"error": {"category": "exception",
                          "message": describe_exception(exc, submission_dir)}}
