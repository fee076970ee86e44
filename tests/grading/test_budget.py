"""The grading budget: loops, ignored signals and swallowed timeouts end in seconds, as timeouts."""

import time
from pathlib import Path

import pytest

from grader.grading.assignments import get_assignment
from grader.grading.budget import CASE_TIME_FLOOR, Budget, BudgetClock, case_time_limit
from grader.grading.pipeline import grade_submission, reference_seconds
from grader.grading.sandbox import Limits

HOSTILE = Path(__file__).parent.parent / "hostile"
REFERENCE = get_assignment("autodiff").solution.read_text()
# Less CPU than autodiff's 28 tests' limits add up to even at their floor (7 s), however
# fast the machine: a loop in every test runs the budget out before the last test.
SMALL = Budget(wall_seconds=12, cpu_seconds=5)
SLACK = 6.0  # preparing and judging around the runs, on a loaded machine


def grade_within(source: str, budget: Budget, slug: str = "autodiff") -> tuple[dict, float]:
    reference_seconds(slug)  # calibrated once per process, as a warm worker has it
    started = time.monotonic()
    document = grade_submission(slug, source, budget=budget)
    return document, time.monotonic() - started


def test_case_limit_follows_the_reference_with_a_floor_and_a_cap():
    assert case_time_limit(10.0, 0.0002) == CASE_TIME_FLOOR
    assert case_time_limit(10.0, 0.4) == pytest.approx(4.0)
    assert case_time_limit(3.0, 0.9) == 3.0  # never above what the case declares
    assert case_time_limit(10.0, None) == 10.0  # not calibrated: the declared limit


def test_clock_cuts_the_next_run_to_what_is_left():
    clock = BudgetClock(Budget(wall_seconds=20, cpu_seconds=5))
    clock.charge(3.2)
    limits = clock.limits_for_next_run(Limits(wall_seconds=60, cpu_seconds=60))
    assert limits.cpu_seconds == 1 and limits.wall_seconds <= 20
    assert not clock.spent()
    clock.charge(1.0)
    assert clock.spent()


def test_reference_is_timed_on_every_case():
    seconds = reference_seconds("autodiff")
    assert set(seconds) == {case.name for case in get_assignment("autodiff").cases()}
    assert all(0 <= s < 10 for s in seconds.values())  # CPU clocks tick coarsely
    assert seconds["2,500-node chain"] > seconds["x * x"]


@pytest.mark.parametrize("attack", ["busy_loop", "ignore_signals", "swallow_timeout"])
def test_a_loop_in_every_case_is_a_timeout_within_the_budget(attack):
    document, seconds = grade_within((HOSTILE / f"{attack}.py").read_text(), SMALL)
    assert seconds <= SMALL.wall_seconds + SLACK
    assert document["score"] == 0
    tags = [t["tags"] for t in document["tests"]]
    assert all(tag in (["timeout"], ["too-slow"], ["exponential-graph"]) for tag in tags), tags
    first = document["tests"][0]["output"]
    assert "did not finish this test within" in first and "loops forever" in first
    assert "s of CPU time" in first
    assert "reference solution needs" in first
    # The budget ran out before the end: the rest say so rather than run.
    assert "grading budget" in document["tests"][-1]["output"]


def test_a_loop_at_import_is_a_timeout_of_the_file():
    # The import's limit is 5 s of CPU: on a loaded machine that can take twice as long on the
    # wall clock, and the wall-clock budget must not be what stops it here.
    budget = Budget(wall_seconds=30, cpu_seconds=8)
    document, seconds = grade_within((HOSTILE / "loop_at_import.py").read_text(), budget)
    assert seconds <= budget.wall_seconds + SLACK
    assert {tag for t in document["tests"] for tag in t["tags"]} == {"timeout"}
    assert "importing gradient.py did not finish" in document["output"]


def test_one_slow_case_costs_its_own_limit_only():
    # Correct everywhere except one op whose gradient never returns.
    source = REFERENCE + (
        "\n_correct = gradient\n\n"
        "def gradient(out):\n"
        "    if any(n.op.name == 'matmul' for n in ad.topological_sort([out])):\n"
        "        while True:\n"
        "            pass\n"
        "    return _correct(out)\n")
    document, seconds = grade_within(source, Budget())
    failed = {t["name"]: t["tags"] for t in document["tests"] if t["status"] == "failed"}
    assert failed and all(tags == ["timeout"] for tags in failed.values()), failed
    assert all("matmul" in name or "MLP" in name for name in failed), failed
    assert seconds < 30


def test_the_reference_still_scores_full_marks_under_its_derived_limits():
    document, _ = grade_within(REFERENCE, Budget())
    assert document["score"] == document["max_score"]
