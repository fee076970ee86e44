"""The `tests` kind: instructor-written tests, judged on the trusted side from recorded calls.

An assignment of this kind holds ``tests.py`` (its visible tests) and, if it has hidden or
after-due-date tests, ``hidden_tests.py``: ordinary Python functions marked
``@test(points=..., visibility=..., time_limit=...)`` (grader/grading/instructor_tests.py)
that take a ``student`` (and, when they want them, a seeded ``rng`` and the ``reference``
solution) and call the student's
function through it, ``student.gradient(node, output_grad)``. The student's code never
runs here, and nothing computed in the student's process decides a verdict:

1. Discovery (once per process, when the case's payload is first asked for): the test runs
   with the assignment's own reference solution (the manifest's ``solution``, loaded by
   path) answering each call, while every call is recorded as data (harness/calls.py).
2. The sandbox (harness/tests_runner.py) replays those calls on the student's function
   and returns each answer as data: Nodes as graph records on top of the call's own
   argument nodes.
3. Judging: the test runs again here, each call now answered with the student's answer,
   rebuilt with the kit's ops (matched by order, and checked to be the same call). A
   failed assertion's message is the feedback; a ``TestFailure`` carries its category
   (``wrong-value``, ``wrong-shape``, ...); a number in [0, 1] returned is partial credit;
   any other exception is the test's own bug, logged and never blamed on the student.

Tests must be deterministic (take randomness from the ``rng`` they are given) and a call's
arguments must not depend on earlier answers: the calls are fixed before the student's
code runs.

On a student's machine (the student package's `autograder test`) the visible tests run the
same way: the package ships tests.py and this module, and each test's snapshot
(snapshots.py) carries its recorded calls, so no reference solution is needed there.
"""

from __future__ import annotations

import inspect
import json
import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from grader.grading.harness import calls, graphio, protocol
from grader.grading.harness.measure.memory import measure_memory

from .outcome import CATEGORIES, TEST_CATEGORIES, Outcome, failed, passed
from .sentences import sentence
from .trusted import solution_file

log = logging.getLogger(__name__)

# The parameters a test function may take, by name: the student's function, a seeded numpy
# Generator, and the assignment's reference solution (a module: the trusted engine).
FIXTURES = ("student", "rng", "reference")
CHECK = "calls"                # the payload's check: replayed calls, nothing the warden measures


class TestFailure(AssertionError):
    """A test's failure with its diagnosis category (outcome.CATEGORIES), raised by the
    instructor's helpers (instructor_tests.check_gradient) or by ``fail``."""

    __test__ = False  # not a pytest test class

    def __init__(self, category: str, message: str, **diagnosis) -> None:
        super().__init__(message)
        self.category, self.message, self.diagnosis = category, message, diagnosis


class InstructorError(Exception):
    """The test itself is broken (or not deterministic): never the student's failure."""


class _Unreplayable(Exception):
    """The sandbox's answers do not fit the recorded calls: a damaged or forged record."""


@dataclass
class Recording:
    """What discovery saw: each call as data, and how the test ended on the reference."""

    calls: list[dict]
    problem: str | None = None  # why the test failed on the reference, with its traceback
    # The reference's peak on each call measured for memory (by its number), by tracemalloc
    # here: what a student's own run (tracemalloc too) is compared with. The grader compares
    # the warden's measure with the reference's measured alike (pipeline.judge_case).
    traced_peaks: dict[int, int] = field(default_factory=dict)

    def shipped(self) -> dict:
        """As the student package holds it: the calls, the reference's traced peaks, and
        whether the test failed on the reference, but not how (the traceback may show the
        reference solution's lines)."""
        return {"calls": self.calls,
                "problem": None if self.problem is None else "the grader's log says why",
                "traced_peaks": {str(number): peak for number, peak in self.traced_peaks.items()}}


def _call_data(args: tuple, kwargs: dict, memory: bool = False) -> tuple[dict, list]:
    """A call as JSON data (records, args, kwargs; ``memory`` when its peak memory is
    measured), and its argument nodes by index."""
    records, (encoded_args, encoded_kwargs), index = calls.encode([list(args), dict(kwargs)])
    nodes = sorted(index, key=index.get)
    data = {"records": records, "args": encoded_args, "kwargs": encoded_kwargs}
    if memory:
        data["memory"] = True
    return data, nodes


def _answer(result: dict, nodes: list):
    """A call's answer as data, rebuilt on top of the call's own argument nodes by the kit's
    ops (graphio.deserialize refuses anything that is not a graph of kit ops, or too big)."""
    if "refused" in result:
        raise TestFailure("not-a-graph", f"what the function returned is not a graph of the "
                                         f"kit's ops: {str(result['refused'])[:300]}.")
    try:
        built = graphio.deserialize(result["records"], known=nodes)
    except graphio.GraphFormatError as exc:
        raise TestFailure("not-a-graph", f"the returned graph was refused: {exc}.") from None
    try:
        return calls.decode(result["value"], built)
    except calls.CallFormatError as exc:
        raise _Unreplayable(str(exc)) from None


def _has_foreign(value, depth: int = 0) -> bool:
    if depth > calls.MAX_DEPTH:
        return False
    if isinstance(value, calls.Foreign):
        return True
    if isinstance(value, (list, tuple)):
        return any(_has_foreign(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return any(_has_foreign(k, depth + 1) or _has_foreign(v, depth + 1)
                   for k, v in value.items())
    return False


class Student:
    """What a test calls: ``student.<entry>(...)`` (the one function the students write);
    ``student.cpu_seconds``, the CPU time of the test's calls so far, each call measured
    by the warden on its own (in discovery: the reference's, measured here), so a test can
    time one call against another; and ``student.measure_memory(...)``, a call of
    ``<entry>`` whose peak memory is measured, after which ``student.peak_bytes`` is that
    call's peak and ``student.reference_peak_bytes`` the reference solution's on the same
    call, measured alike (in discovery both are the reference's)."""

    def __init__(self, entry: str, answer, cpu_seconds: Callable[[], float]) -> None:
        self._entry, self._answer, self._cpu_seconds = entry, answer, cpu_seconds

    def __getattr__(self, name: str):
        if name.startswith("_") or name != self._entry:
            raise AttributeError(f"the student's file defines only {self._entry}() for tests; "
                                 f"no {name!r}")
        return self._answer

    @property
    def cpu_seconds(self) -> float:
        return self._cpu_seconds()

    def measure_memory(self, *args, **kwargs):
        """``<entry>(*args, **kwargs)``, its peak memory measured (a process of its own in
        the grader)."""
        return self._answer.measured(*args, **kwargs)

    @property
    def peak_bytes(self) -> int:
        return self._last_peaks()[0]

    @property
    def reference_peak_bytes(self) -> int:
        return self._last_peaks()[1]

    def _last_peaks(self) -> tuple[int, int]:
        if self._answer.last_peaks is None:
            raise InstructorError("the test read a peak before any student.measure_memory(...)")
        return self._answer.last_peaks


class _Discovery:
    """Calls answered by the reference solution, and recorded."""

    def __init__(self, reference: Callable) -> None:
        self.reference, self.calls, self.cpu = reference, [], 0.0
        self.traced_peaks: dict[int, int] = {}
        self.last_peaks: tuple[int, int] | None = None

    def __call__(self, *args, **kwargs):
        return self._call(args, kwargs, memory=False)

    def measured(self, *args, **kwargs):
        return self._call(args, kwargs, memory=True)

    def _call(self, args: tuple, kwargs: dict, memory: bool):
        data, nodes = _call_data(args, kwargs, memory)
        self.calls.append(data)
        started = time.process_time()
        if memory:
            report = measure_memory(self.reference, *args, **kwargs)
            result, peak = report.result, report.peak_bytes
            self.traced_peaks[len(self.calls) - 1] = peak
            self.last_peaks = (peak, peak)
        else:
            result = self.reference(*args, **kwargs)
        self.cpu += time.process_time() - started
        # Through the same data the student's answer takes: what the test sees is alike.
        records, value, _ = calls.encode(result, known={n: i for i, n in enumerate(nodes)})
        return _answer({"records": records, "value": value}, nodes)


class _Replay:
    """Calls answered by the student's answers from the sandbox, in the recorded order."""

    def __init__(self, recording: Recording, record: dict) -> None:
        self.recorded, self.record, self.made = recording.calls, record, 0
        self.traced_peaks = recording.traced_peaks
        self.foreign = False
        self.last_peaks: tuple[int, int] | None = None

    def __call__(self, *args, **kwargs):
        return self._call(args, kwargs, memory=False)

    def measured(self, *args, **kwargs):
        value = self._call(args, kwargs, memory=True)
        self.last_peaks = self._peaks(self.made - 1)
        return value

    def _peaks(self, number: int) -> tuple[int, int]:
        """(the student's, the reference's) peak on call ``number``: the warden's measure and
        the reference's measured alike, or both by tracemalloc on a student's own run."""
        measured = self.record.get(protocol.CALL_PEAKS)
        try:
            peak = int(measured["bytes"][str(number)])
            if measured["method"] == protocol.RSS:
                reference = int(self.record[protocol.REFERENCE_CALL_PEAKS][str(number)])
            else:
                reference = int(self.traced_peaks[number])
        except (KeyError, TypeError, ValueError) as exc:
            raise _Unreplayable(f"no peak for call {number + 1}: {exc!r}") from None
        return peak, reference

    def _call(self, args: tuple, kwargs: dict, memory: bool):
        number = self.made
        data, nodes = _call_data(args, kwargs, memory)
        if number >= len(self.recorded):
            raise InstructorError(f"the test made a call (number {number + 1}) it did not make "
                                  "when it ran on the reference solution")
        if json.dumps(data, sort_keys=True) != json.dumps(self.recorded[number], sort_keys=True):
            raise InstructorError(
                f"call {number + 1} of the test differs from the one recorded when it ran on "
                "the reference solution: a test must be deterministic (use the rng it is "
                "given) and its calls must not depend on earlier answers")
        self.made += 1
        results = self.record["results"]
        if not isinstance(results, list) or number >= len(results) \
                or not isinstance(results[number], dict):
            raise _Unreplayable(f"no answer to call {number + 1}")
        value = _answer(results[number], nodes)
        self.foreign = self.foreign or _has_foreign(value)
        return value


@dataclass(eq=False)
class InstructorTest:
    """One test function of an assignment's tests.py, as a case of the pipeline."""

    function: Callable
    name: str
    points: float = 1.0
    visibility: str = "visible"     # visible | hidden | after_due_date (Gradescope's words)
    description: str = ""
    time_limit: float = 10.0        # CPU seconds for all the test's calls together
    seed: int = 0                   # of the rng the test is given

    is_instructor_test = True       # how assignments.py finds the tests in their files
    check = CHECK
    timeout_category = "timeout"

    def __post_init__(self) -> None:
        unknown = [p for p in self.fixtures if p not in FIXTURES]
        if unknown:
            raise TypeError(f"test {self.name!r} takes {unknown}: a test takes only "
                            f"{', '.join(FIXTURES)}")
        if self.visibility not in ("visible", "hidden", "after_due_date"):
            raise ValueError(f"test {self.name!r}: visibility {self.visibility!r} is not "
                             "visible, hidden or after_due_date")

    @property
    def fixtures(self) -> tuple[str, ...]:
        """The parameters the test function takes, in order (each one of FIXTURES)."""
        return tuple(inspect.signature(self.function).parameters)

    @cached_property
    def assignment(self):
        """The assignment whose folder holds the test's file (on the server only: the student
        package restores entry, slug and recording instead, snapshots.py)."""
        from .assignments import load_assignment

        return load_assignment(Path(inspect.getfile(self.function)).resolve().parent)

    @cached_property
    def entry(self) -> str:
        """The name of the students' function the test calls."""
        return self.assignment.entry

    @cached_property
    def slug(self) -> str:
        return self.assignment.slug

    def snapshot_needs(self) -> tuple[str, ...]:
        """What the student package's copy of the test needs besides its function: the
        recorded calls and the names it would otherwise read from the assignment's folder."""
        return ("recording", "entry", "slug")

    def _run(self, answer: Callable, cpu_seconds: Callable[[], float]):
        fixtures = {"student": lambda: Student(self.entry, answer, cpu_seconds),
                    "rng": lambda: np.random.default_rng(self.seed),
                    "reference": lambda: solution_file(self.assignment.solution)}
        return self.function(**{name: fixtures[name]() for name in self.fixtures})

    @cached_property
    def recording(self) -> Recording:
        """The test run once on the reference solution, its calls recorded (discovery)."""
        reference = getattr(solution_file(self.assignment.solution), self.entry)
        discovery = _Discovery(reference)
        problem = None
        try:
            verdict = self._run(discovery, lambda: discovery.cpu)
            if _fraction(verdict) != 1.0:
                problem = f"the reference solution scores {verdict!r} on it"
        except Exception:  # noqa: BLE001 (any failure here is the test's or the reference's)
            problem = traceback.format_exc(limit=8)
        if problem is not None:
            log.error("test %r of %s fails on the reference solution: %s", self.name,
                      self.slug, problem)
        return Recording(discovery.calls, problem, discovery.traced_peaks)

    def payload(self) -> dict:
        return {"check": CHECK, "calls": self.recording.calls, "time_limit": self.time_limit}

    def judge(self, record: dict) -> Outcome:
        recording = self.recording
        if recording.problem is not None:
            return self._broken(f"it fails on the reference solution: {recording.problem}")
        replay = _Replay(recording, record)
        try:
            verdict = self._run(replay, lambda: _cpu_so_far(record, replay.made))
        except TestFailure as failure:
            diagnosis = dict(failure.diagnosis)
            if "hint" not in diagnosis and failure.category in TEST_CATEGORIES:
                diagnosis["hint"] = sentence(failure.category)
            return failed(_category(failure.category), failure.message[:4000], **diagnosis)
        except AssertionError as failure:
            return failed("test-failed", str(failure)[:4000] or "an assertion failed",
                          hint=sentence("test-failed"))
        except _Unreplayable as exc:
            log.warning("test %r: the record does not fit its calls: %s", self.name, exc)
            return failed("forbidden", "the test's result record was malformed or tampered "
                                       "with")
        except InstructorError as exc:
            return self._broken(str(exc))
        except Exception as exc:  # noqa: BLE001 (the test's code, on the student's answers)
            if replay.foreign:
                return failed("exception", f"the test could not use what "
                              f"{self.entry}() returned ({_foreign_of(exc)}).")
            return self._broken(traceback.format_exc(limit=8))
        fraction = _fraction(verdict)
        if fraction is None:
            return self._broken(f"it returned {verdict!r}: a test returns None, a number in "
                                "[0, 1] or (number, message)")
        message = verdict[1] if isinstance(verdict, tuple) else ""
        if fraction >= 1.0:
            return passed(message)
        outcome = failed("test-failed", message or f"partial credit: {fraction:.0%} of the "
                                                   "points", hint=sentence("test-failed"))
        outcome.fraction = fraction
        return outcome

    def _broken(self, why: str) -> Outcome:
        log.error("test %r of %s is broken: %s", self.name, self.slug, why)
        return failed("test-error", "This test could not be judged: the course's test itself "
                      "failed, not your code. It scores nothing until the course staff fix it "
                      "and regrade.", hint=sentence("test-error"))


def _cpu_so_far(record: dict, made: int) -> float:
    """The CPU seconds of the first ``made`` calls, as the warden measured each (a record
    without its calls' times: all of them)."""
    seconds = record.get(protocol.CALL_SECONDS)
    if isinstance(seconds, list) and len(seconds) >= made \
            and all(isinstance(s, (int, float)) for s in seconds):
        return float(sum(seconds[:made]))
    return float(record.get("cpu_seconds", 0.0))


def _category(category: str) -> str:
    return category if category in CATEGORIES else "test-failed"


def _foreign_of(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def _fraction(verdict) -> float | None:
    """A test's return value as the fraction of its points; None when it is not one."""
    if isinstance(verdict, tuple) and len(verdict) == 2 and isinstance(verdict[1], str):
        verdict = verdict[0]
    if verdict is None:
        return 1.0
    if isinstance(verdict, bool) or not isinstance(verdict, (int, float, np.floating)):
        return None
    verdict = float(verdict)
    return verdict if 0.0 <= verdict <= 1.0 else None
