"""What is particular to the `autodiff` assignment (test_every_assignment.py grades its
reference, mutants and alternatives as every assignment's)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.grading.assignments import get_assignment
from grader.grading.outcome import CATEGORIES
from grader.grading.pipeline import grade_submission
from grader.grading.results import student_view

ASSIGNMENT = get_assignment("autodiff")
ALTERNATIVES = sorted((Path(__file__).parent / "alternatives").glob("autodiff_*.py"))
HOSTILE = Path(__file__).parent.parent / "hostile"


@pytest.fixture(scope="module")
def reference_result():
    return grade_submission("autodiff", ASSIGNMENT.solution.read_text())


def test_diagnosis_names_the_node_and_the_values():
    result = grade_submission("autodiff", (ASSIGNMENT.folder / "mutants" / "not_summed.py")
                              .read_text())
    test = next(t for t in result["tests"] if t["name"] == "non-leaf used twice")
    diagnosis = test["extra_data"]["diagnosis"]
    assert diagnosis["category"] == "adjoint-not-summed"
    assert diagnosis["node"] and diagnosis["op"]
    assert diagnosis["expected"]["values"] != diagnosis["received"]["values"]
    assert diagnosis["abs_error"] > 0 and "sum" in diagnosis["hint"].lower()
    assert "partial adjoints" in test["output"] and "2 output edges" in test["output"]


def test_syntax_error_and_missing_function_fail_every_test_cleanly():
    broken = grade_submission("autodiff", "def gradient(out:\n    return {}\n", public_only=True)
    assert broken["score"] == 0
    assert {t["tags"][0] for t in broken["tests"]} == {"syntax-error"}
    assert "line 1" in broken["output"]
    missing = grade_submission("autodiff", "def grad(out):\n    return {}\n", public_only=True)
    assert {t["tags"][0] for t in missing["tests"]} == {"missing-function"}


def test_an_exception_is_reported_with_the_students_own_frames():
    source = "def gradient(out):\n    raise ValueError('my <b>bug</b>')\n"
    result = grade_submission("autodiff", source, public_only=True)
    test = result["tests"][0]
    assert test["tags"] == ["exception"]
    assert "my <b>bug</b>" in test["output"] and "line 2" in test["output"]
    assert "harness" not in test["output"]


def test_after_due_date_tests_open_after_the_due_date(reference_result):
    # autodiff has no after-due case of its own: mark one hidden test so.
    document = json.loads(json.dumps(reference_result))
    opened = next(t for t in document["tests"] if t["visibility"] == "hidden")
    opened["visibility"] = "after_due_date"
    before = student_view(document, after_due_date=False)
    after = student_view(document, after_due_date=True)
    [hidden] = [t for t in before["tests"] if t["name"] == opened["name"]]
    [shown] = [t for t in after["tests"] if t["name"] == opened["name"]]
    assert hidden["output"] == "" and hidden["extra_data"] == {}
    assert shown["output"] == opened["output"] and shown["extra_data"] == opened["extra_data"]


def test_public_only_runs_only_visible_tests():
    result = grade_submission("autodiff", ASSIGNMENT.solution.read_text(), public_only=True)
    assert result["tests"] and all(t["visibility"] == "visible" for t in result["tests"])


@pytest.mark.parametrize("name", ["forge_results", "monkeypatch_libs", "pickle_payload",
                                  "exit_during_import", "kill_parent", "segfault",
                                  "stack_overflow", "dump_environ", "read_host_files"])
def test_hostile_submissions_get_a_clean_result_and_the_next_is_graded_normally(name):
    result = grade_submission("autodiff", (HOSTILE / f"{name}.py").read_text(), public_only=True)
    assert result["score"] == 0
    for test in result["tests"]:
        assert test["status"] == "failed" and len(test["tags"]) == 1
        assert test["tags"][0] in CATEGORIES
    after = grade_submission("autodiff", ASSIGNMENT.solution.read_text(), public_only=True)
    assert after["score"] == after["max_score"]


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], capture_output=True,
                          text=True, timeout=300)


def test_cli_grade_json_prints_exactly_one_document():
    done = run_cli("grade", "autodiff", str(ASSIGNMENT.solution), "--json", "--public-only")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["score"] == document["max_score"]


def test_cli_usage_errors_exit_non_zero_with_one_line():
    done = run_cli("grade", "no-such-assignment", str(ASSIGNMENT.solution))
    assert done.returncode != 0 and "unknown assignment" in done.stderr
    done = run_cli("grade", "autodiff", "/no/such/file.py")
    assert done.returncode != 0 and "no such file" in done.stderr
