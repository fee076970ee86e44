"""The result document: Gradescope's results.json, with the diagnosis in extra_data."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from .outcome import Outcome
from .sentences import worded_in

VISIBLE, HIDDEN, AFTER_DUE = "visible", "hidden", "after_due_date"
PENDING = "pending"  # the status of a test a partial document has not judged yet


def test_entry(number: int, case, outcome: Outcome) -> dict:
    score = round(case.points * outcome.earned, 4)
    entry = {
        "name": case.name,
        "number": str(number),
        "score": score,
        "max_score": case.points,
        "status": "passed" if outcome.passed else "failed",
        "output": outcome.message or (case.description if outcome.passed else ""),
        "tags": [outcome.category] if outcome.category else [],
        "visibility": case.visibility,
        "extra_data": {"description": case.description},
    }
    if outcome.diagnosis:
        entry["extra_data"]["diagnosis"] = outcome.diagnosis
    return entry


def strict_json(value: Any) -> Any:
    """The value with each NaN or infinity replaced by its name ("NaN", "Infinity").

    Result documents go to PostgreSQL's JSONB, to the API and to Gradescope, and all of them
    refuse the bare NaN that Python's json writes; the name still tells the reader what it was.
    """
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {key: strict_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [strict_json(item) for item in value]
    return value


def pending_entry(number: int, case) -> dict:
    """A test still to run, in a partial document: what it is, never an outcome."""
    return {"name": case.name, "number": str(number), "max_score": case.points,
            "status": PENDING, "visibility": case.visibility}


def build_document(assignment, tests: list[dict], *, phases: dict, isolation: str,
                   import_record: dict, stdout: str = "",
                   pending: list[dict] | None = None) -> dict:
    """The result document of the judged tests.

    pending: the tests still running (pending_entry) when this is the partial document of
    the public tests; it is marked `"partial": true`, lists them in `pending_tests`, and its
    score is that of the public tests only, which nothing may count as the submission's.
    """
    score = round(sum(t["score"] for t in tests), 4)
    max_score = round(sum(t["max_score"] for t in tests), 4)
    passed = sum(t["status"] == "passed" for t in tests)
    categories = Counter(tag for t in tests for tag in t["tags"])
    if pending is None:
        summary = [f"{assignment.title}: {score:g} / {max_score:g} points, "
                   f"{passed} of {len(tests)} tests passed."]
    else:
        summary = [f"Public tests: {passed}/{len(tests)} passed — hidden and scale tests are "
                   f"running ({len(pending)} more); the score comes when they finish."]
    if import_record.get("category"):
        summary.append(_import_problem(assignment, import_record))
        tests = [_not_run(test, assignment, import_record["category"]) for test in tests]
    partial = {} if pending is None else {"partial": True, "pending_tests": pending}
    return strict_json(partial | {
        "score": score,
        "max_score": max_score,
        "execution_time": round(sum(phases.values()), 3),
        "output": "\n".join(summary),
        # What the code printed while the hidden cases ran could describe them.
        "stdout_visibility": AFTER_DUE,
        "tests": tests,
        "extra_data": {
            "assignment": assignment.slug,
            "phases": {name: round(seconds, 4) for name, seconds in phases.items()},
            "isolation": isolation,
            "categories": dict(categories),
            "student_stdout": stdout[-4000:],
        },
    })


def _import_problem(assignment, import_record: dict) -> str:
    """The one place a file that could not be loaded is explained: what, then how to fix it."""
    category = import_record["category"]
    text = f"{assignment.submit_file} could not be loaded ({category}):\n" \
           f"{import_record.get('message', '')}".rstrip()
    hint = worded_in(category, "import")
    if hint:
        text += "\nHint: " + hint.format(file=assignment.submit_file, entry=assignment.entry)
    return text


def _not_run(test: dict, assignment, category: str) -> dict:
    """A test that never ran refers to the summary instead of repeating its message."""
    extra = dict(test.get("extra_data", {}))
    extra["diagnosis"] = {"category": category}
    return {**test, "output": f"Not run: {assignment.submit_file} could not be loaded "
                              "(the message is above the tests).", "extra_data": extra}


def student_view(document: dict, *, after_due_date: bool) -> dict:
    """What a student may see: hidden tests keep their name and outcome only."""
    shown = dict(document)
    tests = []
    for test in document.get("tests", []):
        if test.get("visibility") == VISIBLE or (
                test.get("visibility") == AFTER_DUE and after_due_date):
            tests.append(test)
            continue
        tests.append({key: test[key] for key in
                      ("name", "number", "score", "max_score", "status", "visibility")
                      if key in test} | {"output": "", "tags": [], "extra_data": {}})
    shown["tests"] = tests
    extra = dict(document.get("extra_data", {}))
    extra.pop("categories", None)  # counts would reveal hidden tests' diagnoses
    if not after_due_date:
        extra.pop("student_stdout", None)
    shown["extra_data"] = extra
    return shown
