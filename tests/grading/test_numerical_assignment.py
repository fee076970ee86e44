"""The `numerical` assignment graded end to end in the sandbox: reference, mutants, alternatives.

Every submission is graded once (module-scoped fixture); the tests then read the
documents. Judge-level tests run the harness in-process on purpose-built submissions.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from grader.grading.assignments import get_assignment, mutant_category
from grader.grading.harness import functions, numerical_runner
from grader.grading.numerical_cases import ANALYTIC, NumericalCase
from grader.grading.outcome import NUMERICAL_CATEGORIES
from grader.grading.pipeline import grade_submission

ASSIGNMENT = get_assignment("numerical")
MUTANTS = ASSIGNMENT.mutants()
SUBMISSIONS = {"reference": ASSIGNMENT.solution, **{f"mutant:{p.stem}": p for p in MUTANTS}}


@pytest.fixture(scope="module")
def graded() -> dict[str, dict]:
    for case in ASSIGNMENT.cases():  # build payloads once, before the threads share them
        case.payload()
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(grade_submission, "numerical", path.read_text())
                   for name, path in SUBMISSIONS.items()}
        return {name: future.result() for name, future in futures.items()}


def failures(document: dict) -> list[tuple[str, list[str], str]]:
    return [(t["name"], t["tags"], t["output"][:200]) for t in document["tests"]
            if t["status"] != "passed"]


# -- the assignment as a folder --------------------------------------------------------------
def test_the_folder_is_complete():
    folder = ASSIGNMENT.folder
    assert ASSIGNMENT.kind == "numerical" and ASSIGNMENT.entry == "numerical_gradient"
    assert ASSIGNMENT.submit_file == "numerical.py" and ASSIGNMENT.solution.is_file()
    assert "forward-difference" in (folder / "README.md").read_text()
    assert (folder / "starter" / "numerical.py").is_file()
    assert (folder / "public_tests" / "test_numerical.py").is_file()
    assert {mutant_category(p) for p in MUTANTS} >= set(NUMERICAL_CATEGORIES) | {
        "wrong-shape", "wrong-value"}


def test_cases_cover_the_assignment():
    cases = ASSIGNMENT.cases()
    assert len(cases) >= 10
    assert {c.visibility for c in cases} == {"visible", "hidden", "after_due_date"}
    assert {c.point.ndim for c in cases} >= {0, 1, 2}
    assert any(c.engine is not None for c in cases) and any(c.engine is None for c in cases)
    assert {h for c in cases for h in c.steps} >= {None, 1e-2, 1e-3}
    lecture = next(c for c in cases if c.name.startswith("lecture") and c.engine is not None)
    np.testing.assert_array_equal(lecture.point, [-0.8, 0.3])
    np.testing.assert_allclose(lecture.analytic, [0.5, -0.2])


@pytest.mark.parametrize("name", sorted(ANALYTIC))
def test_the_analytic_gradients_match_central_differences(name):
    rng = np.random.default_rng(3)
    spec = {"name": name}
    if name == "quadratic":
        spec.update(a=rng.normal(size=(4, 4)).tolist(), b=rng.normal(size=4).tolist())
    x = rng.uniform(-1, 1, size=4)
    case = NumericalCase(f"check {name}", spec, x=x.tolist())
    estimate = case.reference_estimates[1e-6]
    np.testing.assert_allclose(case.analytic, estimate, rtol=1e-6, atol=1e-6)
    assert case.f(x) == functions.make(spec)(x)


# -- grading in the sandbox ------------------------------------------------------------------
@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda p: p.stem)
def test_each_mutant_is_diagnosed_with_its_category_wherever_it_fails(graded, mutant):
    # One mistake, one name: a constant factor off is not an ignored h, and so on.
    document = graded[f"mutant:{mutant.stem}"]
    assert {tag for _, tags, _ in failures(document) for tag in tags} == {
        mutant_category(mutant)}, failures(document)


def test_a_forward_difference_is_told_by_its_first_order_error(graded):
    test = next(t for t in graded["mutant:forward_difference"]["tests"]
                if t["name"] == "error falls as h^2")
    assert test["tags"] == ["forward-difference"]
    assert "fell 10x" in test["output"] and "about 100x" in test["output"]
    passing = next(t for t in graded["reference"]["tests"] if t["name"] == "error falls as h^2")
    assert "fell 100x" in passing["output"]


def test_a_steep_function_catches_a_forward_difference_at_the_default_h(graded):
    test = next(t for t in graded["mutant:forward_difference"]["tests"]
                if t["name"] == "steep function")
    assert test["tags"] == ["forward-difference"]
    assert test["extra_data"]["diagnosis"]["h"] is None


# -- the judge on submissions run in-process (no sandbox) -------------------------------------
def judge_in_process(source: str, case_name: str):
    namespace: dict = {}
    exec(compile(source, "<submission>", "exec"), namespace)  # test data written here
    case = next(c for c in ASSIGNMENT.cases() if c.name == case_name)
    return case.judge(numerical_runner.run_case(namespace["numerical_gradient"], case.payload()))


CENTRAL = """
import numpy as np

def numerical_gradient(f, x, h=1e-6):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[i] += {plus}
        minus[i] -= {minus}
        grad[i] = (f(plus) - f(minus)) / ({denominator})
    return {result}
"""


def central(plus="h", minus="h", denominator="2 * h", result="grad"):
    return CENTRAL.format(plus=plus, minus=minus, denominator=denominator, result=result)


def test_a_first_order_formula_that_is_not_one_sided_is_a_forward_difference():
    # (f(x + h) - f(x - h/2)) / (1.5 h): lopsided, so its error falls like h.
    outcome = judge_in_process(central(minus="h / 2", denominator="1.5 * h"),
                               "error falls as h^2")
    assert outcome.category == "forward-difference" and "like h" in outcome.message


def test_h_used_in_the_denominator_only_is_a_step_size_mistake():
    outcome = judge_in_process(central(plus="1e-6", minus="1e-6"), "h is honoured")
    assert outcome.category == "step-size"


def test_a_list_result_of_the_right_length_is_accepted():
    outcome = judge_in_process(central(result="grad.tolist()"), "vector input")
    assert outcome.passed, outcome.message


def test_a_result_that_is_not_numbers_is_a_wrong_value():
    outcome = judge_in_process(central(result="{'grad': grad}"), "vector input")
    assert outcome.category == "wrong-value" and "not a numpy array" in outcome.message


def test_the_reference_passes_every_case_in_process():
    for case in ASSIGNMENT.cases():
        outcome = judge_in_process(ASSIGNMENT.solution.read_text(), case.name)
        assert outcome.passed, (case.name, outcome.message)
