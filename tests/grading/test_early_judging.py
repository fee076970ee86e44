"""Records read once, as they come, and judged while the run goes on.

The warden writes one line per case; the grader reads each line once (records.RunParser),
hands each case's record on the moment its line is complete, and judges it on a thread
while the sandbox runs the next cases. What is judged early must be what the final
document shows (test_public_first.py checks the whole documents agree).
"""

from __future__ import annotations

import json
import threading

from grader.grading import pipeline, results
from grader.grading.assignments import get_assignment
from grader.grading.budget import Budget, BudgetClock
from grader.grading.records import RunParser, parse_run


def lines(*records: dict) -> bytes:
    return b"".join(json.dumps(record).encode() + b"\n" for record in records)


STDOUT = lines({"import": {"category": None, "seconds": 0.01}},
               {"case": 0, "passed": True},
               {"output": "printed"},
               {"case": 0, "forged": "a second record of a case is ignored"},
               {"case": 7, "not": "expected"},
               {"case": 1, "values": list(range(50))},
               {"budget_spent": True})


def test_a_record_is_handed_on_the_moment_its_line_ends():
    seen: list[tuple[int, dict]] = []
    parser = RunParser({0, 1}, on_case=lambda case_id, record: seen.append((case_id, record)))
    cut = STDOUT.index(b'"values"')  # in the middle of case 1's line
    parser.feed(STDOUT[:5])
    assert seen == []
    parser.feed(STDOUT[5:cut])
    assert [case_id for case_id, _ in seen] == [0]
    parser.feed(STDOUT[cut:])
    assert [case_id for case_id, _ in seen] == [0, 1]
    assert seen[1][1] == {"case": 1, "values": list(range(50))}


def test_finishing_reads_only_what_was_not_fed_and_agrees_with_a_whole_read():
    calls: list[int] = []
    parser = RunParser({0, 1}, on_case=lambda case_id, record: calls.append(case_id))
    parser.feed(STDOUT[:STDOUT.index(b"output") + 3])  # a line left half-read
    run = parser.finish(STDOUT)
    whole = parse_run(STDOUT, {0, 1})
    assert calls == [0, 1]  # each case once, though its line was offered twice
    assert (run.import_record, run.records, run.output, run.budget_spent) == \
        (whole.import_record, whole.records, whole.output, whole.budget_spent)
    assert run.records[0] == {"case": 0, "passed": True}


def test_the_final_outcome_of_a_case_judged_early_is_the_early_one(monkeypatch):
    """The grading judges each case on a thread as its record arrives, and the document
    takes that outcome (the same object, not a second judging)."""
    slug = "autodiff"
    assignment = get_assignment(slug)
    cases = dict(enumerate(assignment.cases()))
    reference = pipeline.reference_seconds(slug)
    judged = pipeline._JudgedOnce(reference, slug, cases)
    threads: set[str] = set()
    judging_threads: set[str] = set()
    arrived: list[int] = []
    judge_case = pipeline.judge_case

    def judge_on_record(*args):
        judging_threads.add(threading.current_thread().name)
        return judge_case(*args)

    monkeypatch.setattr(pipeline, "judge_case", judge_on_record)

    def on_case(case_id: int, record: dict) -> None:
        arrived.append(case_id)
        judged.judge_soon(case_id, record)
        threads.add(threading.current_thread().name)

    payloads = [pipeline._timed_payload(i, case, reference.get(case.name))
                for i, case in cases.items()]
    try:
        runs = pipeline._run_cases(
            assignment, assignment.solution.read_text(encoding="utf-8"), payloads,
            lambda message: None, BudgetClock(Budget()), use_spare=False,
            public_ids={i for i, case in cases.items() if case.visibility == results.VISIBLE},
            on_case=on_case)
        assert sorted(arrived) == sorted(cases)
        early = {i: judged.soon[i][1] for i in cases}
        for i, case in cases.items():
            outcome = judged.outcome(i, case, runs)
            assert outcome is early[i].result()
            assert outcome.passed, (case.name, outcome.message)
    finally:
        judged.close()
    # handed on by the thread that reads the sandbox's output, judged on another
    assert threads == {threading.main_thread().name}
    assert len(judging_threads) == 1 and threading.main_thread().name not in judging_threads
