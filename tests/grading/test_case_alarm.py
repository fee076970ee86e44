"""The CPU alarm that ends a case politely (harness/student_code.py): whenever it fires, it
ends the case it was set for, as a timeout, and never the process around it."""

from __future__ import annotations

import signal
import time

import pytest

from grader.grading.harness import student_code


@pytest.fixture
def alarm():
    previous = signal.getsignal(signal.SIGPROF)
    student_code.install_alarm()
    yield
    student_code.set_alarm(0)
    signal.signal(signal.SIGPROF, previous)


def _busy(seconds: float):
    def call():
        started = time.process_time()
        while time.process_time() - started < seconds:
            pass
        return {"done": True}
    return call


def test_an_alarm_at_the_edge_of_a_call_ends_the_case_never_what_follows(alarm):
    """Calls that take about as long as their limit: the alarm fires as they start, in them,
    or as they end. Each gives a record (a result or a timeout); nothing escapes guarded(),
    and nothing fires after it returned."""
    outcomes = set()
    for attempt in range(1000):
        limit = 0.0005 + (attempt % 20) * 0.00005
        record = student_code.guarded(_busy(0.0007), "/nowhere", limit)
        outcomes.add("timeout" if record.get("error", {}).get("category") == "timeout"
                     else "done" if record.get("done") else repr(record))
        _busy(0.002)()  # a late alarm would land here, outside any case
    assert outcomes <= {"timeout", "done"} and "timeout" in outcomes, outcomes


def test_a_limit_already_spent_is_a_timeout(alarm):
    record = student_code.guarded(_busy(0.05), "/nowhere", 1e-9)
    assert record["error"]["category"] == "timeout"
    record = student_code.guarded(_busy(0.01), "/nowhere", 0.0)  # no alarm at all
    assert record == {"done": True}


def test_an_alarm_signal_arriving_after_the_case_does_nothing(alarm):
    """A SIGPROF already on its way when the case ended (delivered as the timer was being
    disarmed) must not raise in the code after the case."""
    assert student_code.guarded(_busy(0.001), "/nowhere", 5.0) == {"done": True}
    signal.raise_signal(signal.SIGPROF)  # late, as from a timer that expired at the edge
    assert _busy(0.001)() == {"done": True}
