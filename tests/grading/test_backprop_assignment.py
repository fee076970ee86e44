"""The `backprop` assignment graded end to end in the sandbox: reference, mutants, alternatives.

Every submission is graded once (module-scoped fixture, two at a time); the tests then
read the documents. A few judge-level tests run the harness in-process on purpose-built
submissions, without the sandbox.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from grader.grading.assignments import get_assignment, mutant_category
from grader.grading.harness import backprop_runner
from grader.grading.outcome import CATEGORIES
from grader.grading.pipeline import grade_submission

ASSIGNMENT = get_assignment("backprop")
MUTANTS = ASSIGNMENT.mutants()
# What the diagnosis tests below read (test_every_assignment.py grades every mutant).
SUBMISSIONS = {"reference": ASSIGNMENT.solution,
               **{f"mutant:{p.stem}": p for p in MUTANTS
                  if p.stem in ("wrong_order", "adjoint_not_summed", "stale_state", "too_slow")}}


@pytest.fixture(scope="module")
def graded() -> dict[str, dict]:
    cases = ASSIGNMENT.cases()
    for case in cases:  # build graphs and payloads once, before the threads share them
        case.payload()
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(grade_submission, "backprop", path.read_text())
                   for name, path in SUBMISSIONS.items()}
        return {name: future.result() for name, future in futures.items()}


def failures(document: dict) -> list[tuple[str, list[str], str]]:
    return [(t["name"], t["tags"], t["output"][:200]) for t in document["tests"]
            if t["status"] != "passed"]


# -- the assignment as a folder --------------------------------------------------------------
def test_the_folder_is_complete():
    folder = ASSIGNMENT.folder
    assert ASSIGNMENT.kind == "backprop" and ASSIGNMENT.entry == "gradient"
    assert ASSIGNMENT.submit_file == "backprop.py" and ASSIGNMENT.solution.is_file()
    assert (folder / "README.md").read_text().count("wrong-order") >= 1
    assert (folder / "starter" / "backprop.py").is_file()
    assert (folder / "public_tests" / "test_backprop.py").is_file()
    assert len(MUTANTS) >= 10
    assert all(mutant_category(p) in CATEGORIES for p in MUTANTS)


def test_cases_cover_the_assignment():
    cases = ASSIGNMENT.cases()
    assert len(cases) >= 15
    assert {c.visibility for c in cases} == {"visible", "hidden", "after_due_date"}
    assert {c.check for c in cases} == {"adjoints", "repeat", "growth", "memory"}
    assert len({c.points for c in cases}) > 1
    for case in cases:  # one point per case: the submission sees it in feed_dict
        payload = case.payload()
        if case.check != "growth":
            assert payload["feed"] and payload["out"] == case.graph.out


# -- grading in the sandbox ------------------------------------------------------------------
def test_wrong_order_names_the_node_that_passed_its_adjoint_on_early(graded):
    document = graded["mutant:wrong_order"]
    test = next(t for t in document["tests"] if t["name"] == "diamond")
    diagnosis = test["extra_data"]["diagnosis"]
    assert test["tags"] == ["wrong-order"]
    assert diagnosis["early_node"] == "x * w"
    assert diagnosis["expected"]["values"] != diagnosis["received"]["values"]


def test_a_missing_sum_is_named_with_the_consumers(graded):
    document = graded["mutant:adjoint_not_summed"]
    test = next(t for t in document["tests"] if t["name"] == "non-leaf used twice")
    assert test["tags"] == ["adjoint-not-summed"]
    assert test["extra_data"]["diagnosis"]["node"] == "x * 3"
    assert "2 output edges" in test["output"]


def test_only_the_repeat_check_sees_stale_state(graded):
    document = graded["mutant:stale_state"]
    # A leaking dict also grows across the timed calls, so "linear time" may fail too.
    assert [name for name, _, _ in failures(document)
            if name != "linear time"] == ["same call twice"]


def test_a_quadratic_sort_is_too_slow_and_a_linear_one_is_not(graded):
    slow = next(t for t in graded["mutant:too_slow"]["tests"] if t["name"] == "linear time")
    # Judged by its growth, or stopped by the case's CPU limit first on a loaded machine.
    assert slow["tags"] == ["too-slow"]
    assert "longer" in slow["output"] or "grows faster than the graph" in slow["output"]
    fast = next(t for t in graded["reference"]["tests"] if t["name"] == "linear time")
    assert fast["status"] == "passed"


# -- the judge on submissions run in-process (no sandbox) -------------------------------------
def run_in_process(source: str, case_name: str) -> dict:
    namespace: dict = {}
    exec(compile(source, "<submission>", "exec"), namespace)  # test data written here
    case = next(c for c in ASSIGNMENT.cases() if c.name == case_name)
    record = backprop_runner.run_case(namespace["gradient"], case.payload())
    return case.judge(record)


def reference_with(line_from: str, line_to: str) -> str:
    source = ASSIGNMENT.solution.read_text()
    assert line_from in source
    return source.replace(line_from, line_to)


def test_a_returned_list_is_a_wrong_value():
    outcome = run_in_process(reference_with("    return adjoints", "    return list(adjoints)"),
                             "diamond")
    assert outcome.category == "wrong-value" and "dict" in outcome.message


def test_adjoints_that_are_not_arrays_are_wrong_values():
    source = reference_with("    return adjoints",
                            "    adjoints[out] = object()\n    return adjoints")
    outcome = run_in_process(source, "diamond")
    assert outcome.category == "wrong-value" and "not a numpy array" in outcome.message


def test_a_seed_of_the_wrong_shape_is_a_wrong_seed():
    source = reference_with("partial_adjoints = {out: [np.ones(np.shape(values[out]))]}",
                            "partial_adjoints = {out: [np.ones(1)]}")
    outcome = run_in_process(source, "identity")
    assert outcome.category == "wrong-seed" and "shape" in outcome.message


def test_the_reference_passes_in_process():
    for name in ("identity", "diamond", "same call twice", "memory"):
        outcome = run_in_process(ASSIGNMENT.solution.read_text(), name)
        assert outcome.passed, (name, outcome.message)


def test_the_point_is_the_one_the_submission_was_given():
    case = next(c for c in ASSIGNMENT.cases() if c.name == "lecture sigmoid")
    feed, expected, _ = case.reference_points[0]
    encoded = case.payload()["feed"]
    for node, value in feed.items():
        sent = np.array(encoded[str(case.graph.position[node])]["data"]).reshape(np.shape(value))
        np.testing.assert_array_equal(sent, value)  # JSON floats round-trip exactly
    assert np.isclose(expected[case.graph.out], 1.0)
