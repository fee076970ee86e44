"""A grading job's life in named, timed steps: prepare, run (in the sandbox), check, report.

The submission runs in the sandbox; every decision is made here. It runs in two stages,
so that a student reads the verdict on the tests they can run themselves within a second:
the public (visible) cases first, in their own sandboxed run, judged and handed on as a
partial result document; then the hidden and scale cases. A file that cannot be imported
ends the grading after the first stage. When a process dies part-way (timeout, crash, out
of memory) the cases it finished keep their results, the case it was in gets the run's
category, and the rest of its stage run again, for as long as the grading budget lasts
(budget.py, one budget for both stages); what it could not reach is a timeout.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from grader.grading import sandbox
from grader.grading.assignments import KIT_DIR, Assignment, get_assignment

from .budget import Budget, BudgetClock, case_time_limit
from .records import judge, parse_records
from .results import VISIBLE, build_document, pending_entry, test_entry

log = logging.getLogger(__name__)

HARNESS_DIR = Path(__file__).resolve().parent / "harness"
GUEST_KIT = "/sandbox/kit"
GUEST_HARNESS_ROOT = "/sandbox/harness"  # on sys.path: the harness is the package `harness`
GUEST_HARNESS = f"{GUEST_HARNESS_ROOT}/harness"
GUEST_SUBMISSION = "/sandbox/in/submission"
RESULTS_FILE = "results.jsonl"
# The declared limits measure the reference; nothing is cut short while they are measured.
CALIBRATION_BUDGET = Budget(wall_seconds=600, cpu_seconds=600)
LOAD_TIME_LIMIT = 5.0
# What a sandbox start costs (bwrap, Python, numpy, the kit: docs/grading.md): the public
# tests get a run of their own only when the rest takes the reference longer than that.
SECOND_STAGE_SECONDS = 0.3  # importing the submission (numpy and the kit are loaded before)
# What a pre-started sandbox imports while it waits for a job: all the harness will need
# before the submission (its runners pull in the kit).
HARNESS_PRELOAD = ("numpy", "autodiff", "harness.kinds")
# On: each grading process keeps one sandbox pre-started (sandbox/spare.py), taking ~0.3 s of
# start-up off every grading. Workers turn it on (workers/make_celery.py); a one-shot CLI
# run, which would start a spare only to throw it away, leaves it off.
SPARE_SANDBOX_ENV = "GRADER_SPARE_SANDBOX"

# What the sandbox's reason for ending a run means for the case that was running.
REASON_CATEGORIES = {
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


@dataclass
class CaseRuns:
    """What the sandboxed runs of one grading produced."""

    import_record: dict = field(default_factory=dict)
    records: dict[int, dict] = field(default_factory=dict)
    isolation: str = "none"
    stdout: str = ""

    def followed_by(self, later: CaseRuns) -> CaseRuns:
        """These runs and a later stage's together: a failed import in either holds for all."""
        return CaseRuns(import_record=self.import_record or later.import_record,
                        records={**self.records, **later.records},
                        isolation=later.isolation, stdout=self.stdout + later.stdout)


def grade_submission(slug: str, source: str, *, public_only: bool = False,
                     progress: Callable[[str], None] | None = None,
                     budget: Budget | None = None,
                     on_public_result: Callable[[dict], None] | None = None) -> dict:
    """Grade one submission's source text within budget and return its result document.

    on_public_result receives the partial document of the public cases (marked `partial`,
    the cases still to run listed in `pending_tests`) before the hidden and scale cases run;
    it is not called when the first stage's verdict is final (the file could not be
    imported, or there is nothing else to run) or when the rest is too quick to be worth a
    run of its own (_worth_a_second_run). The final document lists every case in the
    assignment's order.
    """
    assignment = get_assignment(slug)
    clock = BudgetClock(budget or Budget())
    report = progress or (lambda message: None)
    timer = PhaseTimer()
    with timer.phase("prepare"):
        reference = reference_seconds(slug)
        numbered = list(enumerate(assignment.cases()))
        public = [(i, case) for i, case in numbered if case.visibility == VISIBLE]
        rest = [] if public_only else [(i, case) for i, case in numbered
                                       if case.visibility != VISIBLE]
        stages = [("public", public), ("hidden and scale", rest)]
        if on_public_result is None or not _worth_a_second_run(rest, reference):
            stages = [("", public + rest)]  # the whole verdict comes as soon as a partial one
        stages = [(label, cases) for label, cases in stages if cases]

    def run_stage(label: str, cases: list) -> CaseRuns:
        report(f"running {len(cases)} {label + ' ' if label else ''}tests in the sandbox")
        payloads = [_timed_payload(i, case, reference.get(case.name)) for i, case in cases]
        with timer.phase("run"):
            return _run_cases(assignment, source, payloads, report, clock,
                              use_spare=spare_sandbox_enabled())

    def document(cases: list, runs: CaseRuns, pending: list | None = None) -> dict:
        with timer.phase("check"):
            tests = [test_entry(i + 1, case, judge(case, runs.import_record,
                                                    runs.records.get(i), reference.get(case.name)))
                     for i, case in cases]
            pending_tests = None if pending is None else [pending_entry(i + 1, case)
                                                          for i, case in pending]
        return build_document(assignment, tests, phases=timer.phases, isolation=runs.isolation,
                              import_record=runs.import_record, stdout=runs.stdout,
                              pending=pending_tests)

    runs = CaseRuns()
    for number, (label, cases) in enumerate(stages):
        runs = runs.followed_by(run_stage(label, cases))
        if runs.import_record.get("category"):
            break  # the file cannot be imported: no other case can run either
        if number + 1 < len(stages) and on_public_result is not None:
            on_public_result(document(cases, runs, pending=stages[number + 1][1]))
    report("checking the results")
    graded = {i for _, cases in stages for i, _case in cases}
    return document([(i, case) for i, case in numbered if i in graded], runs)


def _worth_a_second_run(rest: list, reference: dict[str, float]) -> bool:
    """Whether the cases after the public ones take long enough to show a verdict before them.

    A second stage costs a second sandbox start; below SECOND_STAGE_SECONDS of the
    reference's CPU (numerical: about 0.01 s) the whole verdict comes as soon as the public
    one would, and one run is also the cheaper at a deadline (docs/grading.md).
    """
    seconds = [reference.get(case.name) for _, case in rest]
    return None in seconds or sum(seconds) > SECOND_STAGE_SECONDS


@cache
def calibrate(slug: str) -> tuple[CaseRuns, dict[str, float]]:
    """Run the reference solution once per process; return its runs and each case's CPU seconds.

    The seconds set each case's time limit (budget.case_time_limit). A worker that warms up
    calibrates in its parent, so every pool child inherits the figures.
    """
    assignment = get_assignment(slug)
    cases = assignment.cases()
    payloads = [{"id": i, **case.payload()} for i, case in enumerate(cases)]
    # Never on a spare: calibration runs once per process, often in a worker's parent, which
    # would then keep a spare (and its slot uid) it never uses.
    runs = _run_cases(assignment, assignment.solution.read_text(encoding="utf-8"), payloads,
                      lambda message: None, BudgetClock(CALIBRATION_BUDGET), use_spare=False)
    seconds = {case.name: float(runs.records[i]["cpu_seconds"])
               for i, case in enumerate(cases)
               if "error" not in runs.records.get(i, {"error": None})
               and "cpu_seconds" in runs.records[i]}
    if len(seconds) < len(cases) or runs.import_record.get("category"):
        log.error("calibrating %s: the reference solution failed %d of %d cases (%s); those "
                  "cases keep their declared time limits", slug, len(cases) - len(seconds),
                  len(cases), runs.import_record.get("message") or "see the warm-up")
    return runs, seconds


def reference_seconds(slug: str) -> dict[str, float]:
    """The CPU seconds the reference solution needs on each case, by name (measured once)."""
    return calibrate(slug)[1]


def _timed_payload(position: int, case, reference: float | None) -> dict:
    return {"id": position, **case.payload(),
            "time_limit": case_time_limit(case.time_limit, reference),
            "timeout_category": case.timeout_category}


def spare_sandbox_enabled() -> bool:
    """Whether gradings in this process run on pre-started sandboxes (GRADER_SPARE_SANDBOX)."""
    return os.environ.get(SPARE_SANDBOX_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _budget_spent(budget: Budget, killed_mid_case: bool) -> dict:
    if killed_mid_case:
        message = (f"Stopped: this test was running when the grading budget of "
                   f"{budget.describe()} for one submission ran out.")
    else:
        message = (f"Not run: the grading budget of {budget.describe()} for one submission "
                   "was spent by the tests before this one. Fix those first.")
    return {"error": {"category": "timeout", "message": message}}


def _run_cases(assignment: Assignment, source: str, payloads: list[dict], report,
               clock: BudgetClock, use_spare: bool) -> CaseRuns:
    base_limits = sandbox.Limits(**assignment.limits.get("sandbox", {}))
    mounts = [sandbox.Mount(KIT_DIR / "autodiff", f"{GUEST_KIT}/autodiff"),
              sandbox.Mount(HARNESS_DIR, GUEST_HARNESS)]
    runs = CaseRuns()
    records = runs.records
    pending = payloads
    while pending:
        if clock.spent():
            records.update({p["id"]: _budget_spent(clock.budget, False) for p in pending})
            break
        job = {"kind": assignment.kind, "submit_file": assignment.submit_file,
               "entry": assignment.entry, "cases": pending, "load_time_limit": LOAD_TIME_LIMIT}
        result = sandbox.run_python(
            f"{GUEST_HARNESS}/run.py",
            args=["/sandbox/in/job.json", f"/sandbox/out/{RESULTS_FILE}", GUEST_SUBMISSION],
            mounts=mounts,
            files={"job.json": json.dumps(job).encode(),
                   f"submission/{assignment.submit_file}": source.encode()},
            limits=clock.limits_for_next_run(base_limits),
            python_path=[GUEST_KIT, GUEST_HARNESS_ROOT], preload=HARNESS_PRELOAD,
            use_spare=use_spare)
        clock.charge(result.cpu_seconds)
        if result.reason == "sandbox-error":
            raise SystemGradingError(f"the sandbox failed to start: {result.stderr[-500:]!r}")
        runs.isolation = result.isolation
        runs.stdout = result.stdout.decode("utf-8", "replace")
        pending_ids = {p["id"] for p in pending}
        run_import, run_records = parse_records(result.files.get(RESULTS_FILE, b""), pending_ids)
        if run_import.get("category"):
            runs.import_record = run_import
            break
        if not run_import and not records:  # died before the harness could report on the file
            runs.import_record = {"category": REASON_CATEGORIES.get(result.reason, "crash"),
                         "message": _death_message(result)}
            break
        records.update(run_records)
        remaining = [p for p in pending if p["id"] not in records]
        if not remaining:
            break
        if any(record.get("ended_process") for record in run_records.values()):
            pending = remaining  # the harness ended it after a timeout it could not raise
            continue
        casualty = remaining[0]
        if result.reason in ("timeout", "cpu-time") and clock.spent():
            records[casualty["id"]] = _budget_spent(clock.budget, True)
        else:
            records[casualty["id"]] = {"error": {
                "category": REASON_CATEGORIES.get(result.reason, "crash"),
                "message": _death_message(result)}}
        report(f"a test ended the process ({result.reason}); running the remaining tests")
        pending = remaining[1:]
    return runs


def _death_message(result) -> str:
    tail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
    reason = result.reason or f"exit code {result.exit_code}"
    return f"the process ended ({reason})" + (":\n" + "\n".join(tail) if tail else "")
