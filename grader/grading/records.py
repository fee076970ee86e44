"""From the harness's JSON lines to one outcome per case: the part every grader shares.

The grading pipeline (in the sandbox) and the student package (on a student's machine)
read the same records and judge them the same way, so the diagnosis a student sees
locally is the one the grader gives.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from grader.grading.harness.protocol import BUDGET_SPENT, CASE, IMPORT, OUTPUT, SYSTEM_ERROR

from .outcome import CATEGORIES, Outcome, failed
from .sentences import sentence

log = logging.getLogger(__name__)

MAX_RECORD_BYTES = 32 << 20


@dataclass
class RunRecords:
    """What one run's records say: the import record, the first record of each expected
    case, what the public cases' process printed, and the harness's own failure if any."""

    import_record: dict = field(default_factory=dict)
    records: dict[int, dict] = field(default_factory=dict)
    output: str = ""
    system_error: str | None = None
    budget_spent: bool = False  # the warden stopped before the last case: the budget ran out


def parse_run(data: bytes, expected_ids: set[int]) -> RunRecords:
    """Read a run's JSON lines; anything but the records listed above is ignored."""
    return RunParser(expected_ids).finish(data)


class RunParser:
    """parse_run, fed the run's stdout piece by piece while the run goes on: each line is
    read once, as soon as it is complete, and each case's record is handed to ``on_case``
    (case id, record) the moment it is known, so that judging can start while later cases
    still run."""

    def __init__(self, expected_ids: set[int],
                 on_case: Callable[[int, dict], None] | None = None) -> None:
        self.expected_ids, self.on_case = expected_ids, on_case
        self.run = RunRecords()
        self.consumed = 0  # bytes of stdout read so far (complete lines only)
        self._pending = bytearray()  # the start of a line still being written

    def feed(self, data: bytes) -> RunRecords:
        """Read ``data``, what the run wrote after what was fed before; a line not yet ended
        waits for the next piece."""
        searched = len(self._pending)  # holds no line end: only the new data is searched
        self._pending += data
        end = self._pending.rfind(b"\n", searched) + 1
        if end:
            complete = bytes(self._pending[:end])
            del self._pending[:end]
            self._read(complete)
        return self.run

    def finish(self, stdout: bytes) -> RunRecords:
        """The run's records, given its whole stdout (of which what was fed is a prefix)."""
        rest = stdout[self.consumed:MAX_RECORD_BYTES]
        self._pending = bytearray()
        self._read(rest)
        return self.run

    def _read(self, data: bytes) -> None:
        if self.consumed + len(data) > MAX_RECORD_BYTES:
            data = data[:max(MAX_RECORD_BYTES - self.consumed, 0)]
        self.consumed += len(data)
        run = self.run
        for line in data.splitlines():
            try:
                record = json.loads(line)
            except (ValueError, UnicodeDecodeError):
                continue
            if not isinstance(record, dict):
                continue
            if IMPORT in record and not run.import_record \
                    and isinstance(record[IMPORT], dict):
                run.import_record = record[IMPORT]
            elif record.get(CASE) in self.expected_ids and record[CASE] not in run.records:
                run.records[record[CASE]] = record
                if self.on_case is not None:
                    self.on_case(record[CASE], record)
            elif isinstance(record.get(OUTPUT), str):
                run.output += record[OUTPUT]
            elif isinstance(record.get(SYSTEM_ERROR), str) and run.system_error is None:
                run.system_error = record[SYSTEM_ERROR]
            elif record.get(BUDGET_SPENT) is True:
                run.budget_spent = True


def parse_records(data: bytes, expected_ids: set[int]) -> tuple[dict, dict[int, dict]]:
    """The import record and the first record of each expected case (parse_run)."""
    run = parse_run(data, expected_ids)
    return run.import_record, run.records


def judge(case, import_record: dict, record: dict | None,
          reference: float | None = None) -> Outcome:
    """The outcome of one case from the import record and the case's own record.

    reference: the CPU seconds the reference solution needs on the case, when known.
    """
    if import_record.get("category"):
        return failed(_known(import_record["category"]),
                      str(import_record.get("message", ""))[:4000])
    if record is None:
        return failed("exception", "the test did not run")
    if "error" in record:
        error = record["error"] if isinstance(record["error"], dict) else {}
        category = _known(error.get("category", "exception"))
        if category in TIMED_OUT and "limit" in error:
            return failed(category, timeout_sentence(category, error["limit"], reference))
        return failed(category, str(error.get("message", ""))[:4000])
    try:
        return case.judge(record)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        # Malformed data can only come from inside the sandbox (a forged or damaged record).
        log.warning("case %s: malformed record: %s", case.name, exc)
        return failed("forbidden", "the test's result record was malformed or tampered with")


def _known(category) -> str:
    """A category the judges know; what the student's process made up is "forbidden"."""
    return category if isinstance(category, str) and category in CATEGORIES else "forbidden"


# Categories whose record carries the limit the code ran past.
TIMED_OUT = ("timeout", "too-slow", "exponential-graph")


def timeout_sentence(category: str, limit, reference: float | None) -> str:
    """Why a test was stopped, with what the reference needs for scale."""
    try:
        limit = float(limit)
    except (TypeError, ValueError):
        return "Your code was stopped: it ran past this test's time limit."
    needs = "" if reference is None else f" (the reference solution needs {reference:.2g} s)"
    return f"Your code did not finish this test within {limit:g} s of CPU time{needs}. " \
        + sentence(category)
