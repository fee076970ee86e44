"""The one way to time a call, and the one growth rule that judges the times."""

import time

from grader.grading.growth import (
    MAX_TIME_GROWTH,
    MEASURABLE_SECONDS,
    SMALLEST_SECONDS,
    judge_growth,
    retiming_rule,
)
from grader.grading.harness.measure.timing import fastest_call, growth_suspect


def _busy(seconds: float) -> None:
    """Use the CPU for about ``seconds`` (a sleep would not show on the CPU clock)."""
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_the_fastest_of_three_cpu_timed_calls_is_kept():
    durations = iter([0.06, 0.02, 0.04])
    timing = fastest_call(lambda: _busy(next(durations)))
    assert timing.calls == 3
    assert 0.02 <= timing.seconds < 0.035


def test_a_sleep_costs_no_cpu_time():
    timing = fastest_call(lambda: time.sleep(0.05), repeat=1)
    assert timing.seconds < 0.02


def test_a_long_call_is_not_repeated():
    timing = fastest_call(lambda: _busy(0.05), long_call=0.03)
    assert timing.calls == 1 and timing.seconds >= 0.05


def test_a_call_that_looks_slow_is_timed_again_until_it_is_under_the_bar():
    # One disturbed call (0.15 s) of code that needs 0.04 s, against a bar of 0.1 s: the
    # repeat finds the code's own time, and is made only because the first call looked slow;
    # once under the bar the timing stops.
    durations = iter([0.15, 0.04, 0.05])
    timing = fastest_call(lambda: _busy(next(durations)), long_call=0.03, suspect_above=0.1)
    assert timing.calls == 2 and 0.04 <= timing.seconds < 0.06
    slow = fastest_call(lambda: _busy(0.05), long_call=0.03, suspect_above=0.02)
    assert slow.calls == 3  # slow every time: timed as often as allowed, still slow


def test_a_call_under_the_bar_is_timed_once_however_short():
    # Repeats could only find a faster call, and the verdict is already "not slow".
    short = fastest_call(lambda: _busy(0.005), suspect_above=0.1)
    assert short.calls == 1
    under_the_bar = fastest_call(lambda: _busy(0.05), long_call=0.03, suspect_above=0.1)
    assert under_the_bar.calls == 1


def test_the_large_graph_bar_is_the_growth_rule_applied_to_the_small_run():
    small = {"nodes": 500, "seconds": 0.01}
    rule = retiming_rule()
    assert growth_suspect(small, 5_000, rule) == MAX_TIME_GROWTH * 10 * 0.01
    # A large graph under the measurable time passes whatever the ratio: so is its bar.
    assert growth_suspect({"nodes": 500, "seconds": 0.0}, 5_000, rule) == MEASURABLE_SECONDS
    assert growth_suspect({"nodes": 500, "seconds": 0.0}, 5_000_000, rule) == \
        MAX_TIME_GROWTH * 10_000 * SMALLEST_SECONDS
    assert growth_suspect(small, 5_000, {}) is None


def test_the_fastest_calls_result_is_kept_before_a_later_call_changes_it():
    shared = []
    durations = iter([0.04, 0.01, 0.03])

    def call():
        _busy(next(durations))
        shared.append(len(shared))
        return shared

    timing = fastest_call(call, keep=list)
    assert timing.calls == 3 and shared == [0, 1, 2]
    assert timing.result == [0, 1]  # the second call was the fastest: what it computed


def _runs(small_seconds, large_seconds):
    return {"nodes": 1000, "seconds": small_seconds}, {"nodes": 10_000, "seconds": large_seconds}


def test_linear_growth_passes_and_quadratic_growth_is_too_slow():
    assert judge_growth(*_runs(0.02, 0.25), hint="").passed  # 1.25x the graph's growth
    outcome = judge_growth(*_runs(0.02, 2.0), hint="use sets")  # 10x: quadratic
    assert not outcome.passed and outcome.category == "too-slow"
    assert outcome.diagnosis["hint"] == "use sets"


def test_the_threshold_is_the_one_ratio():
    at = 0.01 * 10 * MAX_TIME_GROWTH
    assert judge_growth(*_runs(0.01, at * 0.99), hint="").passed
    assert not judge_growth(*_runs(0.01, at * 1.01), hint="").passed


def test_times_too_short_to_measure_are_not_judged():
    assert judge_growth(*_runs(0.0001, 0.04), hint="").passed  # 40x, but 0.04 s
