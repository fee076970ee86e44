"""A grading job's life in named, timed steps: prepare, run (in the sandbox), check, report.

The submission runs in the sandbox; every decision is made here. When the process
dies part-way (timeout, crash, out of memory) the cases it finished keep their
results, the case it was in gets the run's category, and the rest run again.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from grader.assignments import KIT_DIR, Assignment, get_assignment
from workers import sandbox

from .outcome import Outcome, failed
from .results import build_document, test_entry

log = logging.getLogger(__name__)

HARNESS_DIR = Path(__file__).resolve().parents[2] / "workers" / "harness"
GUEST_KIT = "/sandbox/kit"
GUEST_HARNESS = "/sandbox/harness/harness"
GUEST_SUBMISSION = "/sandbox/in/submission"
RESULTS_FILE = "results.jsonl"
MAX_RECORD_BYTES = 32 << 20

# What the sandbox's reason for ending a run means for the case that was running.
RUN_CATEGORIES = {
    "timeout": "timeout", "cpu-time": "timeout", "memory-limit": "memory-limit",
    "output-limit": "output-limit", "crash": "crash", "forbidden": "forbidden",
}


class SystemGradingError(RuntimeError):
    """The grader itself failed (not the student's code): the job should be retried."""


class PhaseTimer:
    def __init__(self):
        self.phases: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.phases[name] = self.phases.get(name, 0.0) + time.perf_counter() - started


def grade_submission(slug: str, source: str, *, public_only: bool = False,
                     progress: Callable[[str], None] | None = None) -> dict:
    """Grade one submission's source text and return its result document."""
    assignment = get_assignment(slug)
    report = progress or (lambda message: None)
    timer = PhaseTimer()
    with timer.phase("prepare"):
        cases = [c for c in assignment.cases() if not public_only or c.visibility == "visible"]
        payloads = [{"id": i, **case.payload()} for i, case in enumerate(cases)]
    report(f"running {len(cases)} tests in the sandbox")
    with timer.phase("run"):
        load, records, isolation, stdout = _run_cases(assignment, source, payloads, report)
    report("checking the results")
    with timer.phase("check"):
        tests = [test_entry(i + 1, case, _judge(case, load, records.get(i)))
                 for i, case in enumerate(cases)]
    return build_document(assignment, tests, phases=timer.phases, isolation=isolation,
                          load=load, stdout=stdout)


def _judge(case, load: dict, record: dict | None) -> Outcome:
    if load.get("category"):
        return failed(load["category"], load.get("message", ""))
    if record is None:
        return failed("exception", "the test did not run")
    if "error" in record:
        error = record["error"]
        return failed(error.get("category", "exception"), str(error.get("message", ""))[:4000])
    try:
        return case.judge(record)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        # Malformed data can only come from inside the sandbox (a forged or damaged record).
        log.warning("case %s: malformed record: %s", case.name, exc)
        return failed("forbidden", "the test's result record was malformed or tampered with")


def _run_cases(assignment: Assignment, source: str, payloads: list[dict], report):
    limits = sandbox.Limits(**assignment.limits.get("sandbox", {}))
    mounts = [sandbox.Mount(KIT_DIR / "autodiff", f"{GUEST_KIT}/autodiff"),
              sandbox.Mount(HARNESS_DIR, GUEST_HARNESS)]
    records: dict[int, dict] = {}
    load: dict = {}
    isolation, stdout = "none", ""
    pending = payloads
    while pending:
        job = {"kind": assignment.kind, "submit_file": assignment.submit_file,
               "entry": assignment.entry, "cases": pending}
        result = sandbox.run_python(
            f"{GUEST_HARNESS}/run.py",
            args=["/sandbox/in/job.json", f"/sandbox/out/{RESULTS_FILE}", GUEST_SUBMISSION],
            mounts=mounts,
            files={"job.json": json.dumps(job).encode(),
                   f"submission/{assignment.submit_file}": source.encode()},
            limits=limits, python_path=[GUEST_KIT])
        if result.reason == "sandbox-error":
            raise SystemGradingError(f"the sandbox failed to start: {result.stderr[-500:]!r}")
        isolation = result.isolation
        stdout = result.stdout.decode("utf-8", "replace")
        pending_ids = {p["id"] for p in pending}
        run_load, run_records = _parse_records(result.files.get(RESULTS_FILE, b""), pending_ids)
        if run_load.get("category"):
            load = run_load
            break
        if not run_load and not records:  # died before the harness could report on the file
            load = {"category": RUN_CATEGORIES.get(result.reason, "crash"),
                    "message": _death_message(result)}
            break
        records.update(run_records)
        remaining = [p for p in pending if p["id"] not in records]
        if not remaining:
            break
        casualty = remaining[0]
        records[casualty["id"]] = {"error": {
            "category": RUN_CATEGORIES.get(result.reason, "crash"),
            "message": _death_message(result)}}
        report(f"a test ended the process ({result.reason}); running the remaining tests")
        pending = remaining[1:]
    return load, records, isolation, stdout


def _death_message(result) -> str:
    tail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
    reason = result.reason or f"exit code {result.exit_code}"
    return f"the process ended ({reason})" + (":\n" + "\n".join(tail) if tail else "")


def _parse_records(data: bytes, expected_ids: set[int]) -> tuple[dict, dict[int, dict]]:
    """The load record and the first record of each expected case; anything else is ignored."""
    load, records = {}, {}
    for line in data[:MAX_RECORD_BYTES].splitlines():
        try:
            record = json.loads(line)
        except (ValueError, UnicodeDecodeError):
            continue
        if not isinstance(record, dict):
            continue
        if "load" in record and not load and isinstance(record["load"], dict):
            load = record["load"]
        elif record.get("case") in expected_ids and record["case"] not in records:
            records[record["case"]] = record
    return load, records
