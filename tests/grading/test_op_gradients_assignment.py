"""The `op_gradients` assignment (kind `tests`) graded end to end: the real pipeline, the real
sandbox, the instructor's tests judged outside it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from grader.grading import results
from grader.grading.assignments import get_assignment, mutant_category
from grader.grading.outcome import CATEGORIES
from grader.grading.pipeline import grade_submission

ASSIGNMENT = get_assignment("op_gradients")
FORGERS = Path(__file__).resolve().parent.parent / "forgers"
ALTERNATIVES = sorted((Path(__file__).parent / "alternatives").glob("op_gradients_*.py"))


@pytest.fixture(scope="module")
def reference_result():
    return grade_submission("op_gradients", ASSIGNMENT.solution.read_text())


def test_reference_scores_full_marks_in_the_sandbox(reference_result):
    assert reference_result["score"] == reference_result["max_score"] == ASSIGNMENT.points > 0
    assert all(t["status"] == "passed" for t in reference_result["tests"])
    assert reference_result["extra_data"]["isolation"] in ("bubblewrap", "fallback")
    visibilities = {t["visibility"] for t in reference_result["tests"]}
    assert visibilities == {"visible", "hidden", "after_due_date"}
    json.dumps(reference_result, allow_nan=False)


@pytest.mark.parametrize("mutant", ASSIGNMENT.mutants(), ids=lambda p: p.stem)
def test_each_mutant_loses_points_with_its_category(mutant):
    result = grade_submission("op_gradients", mutant.read_text())
    category = mutant_category(mutant)
    assert category in CATEGORIES
    assert result["score"] < result["max_score"]
    failing = [t for t in result["tests"] if t["status"] == "failed"]
    assert any(category in t["tags"] for t in failing), [t["tags"] for t in failing]
    for test in failing:
        assert len(test["tags"]) == 1
        assert test["extra_data"]["diagnosis"]["category"] == test["tags"][0]
    assert not [t for t in failing if t["tags"] == ["test-error"]]  # never the tests' fault


@pytest.mark.parametrize("alternative", ALTERNATIVES, ids=lambda p: p.stem)
def test_correct_solutions_written_differently_get_full_marks(alternative):
    result = grade_submission("op_gradients", alternative.read_text())
    assert not [(t["name"], t["output"]) for t in result["tests"] if t["status"] != "passed"]
    assert result["score"] == result["max_score"]


def test_feedback_names_the_input_and_the_shapes():
    result = grade_submission("op_gradients", (ASSIGNMENT.folder / "mutants" /
                                               "broadcast_not_summed.py").read_text())
    test = next(t for t in result["tests"] if t["name"] == "broadcast to")
    assert test["tags"] == ["wrong-shape"]
    assert "input 0 of broadcast_to (x, shape (3,))" in test["output"]
    assert "has shape (2, 3)" in test["output"]
    assert "sum_like" in test["extra_data"]["diagnosis"]["hint"]


def test_partial_credit_counts_each_right_rule():
    result = grade_submission("op_gradients", (ASSIGNMENT.folder / "mutants" /
                                               "quotient_sign.py").read_text())
    test = next(t for t in result["tests"] if t["name"] == "every op once more")
    assert test["status"] == "failed" and test["score"] == pytest.approx(6.0)
    assert test["tags"] == ["test-failed"] and "wrong rules: div" in test["output"]


def test_the_students_exception_is_reported_with_their_own_frames():
    source = "def gradient(node, output_grad):\n    raise ValueError('no rule for ' + " \
             "node.op.name)\n"
    result = grade_submission("op_gradients", source, public_only=True)
    test = result["tests"][0]
    assert test["tags"] == ["exception"]
    assert "no rule for div" in test["output"] and "line 2" in test["output"]
    assert "harness" not in test["output"]
    assert {t["visibility"] for t in result["tests"]} == {"visible"}


def test_a_missing_function_fails_every_test_cleanly():
    result = grade_submission("op_gradients", "def grad(node, g):\n    return []\n",
                              public_only=True)
    assert {t["tags"][0] for t in result["tests"]} == {"missing-function"}


def test_no_hidden_input_reaches_what_a_student_is_shown():
    """The forger of tests/forgers/read_hidden_inputs.py, with this assignment's signature:
    the hidden tests' calls (their graphs and shapes) go in the read-once file."""
    forger = (FORGERS / "read_hidden_inputs.py").read_text().replace(
        "def gradient(out):", "def gradient(node, output_grad):")
    document = grade_submission("op_gradients", ASSIGNMENT.solution.read_text() + "\n\n" + forger)
    cases = ASSIGNMENT.cases()
    hidden = {i for i, case in enumerate(cases) if case.visibility != results.VISIBLE}
    public = set(range(len(cases))) - hidden
    hidden_calls = [json.dumps(call["records"]) for i in hidden
                    for call in cases[i].payload()["calls"]]
    for after_due_date in (False, True):
        shown = results.student_view(document, after_due_date=after_due_date)
        visible_text = json.dumps([t for t in shown["tests"] if t["visibility"] == "visible"])
        reports = re.findall(r"FOUND ids=\[([0-9, ]*)\] readable=\[([^\]]*)\]", visible_text)
        assert reports, "the forger's report is in the visible tests' feedback"
        for ids, readable in reports:
            seen = {int(i) for i in ids.split(",") if i.strip()}
            assert seen <= public, f"hidden tests {sorted(seen & hidden)} reached a student"
            assert "hidden.json" not in readable and "/mem" not in readable, readable
        for position in hidden:
            test = shown["tests"][position]
            if test["visibility"] == results.AFTER_DUE and after_due_date:
                continue  # opened after the due date, as in Gradescope: it ran with the hidden
            assert test["output"] == "" and test["extra_data"] == {}
        if not after_due_date:
            text = json.dumps(shown)
            assert "FOUND" not in shown["output"] + json.dumps(shown["extra_data"])
            assert not [calls for calls in hidden_calls if calls in text]


def test_the_public_verdict_comes_first_as_for_every_kind(monkeypatch):
    """The tests are ordinary cases: the partial document holds the visible ones only."""
    from grader.grading import pipeline

    monkeypatch.setattr(pipeline, "PARTIAL_RESULT_SECONDS", 0.0)  # however quick the rest is
    partials = []
    source = (ASSIGNMENT.folder / "mutants" / "quotient_sign.py").read_text()
    final = grade_submission("op_gradients", source, on_public_result=partials.append)
    [partial] = partials
    visible = [c.name for c in ASSIGNMENT.cases() if c.visibility == results.VISIBLE]
    assert partial["partial"] is True
    assert [t["name"] for t in partial["tests"]] == visible
    assert {t["name"] for t in partial["pending_tests"]} == \
        {c.name for c in ASSIGNMENT.cases()} - set(visible)
    by_name = {t["name"]: t for t in final["tests"]}
    for test in partial["tests"]:  # judged once: the final document keeps the same verdict
        assert (test["status"], test["score"], test["tags"]) == (
            by_name[test["name"]]["status"], by_name[test["name"]]["score"],
            by_name[test["name"]]["tags"])
    assert "partial" not in final and len(final["tests"]) == len(ASSIGNMENT.cases())
