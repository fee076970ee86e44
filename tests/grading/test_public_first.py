"""The public tests' verdict first, read from the one sandboxed run while it goes on.

The final document must be the one a run over every case in the assignment's order gives,
judged when it ends: the same tests, with the same outcomes and score. That grading is the
pipeline's own pieces put together without the public-first order and the watch.
"""

from __future__ import annotations

import time

import pytest

from grader.grading import results
from grader.grading.assignments import get_assignment
from grader.grading.budget import Budget, BudgetClock
from grader.grading.pipeline import (
    _run_cases,
    _timed_payload,
    grade_submission,
    judge_case,
    reference_seconds,
)
from tests.support.live_grading import SLOW_HIDDEN_TESTS, SLOW_HIDDEN_TESTS_SLUG

SUBMISSIONS = [
    ("backprop", "reference"), ("backprop", "wrong_order"), ("backprop", "double_counted"),
    ("autodiff", "reference"), ("autodiff", "not_summed"),
]


def source_of(slug: str, name: str) -> str:
    assignment = get_assignment(slug)
    path = assignment.solution if name == "reference" else assignment.folder / "mutants" / \
        f"{name}.py"
    return path.read_text(encoding="utf-8")


def unstreamed_tests(slug: str, source: str) -> list[dict]:
    """Every case in the assignment's order in one sandboxed run, judged when it ended."""
    assignment = get_assignment(slug)
    reference = reference_seconds(slug)
    cases = assignment.cases()
    payloads = [_timed_payload(i, case, reference.get(case.name)) for i, case in enumerate(cases)]
    runs = _run_cases(assignment, source, payloads, lambda message: None,
                      BudgetClock(Budget()), use_spare=False,
                      public_ids={i for i, case in enumerate(cases)
                                  if case.visibility == results.VISIBLE})
    return [results.test_entry(i + 1, case, judge_case(slug, case, runs.import_record,
                                                       runs.records.get(i),
                                                       reference.get(case.name)))
            for i, case in enumerate(cases)]


def verdicts(tests: list[dict]) -> list[tuple]:
    return [(t["number"], t["name"], t["status"], t["score"], t["tags"]) for t in tests]


def grade_public_first(slug: str, source: str) -> tuple[list[dict], dict]:
    partials: list[dict] = []
    final = grade_submission(slug, source, on_public_result=partials.append)
    return partials, final


@pytest.mark.parametrize(("slug", "name"), SUBMISSIONS, ids=lambda value: value)
def test_public_verdict_first_then_the_same_final_document(slug, name):
    source = source_of(slug, name)
    cases = get_assignment(slug).cases()
    partials, final = grade_public_first(slug, source)

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
    expected = unstreamed_tests(slug, source)
    assert verdicts(final["tests"]) == verdicts(expected)
    assert final["score"] == round(sum(t["score"] for t in expected), 4)
    assert final["max_score"] == get_assignment(slug).points


@pytest.mark.parametrize("source", [
    "def gradient(out, feed_dict:\n    return {}\n",  # syntax error
    "def grad(out, feed_dict):\n    return {}\n",  # the entry function is missing
    "raise RuntimeError('crash while importing')\n",
], ids=["syntax-error", "missing-function", "exception"])
def test_a_file_that_cannot_be_imported_ends_the_grading_without_a_partial(source):
    progress: list[str] = []
    partials: list[dict] = []
    final = grade_submission("backprop", source, on_public_result=partials.append,
                             progress=progress.append)
    cases = get_assignment("backprop").cases()
    assert partials == []
    assert [m for m in progress if m.startswith("running ")] == [
        f"running {len(cases)} tests in the sandbox"]
    assert final["score"] == 0
    assert len(final["tests"]) == len(cases)
    assert "could not be loaded" in final["output"]


def test_the_public_verdict_arrives_while_the_hidden_tests_still_run():
    # The backprop reference, held up 4 s on its first graph of over 1,000 nodes (hidden
    # scale cases only): the public verdict comes from the same run, before the hold-up.
    progress: list[str] = []
    moments: list[float] = []
    started = time.monotonic()
    final = grade_submission(SLOW_HIDDEN_TESTS_SLUG, SLOW_HIDDEN_TESTS,
                             progress=progress.append,
                             on_public_result=lambda partial: moments.append(time.monotonic()))
    finished = time.monotonic()
    assert len(moments) == 1
    assert finished - moments[0] > 3.0
    assert [m for m in progress if m.startswith("running ")] == [
        f"running {len(get_assignment(SLOW_HIDDEN_TESTS_SLUG).cases())} tests in the sandbox"]
    assert final["score"] == final["max_score"]
    assert moments[0] - started < finished - started - 3.0


def test_a_public_test_that_kills_the_process_is_in_the_partial_verdict():
    # The process dies on the first public test; the others run in a new process, and the
    # partial verdict holds all of them, the dead one as a crash.
    source = source_of("backprop", "reference") + '''

import os as _os

import autodiff as _ad

_whole = gradient


def gradient(out, feed_dict):
    if len(_ad.topological_sort([out])) == 1:
        _os._exit(7)
    return _whole(out, feed_dict)
'''
    cases = get_assignment("backprop").cases()
    assert len(cases[0].graph.order) == 1 and cases[0].visibility == results.VISIBLE
    partials: list[dict] = []
    final = grade_submission("backprop", source, on_public_result=partials.append)
    assert len(partials) == 1
    first = partials[0]["tests"][0]
    assert first["number"] == "1" and first["status"] == "failed" and "crash" in first["tags"]
    assert all(t["status"] == "passed" for t in partials[0]["tests"][1:])
    public = {t["number"] for t in partials[0]["tests"]}
    assert verdicts(partials[0]["tests"]) == [v for v in verdicts(final["tests"]) if v[0] in public]


def test_a_quick_rest_is_graded_in_the_same_run_as_the_public_tests():
    # numerical's hidden tests take the reference about 0.01 s: the whole verdict comes as
    # soon as a partial one would, so there is none.
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


def test_public_only_grading_has_no_partial_result():
    partials: list[dict] = []
    document = grade_submission("numerical", source_of("numerical", "reference"),
                                public_only=True, on_public_result=partials.append)
    assert partials == []
    assert "partial" not in document
    assert all(t["visibility"] == results.VISIBLE for t in document["tests"])
