"""The records between the harness and the judges: one vocabulary, used by both sides.

The harness (the warden in the grader, run.py on a student's machine) writes one JSON object
per line; the grader reads them (grader/grading/records.py: the first line of each kind
counts) and each case's judge reads its case's record. What a line is, which fields a record
holds and which of them only the measuring side may write are said here, once; the runners
add their kind's own fields (adjoints, values, graphs) to a case record, as data the judge
checks.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

# The key that says what a line is.
IMPORT = "import"              # {"import": ImportRecord}: the submission's import
CASE = "case"                  # a CaseRecord, "case" being the case's id
OUTPUT = "output"              # {"output": text}: what the public cases' process printed
SYSTEM_ERROR = "system_error"  # {"system_error": text}: the harness itself failed
BUDGET_SPENT = "budget_spent"  # {"budget_spent": true}: the run's CPU budget ended it early

# A case record's field for the CPU seconds of each of its calls, in order (the tests kind:
# the calls an instructor's test makes, each its own request to the confined process).
CALL_SECONDS = "call_seconds"
# The peaks of the calls measured for memory: {"method": RSS or TRACED, "bytes": {number:
# bytes above the process's size before the call}}, and the grader's figures of the reference
# on the same calls, measured alike ({number: bytes}).
CALL_PEAKS = "call_peaks"
REFERENCE_CALL_PEAKS = "reference_call_peaks"

# How a memory figure was measured.
RSS = "rss"          # by the warden: the kernel's high-water mark of a process of its own
TRACED = "traced"    # by tracemalloc in the process itself (a student's own machine)


class ErrorRecord(TypedDict):
    """Why a case (or the import) did not give a result."""

    category: str                 # a category of grader/grading/outcome.py
    message: NotRequired[str]
    limit: NotRequired[float]     # the CPU seconds it was stopped at (timeouts)


class ImportRecord(TypedDict, total=False):
    category: str | None          # None: imported
    message: str
    limit: float
    seconds: float                # how long the import took


class MemoryFigures(TypedDict, total=False):
    gradient_peak: int            # bytes above the process's size before the call
    method: str                   # RSS or TRACED
    reference_peak: int           # the grader's: the reference's peak, measured alike


class GrowthRun(TypedDict, total=False):
    """One graph of a growth case: its fastest timed call."""

    nodes: int
    seconds: float                # CPU seconds of the fastest call
    calls: int
    gradient_graph: dict          # the checked graph's: what that call built (records)


class CaseRecord(TypedDict, total=False):
    case: int
    cpu_seconds: float            # charged by the warden from the process's CPU clock
    wall_seconds: float
    error: ErrorRecord
    ended_process: bool           # the process could not go on after this case
    memory: MemoryFigures
    runs: list[GrowthRun]
    call_seconds: list[float]     # the tests kind: each call's, charged like cpu_seconds
    call_peaks: dict              # the tests kind: the memory-measured calls' peaks


# Fields only the measuring side writes (the warden, or run.py for a student's own run): what
# a confined process replies can never set them.
MEASURED_FIELDS = (CASE, "cpu_seconds", "wall_seconds", "memory", "ended_process", "seconds",
                   "calls", "nodes", CALL_SECONDS, CALL_PEAKS, REFERENCE_CALL_PEAKS,
                   IMPORT, OUTPUT, SYSTEM_ERROR, BUDGET_SPENT)


def untrusted_fields(body: dict) -> dict:
    """What a confined process computed, without anything it may not speak for."""
    return {key: value for key, value in body.items() if key not in MEASURED_FIELDS}
