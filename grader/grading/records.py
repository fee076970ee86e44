"""From the harness's JSON lines to one outcome per case: the part every grader shares.

The grading pipeline (in the sandbox) and the student package (on a student's machine)
read the same records and judge them the same way, so the diagnosis a student sees
locally is the one the grader gives.
"""

from __future__ import annotations

import json
import logging

from .outcome import Outcome, failed

log = logging.getLogger(__name__)

MAX_RECORD_BYTES = 32 << 20


def parse_records(data: bytes, expected_ids: set[int]) -> tuple[dict, dict[int, dict]]:
    """The import record and the first record of each expected case; anything else is ignored.

    The import record ({"import": ...}) is the harness's report on importing the submission.
    """
    import_record, records = {}, {}
    for line in data[:MAX_RECORD_BYTES].splitlines():
        try:
            record = json.loads(line)
        except (ValueError, UnicodeDecodeError):
            continue
        if not isinstance(record, dict):
            continue
        if "import" in record and not import_record and isinstance(record["import"], dict):
            import_record = record["import"]
        elif record.get("case") in expected_ids and record["case"] not in records:
            records[record["case"]] = record
    return import_record, records


def _records_of_kind(data: bytes, key: str):
    for line in data[:MAX_RECORD_BYTES].splitlines():
        try:
            record = json.loads(line)
        except (ValueError, UnicodeDecodeError):
            continue
        if isinstance(record, dict) and isinstance(record.get(key), str):
            yield record[key]


def public_output(data: bytes) -> str:
    """What the process of the public cases printed, as the warden reports it."""
    return "".join(_records_of_kind(data, "output"))


def system_error(data: bytes) -> str | None:
    """The harness's own failure, if it reported one (not the student's doing)."""
    return next(_records_of_kind(data, "system_error"), None)


def judge(case, import_record: dict, record: dict | None,
          reference: float | None = None) -> Outcome:
    """The outcome of one case from the import record and the case's own record.

    reference: the CPU seconds the reference solution needs on the case, when known.
    """
    if import_record.get("category"):
        return failed(import_record["category"], import_record.get("message", ""))
    if record is None:
        return failed("exception", "the test did not run")
    if "error" in record:
        error = record["error"]
        category = error.get("category", "exception")
        if category in TIMEOUT_SENTENCES and "limit" in error:
            return failed(category, timeout_sentence(category, error["limit"], reference))
        return failed(category, str(error.get("message", ""))[:4000])
    try:
        return case.judge(record)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        # Malformed data can only come from inside the sandbox (a forged or damaged record).
        log.warning("case %s: malformed record: %s", case.name, exc)
        return failed("forbidden", "the test's result record was malformed or tampered with")


TIMEOUT_SENTENCES = {
    "timeout": "it most likely loops forever. Look for a loop whose condition never changes, "
               "or a walk of the graph that keeps revisiting nodes.",
    "too-slow": "on graphs this large, work that grows faster than the graph (a list searched "
                "for every node, a graph walked once per node) takes too long.",
    "exponential-graph": "shared nodes reached along many paths get one gradient subgraph per "
                         "path. Sum each node's partial adjoints once, in reverse topological "
                         "order, before passing its adjoint on.",
}


def timeout_sentence(category: str, limit, reference: float | None) -> str:
    """Why a test was stopped, with what the reference needs for scale."""
    try:
        limit = float(limit)
    except (TypeError, ValueError):
        return "Your code was stopped: it ran past this test's time limit."
    needs = "" if reference is None else f" (the reference solution needs {reference:.2g} s)"
    return f"Your code did not finish this test within {limit:g} s of CPU time{needs}: " \
        + TIMEOUT_SENTENCES[category]
