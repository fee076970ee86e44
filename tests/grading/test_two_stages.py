"""Grading in two stages: the public tests' verdict first, then the whole document.

The final document must be the one a single run over every case gives: the same tests, in
the assignment's order, with the same outcomes and score. The one-stage grading below is
the pipeline's own pieces put together as grade_submission did before the stages.
"""

from __future__ import annotations

import pytest

from grader.grading import results
from grader.grading.assignments import get_assignment
from grader.grading.budget import Budget, BudgetClock
from grader.grading.pipeline import (
    _run_cases,
    _timed_payload,
    grade_submission,
    reference_seconds,
)
from grader.grading.records import judge

SUBMISSIONS = [
    ("backprop", "reference"), ("backprop", "wrong_order"), ("backprop", "double_counted"),
    ("autodiff", "reference"), ("autodiff", "not_summed"),
]


def source_of(slug: str, name: str) -> str:
    assignment = get_assignment(slug)
    path = assignment.solution if name == "reference" else assignment.folder / "mutants" / \
        f"{name}.py"
    return path.read_text(encoding="utf-8")


def one_stage_tests(slug: str, source: str) -> list[dict]:
    """Every case in one sandboxed run, judged: what grading gave before the stages."""
    assignment = get_assignment(slug)
    reference = reference_seconds(slug)
    cases = assignment.cases()
    payloads = [_timed_payload(i, case, reference.get(case.name)) for i, case in enumerate(cases)]
    runs = _run_cases(assignment, source, payloads, lambda message: None,
                      BudgetClock(Budget()), use_spare=False)
    return [results.test_entry(i + 1, case, judge(case, runs.import_record, runs.records.get(i),
                                          reference.get(case.name)))
            for i, case in enumerate(cases)]


def verdicts(tests: list[dict]) -> list[tuple]:
    return [(t["number"], t["name"], t["status"], t["score"], t["tags"]) for t in tests]


def grade_in_stages(slug: str, source: str) -> tuple[list[dict], dict]:
    partials: list[dict] = []
    final = grade_submission(slug, source, on_public_result=partials.append)
    return partials, final


@pytest.mark.parametrize(("slug", "name"), SUBMISSIONS, ids=lambda value: value)
def test_public_verdict_first_then_the_one_stage_document(slug, name):
    source = source_of(slug, name)
    cases = get_assignment(slug).cases()
    partials, final = grade_in_stages(slug, source)

    assert len(partials) == 1
    partial = partials[0]
    public = [str(i + 1) for i, case in enumerate(cases) if case.visibility == results.VISIBLE]
    rest = [str(i + 1) for i, case in enumerate(cases) if case.visibility != results.VISIBLE]
    assert partial["partial"] is True
    assert [t["number"] for t in partial["tests"]] == public
    assert all(t["visibility"] == results.VISIBLE for t in partial["tests"])
    assert [t["number"] for t in partial["pending_tests"]] == rest
    assert all(t["status"] == "pending" for t in partial["pending_tests"])
    assert partial["output"].startswith("Public tests: ")
    assert verdicts(partial["tests"]) == [v for v in verdicts(final["tests"]) if v[0] in public]

    assert "partial" not in final and "pending_tests" not in final
    expected = one_stage_tests(slug, source)
    assert verdicts(final["tests"]) == verdicts(expected)
    assert final["score"] == round(sum(t["score"] for t in expected), 4)
    assert final["max_score"] == get_assignment(slug).points


@pytest.mark.parametrize("source", [
    "def gradient(out, feed_dict:\n    return {}\n",  # syntax error
    "def grad(out, feed_dict):\n    return {}\n",  # the entry function is missing
    "raise RuntimeError('crash while importing')\n",
], ids=["syntax-error", "missing-function", "exception"])
def test_a_file_that_cannot_be_imported_ends_after_the_public_stage(source):
    progress: list[str] = []
    partials: list[dict] = []
    final = grade_submission("backprop", source, on_public_result=partials.append,
                             progress=progress.append)
    public = sum(case.visibility == results.VISIBLE for case in get_assignment("backprop").cases())
    assert partials == []
    assert [m for m in progress if m.startswith("running ")] == [
        f"running {public} public tests in the sandbox"]
    assert final["score"] == 0
    assert len(final["tests"]) == len(get_assignment("backprop").cases())
    assert "could not be loaded" in final["output"]


def test_a_quick_rest_is_graded_in_the_same_run_as_the_public_tests():
    # numerical's hidden tests take the reference about 0.01 s: less than a second sandbox
    # start, so the whole verdict comes in one run, as soon as a public one would.
    progress: list[str] = []
    partials: list[dict] = []
    cases = get_assignment("numerical").cases()
    final = grade_submission("numerical", source_of("numerical", "reference"),
                             on_public_result=partials.append, progress=progress.append)
    assert partials == []
    assert [m for m in progress if m.startswith("running ")] == [
        f"running {len(cases)} tests in the sandbox"]
    assert "partial" not in final and len(final["tests"]) == len(cases)
    assert final["score"] == final["max_score"]


def test_public_only_grading_is_one_stage_and_final():
    partials: list[dict] = []
    document = grade_submission("numerical", source_of("numerical", "reference"),
                                public_only=True, on_public_result=partials.append)
    assert partials == []
    assert "partial" not in document
    assert all(t["visibility"] == results.VISIBLE for t in document["tests"])
