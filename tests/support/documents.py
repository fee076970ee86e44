"""Result documents built by hand, for pages that show stored results."""

from __future__ import annotations

# Four tests, all passed: graded_result(FULL, {}) is a full score.
FULL = ["a", "b", "c", "d"]


def result_document(tests: list[dict], score: float | None = None) -> dict:
    """Build a Gradescope-style result document around the given tests."""
    return {
        "score": sum(t.get("score", 0) for t in tests) if score is None else score,
        "max_score": sum(t.get("max_score", 0) for t in tests),
        "execution_time": 0.5,
        "output": "",
        "tests": tests,
        "extra_data": {},
    }


def graded_result(passed: list[str], failed: dict[str, str]) -> dict:
    """A result document: each passed test worth 1, each failed one tagged with its category."""
    tests = [{"name": n, "status": "passed", "score": 1.0, "max_score": 1.0, "tags": [],
              "visibility": "visible"} for n in passed]
    tests += [{"name": n, "status": "failed", "score": 0.0, "max_score": 1.0, "tags": [c],
               "visibility": "hidden", "extra_data": {"diagnosis": {"category": c}}}
              for n, c in failed.items()]
    return result_document(tests)


def case(name, status="passed", visibility="visible", output="", diagnosis=None, points=1.0):
    """One test entry of a result document."""
    entry = {
        "name": name, "number": name[-1], "status": status, "visibility": visibility,
        "score": points if status == "passed" else 0.0, "max_score": points, "output": output,
        "tags": [], "extra_data": {},
    }
    if diagnosis:
        entry["extra_data"]["diagnosis"] = diagnosis
    return entry
