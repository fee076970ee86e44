"""A grading job's life in named, timed steps: prepare, run (in the sandbox), check, report.

The submission runs in the sandbox; every decision is made here. One sandboxed run takes
all the cases, the public (visible) ones first, so that a student reads the verdict on the
tests they can run themselves within a second: the harness writes a record per case as it
ends, the run's results file is watched while it grows, and once every public case has its
record their partial result document is handed on while the hidden and scale cases still
run. A file that cannot be imported ends the grading at once. When a process dies
part-way (timeout, crash, out of memory) the cases it finished keep their results, the
case it was in gets the run's category, and the rest run again, for as long as the
grading budget lasts (budget.py); what it could not reach is a timeout.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from grader.grading import sandbox
from grader.grading.assignments import KIT_DIR, Assignment, get_assignment

from .budget import Budget, BudgetClock, case_time_limit
from .harness import protocol
from .harness.kinds import MEASURED_CHECKS
from .harness.measure.timing import REPEAT as TIMING_REPEAT
from .records import RunParser, judge
from .results import AFTER_DUE, VISIBLE, build_document, pending_entry, test_entry

log = logging.getLogger(__name__)

HARNESS_DIR = Path(__file__).resolve().parent / "harness"
GUEST_KIT = "/sandbox/kit"
GUEST_HARNESS_ROOT = "/sandbox/harness"  # on sys.path: the harness is the package `harness`
GUEST_HARNESS = f"{GUEST_HARNESS_ROOT}/harness"
GUEST_SUBMISSION = "/sandbox/in/submission"
# The read-once files of the cases the public one may not know (harness/warden.py): the
# after-due-date ones (shown once the due date passes) and the hidden ones (never shown),
# each read by a process of its own, so no message a student may read can quote a hidden input.
AFTER_DUE_FILE, HIDDEN_FILE = "after_due.json", "hidden.json"
# The records travel on the warden's stdout: room for every case's record.
RECORD_BYTES = 16 << 20
# The declared limits measure the reference; nothing is cut short while they are measured.
CALIBRATION_BUDGET = Budget(wall_seconds=600, cpu_seconds=600)
LOAD_TIME_LIMIT = 5.0
# A partial result costs a write and a page update: it is made only when the cases after the
# public ones keep the student waiting noticeably longer, taking the reference over this
# much CPU (backprop 0.3 s, autodiff 0.4 s; numerical 0.01 s, whose whole verdict comes as
# soon as a partial one would).
PARTIAL_RESULT_SECONDS = 0.1
# What a pre-started sandbox imports while it waits for a job: all the harness will need
# before the submission (its runners pull in the kit).
HARNESS_PRELOAD = ("numpy", "autodiff", "harness.warden")
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
    """Seconds spent in each named phase; a phase inside another pauses the outer one."""

    def __init__(self):
        self.phases: dict[str, float] = {}
        self._open: list[list] = []  # [name, since when it is charged]

    @contextmanager
    def phase(self, name: str):
        now = time.perf_counter()
        if self._open:
            self._charge(self._open[-1], now)
        self._open.append([name, now])
        try:
            yield
        finally:
            now = time.perf_counter()
            self._charge(self._open.pop(), now)
            if self._open:
                self._open[-1][1] = now

    def _charge(self, entry: list, now: float) -> None:
        name, since = entry
        self.phases[name] = self.phases.get(name, 0.0) + now - since


@dataclass
class CaseRuns:
    """What the sandboxed runs of one grading produced."""

    import_record: dict = field(default_factory=dict)
    records: dict[int, dict] = field(default_factory=dict)
    isolation: str = "none"
    stdout: str = ""


def grade_submission(slug: str, source: str, *, public_only: bool = False,
                     progress: Callable[[str], None] | None = None,
                     budget: Budget | None = None,
                     on_public_result: Callable[[dict], None] | None = None) -> dict:
    """Grade one submission's source text within budget and return its result document.

    on_public_result receives the partial document of the public cases (marked `partial`,
    the cases still to run listed in `pending_tests`) as soon as they all have a record,
    while the hidden and scale cases still run; it is not called when the file could not be
    imported, when there is nothing else to run, or when the rest is too quick for a partial
    result to be worth showing (_worth_a_partial_result). The final document lists every
    case in the assignment's order.
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
        payloads = [_timed_payload(i, case, reference.get(case.name)) for i, case in public + rest]
    judged = _JudgedOnce(reference, slug, dict(public + rest))

    def document(cases: list, runs: CaseRuns, pending: list | None = None) -> dict:
        with timer.phase("check"):
            tests = [test_entry(i + 1, case, judged.outcome(i, case, runs)) for i, case in cases]
            pending_tests = None if pending is None else [pending_entry(i + 1, case)
                                                          for i, case in pending]
        return build_document(assignment, tests, phases=timer.phases, isolation=runs.isolation,
                              import_record=runs.import_record, stdout=runs.stdout,
                              pending=pending_tests)

    on_records = None
    if on_public_result is not None and public and _worth_a_partial_result(rest, reference):
        public_ids = {i for i, _case in public}

        def on_records(runs: CaseRuns) -> bool:
            """Hand on the public verdict once complete; True while still waiting for it."""
            if runs.import_record.get("category"):
                return False  # the final verdict follows at once
            if not public_ids <= runs.records.keys():
                return True
            on_public_result(document(public, runs, pending=rest))
            return False

    report(f"running {len(payloads)} tests in the sandbox")
    try:
        with timer.phase("run"):
            runs = _run_cases(assignment, source, payloads, report, clock,
                              use_spare=spare_sandbox_enabled(),
                              public_ids={i for i, _case in public}, on_records=on_records,
                              after_due_ids={i for i, case in rest
                                             if case.visibility == AFTER_DUE},
                              on_case=judged.judge_soon)
        report("checking the results")
        graded = {payload["id"] for payload in payloads}
        return document([(i, case) for i, case in numbered if i in graded], runs)
    finally:
        judged.close()


class _JudgedOnce:
    """Each case judged once per grading, and as early as its record allows: a record that
    arrives while the run goes on is judged on a thread of its own (``judge_soon``), on the
    other core, while the sandbox runs the next cases (the judges of the large cases take
    as long as the cases themselves). An outcome is kept for as long as its import record
    and case record stay the same: a public case judged for the partial result keeps its
    outcome in the final one."""

    def __init__(self, reference: dict[str, float], slug: str, cases: dict[int, object]) -> None:
        self.reference, self.slug, self.cases = reference, slug, cases
        self.outcomes: dict[int, tuple[dict, dict | None, object]] = {}
        self.soon: dict[int, tuple[dict, Future]] = {}
        self.judges = ThreadPoolExecutor(max_workers=1, thread_name_prefix="judge")

    def judge_soon(self, position: int, record: dict) -> None:
        """Start judging a case's record, taken as final, with the file imported."""
        case = self.cases.get(position)
        if case is not None and position not in self.soon:
            self.soon[position] = (record, self.judges.submit(
                judge_case, self.slug, case, {}, record, self.reference.get(case.name)))

    def outcome(self, position: int, case, runs: CaseRuns):
        record = runs.records.get(position)
        known = self.outcomes.get(position)
        if known is not None and known[0] == runs.import_record and known[1] is record:
            return known[2]
        soon = self.soon.pop(position, None)
        if soon is not None and soon[0] is record and not runs.import_record:
            outcome = soon[1].result()
        else:
            outcome = judge_case(self.slug, case, runs.import_record, record,
                                 self.reference.get(case.name))
        self.outcomes[position] = (runs.import_record, record, outcome)
        return outcome

    def close(self) -> None:
        self.judges.shutdown(wait=False, cancel_futures=True)


def _worth_a_partial_result(rest: list, reference: dict[str, float]) -> bool:
    """Whether the cases after the public ones take long enough to show a verdict before them.

    Below PARTIAL_RESULT_SECONDS of the reference's CPU (numerical: about 0.01 s) the whole
    verdict comes as soon as the partial one would.
    """
    seconds = [reference.get(case.name) for _, case in rest]
    return None in seconds or sum(seconds) > PARTIAL_RESULT_SECONDS


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
                      lambda message: None, BudgetClock(CALIBRATION_BUDGET), use_spare=False,
                      public_ids={p["id"] for p in payloads})
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


def reference_peaks(slug: str) -> dict[str, int]:
    """The peak memory of the reference solution on each memory case, by name, measured as
    the warden measures a submission's (measured once)."""
    runs = calibrate(slug)[0]
    cases = get_assignment(slug).cases()
    return {cases[i].name: record["memory"]["gradient_peak"]
            for i, record in runs.records.items()
            if isinstance(record.get("memory"), dict) and "gradient_peak" in record["memory"]}


def reference_call_peaks(slug: str) -> dict[str, dict]:
    """The peak memory of the reference solution on each call an instructor's test measures,
    by test name and call number, measured as the warden measures a submission's (once)."""
    runs = calibrate(slug)[0]
    cases = get_assignment(slug).cases()
    return {cases[i].name: record[protocol.CALL_PEAKS]["bytes"]
            for i, record in runs.records.items()
            if isinstance(record.get(protocol.CALL_PEAKS), dict)}


def judge_case(slug: str, case, import_record: dict, record: dict | None,
               reference: float | None = None):
    """records.judge, with what the grader measured of the reference alike: a memory record
    of the warden's (a memory case's, or the calls an instructor's test measured) is judged
    against the reference's peak measured the same way."""
    memory = (record or {}).get("memory")
    if isinstance(memory, dict) and memory.get("method") == protocol.RSS:
        record = {**record, "memory": {**memory,
                                       "reference_peak": reference_peaks(slug).get(case.name)}}
    peaks = (record or {}).get(protocol.CALL_PEAKS)
    if isinstance(peaks, dict) and peaks.get("method") == protocol.RSS:
        record = {**record,
                  protocol.REFERENCE_CALL_PEAKS: reference_call_peaks(slug).get(case.name, {})}
    return judge(case, import_record, record, reference)


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


class _RecordStream:
    """Reads each run's records once, as the warden writes them (records.RunParser): each
    case's record goes to `on_case` as soon as it is complete, and the records so far are
    offered to `on_records` for as long as it returns True."""

    def __init__(self, on_records: Callable[[CaseRuns], bool] | None = None,
                 on_case: Callable[[int, dict], None] | None = None) -> None:
        self.on_records, self.on_case = on_records, on_case
        self.listening = on_records is not None

    def offer(self, runs: CaseRuns) -> None:
        if self.listening:
            self.listening = bool(self.on_records(runs))

    def watch(self, earlier: CaseRuns, pending_ids: set[int],
              ) -> tuple[RunParser, sandbox.OutputWatch]:
        """The next run's parser, and the watch that feeds it, on top of (a copy of) the
        earlier runs' records."""
        seen = CaseRuns(import_record=earlier.import_record, records=dict(earlier.records),
                        isolation=earlier.isolation)

        def case_seen(case_id: int, record: dict) -> None:
            seen.records.setdefault(case_id, record)  # the first record of a case
            if self.on_case is not None:
                self.on_case(case_id, record)

        parser = RunParser(pending_ids, on_case=case_seen)

        def on_append(data: bytes) -> bool:
            run = parser.feed(data)
            if run.import_record.get("category") and not seen.import_record:
                seen.import_record = run.import_record
            self.offer(seen)
            return True  # every line is read here, once, as it comes

        return parser, sandbox.OutputWatch(on_append)


def _run_cases(assignment: Assignment, source: str, payloads: list[dict], report,
               clock: BudgetClock, use_spare: bool, public_ids: set[int],
               after_due_ids: set[int] = frozenset(),
               on_records: Callable[[CaseRuns], bool] | None = None,
               on_case: Callable[[int, dict], None] | None = None) -> CaseRuns:
    """Run the cases of `payloads`, in their order, in as many sandboxed runs as deaths need;
    `on_records` sees the records as they come (_RecordStream). The cases of `public_ids`
    go in the job file; the others in a read-once file the warden reads after them."""
    base_limits = sandbox.Limits(**assignment.limits.get("sandbox", {}))
    base_limits = dataclasses.replace(
        base_limits, output_bytes=max(base_limits.output_bytes, RECORD_BYTES),
        result_bytes=max(base_limits.result_bytes, RECORD_BYTES))
    mounts = [sandbox.Mount(KIT_DIR / "autodiff", f"{GUEST_KIT}/autodiff"),
              sandbox.Mount(HARNESS_DIR, GUEST_HARNESS)]
    runs = CaseRuns(isolation=sandbox.isolation_mode())
    stream = _RecordStream(on_records, on_case)
    records = runs.records
    pending = payloads
    while pending:
        if clock.spent():
            records.update({p["id"]: _budget_spent(clock.budget, False) for p in pending})
            break
        job, read_once = _job_files(assignment, pending, public_ids, after_due_ids)
        pending_ids = {p["id"] for p in pending}
        parser, watch = stream.watch(runs, pending_ids)
        result = sandbox.run_python(
            f"{GUEST_HARNESS}/warden.py",
            args=["/sandbox/in/job.json", GUEST_SUBMISSION],
            mounts=mounts,
            files={"job.json": job, f"submission/{assignment.submit_file}": source.encode()},
            read_once_files=read_once or None,
            limits=clock.limits_for_next_run(base_limits),
            python_path=[GUEST_KIT, GUEST_HARNESS_ROOT], preload=HARNESS_PRELOAD,
            use_spare=use_spare,
            watch=watch)
        clock.charge(result.cpu_seconds)
        if result.reason == "sandbox-error":
            raise SystemGradingError(f"the sandbox failed to start: {result.stderr[-500:]!r}")
        run = parser.finish(result.stdout)
        if run.system_error:
            raise SystemGradingError(f"the grading harness failed: {run.system_error[-500:]}")
        runs.isolation = result.isolation
        runs.stdout += run.output
        run_import, run_records = run.import_record, run.records
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
        if run.budget_spent:  # the warden's own count of the run's CPU, not a death
            records.update({p["id"]: _budget_spent(clock.budget, False) for p in remaining})
            break
        if any(record.get("ended_process") for record in run_records.values()) \
                and result.reason is None:
            pending = remaining  # the warden could not go on in this run; the rest run again
            stream.offer(runs)
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
        stream.offer(runs)
    return runs


def _job_files(assignment: Assignment, pending: list[dict], public_ids: set[int],
               after_due_ids: set[int] = frozenset()) -> tuple[bytes, dict[str, bytes]]:
    """The job file (what the public cases' process may know) and the read-once files of the
    after-due-date cases and of the hidden ones."""
    public = [p for p in pending if p["id"] in public_ids]
    after_due = [p for p in pending if p["id"] in after_due_ids - public_ids]
    hidden = [p for p in pending if p["id"] not in public_ids | after_due_ids]
    job = {"kind": assignment.kind, "submit_file": assignment.submit_file,
           "entry": assignment.entry, "cases": public, "load_time_limit": LOAD_TIME_LIMIT,
           # how many processes each measured case needs: forked before the hidden read
           "measured": {str(p["id"]): count for p in pending
                        if (count := _measuring_processes(p))}}
    read_once = {name: json.dumps({"cases": cases}).encode()
                 for name, cases in ((AFTER_DUE_FILE, after_due), (HIDDEN_FILE, hidden))
                 if cases}
    return json.dumps(job).encode(), read_once


def _measuring_processes(payload: dict) -> int:
    """How many processes of its own a case needs (harness/warden.py): a memory case one; a
    growth case's checked graph a fresh one per timed call, each other graph one for all its
    calls; an instructor's test one per call it measures for memory; any other none."""
    if payload.get("check") == "growth":
        return sum(TIMING_REPEAT if graph.get("checked", True) else 1
                   for graph in payload["graphs"])
    if payload.get("check") in MEASURED_CHECKS:
        return 1
    return sum(1 for call in payload.get("calls", ()) if call.get("memory"))


def _death_message(result) -> str:
    tail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
    reason = result.reason or f"exit code {result.exit_code}"
    return f"the process ended ({reason})" + (":\n" + "\n".join(tail) if tail else "")
