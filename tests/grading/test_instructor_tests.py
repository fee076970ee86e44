"""The `tests` kind's discovery and replay: calls recorded on the reference, answered by the
student's function as data, judged by the test on the trusted side (grader/grading/tests_cases.py).

The sandbox's part is its runner (harness/tests_runner.py), called here in-process on plain
functions; the real sandbox and pipeline grade op_gradients in test_op_gradients_assignment.py.
"""

from __future__ import annotations

import json
import logging
import re
import textwrap

import pytest

from grader.grading.assignments import MisplacedTest, load_assignments
from grader.grading.harness import calls, graphio, tests_runner
from grader.grading.harness.protocol import untrusted_fields

EMPTY_GRAPH = graphio.serialize([])[0]

MANIFEST = """\
title = "Instructor tests, exercised"
kind = "tests"
submit_file = "op_gradients.py"
entry = "gradient"
solution = "op_gradients/op_gradients.py"
order = 1
"""

TESTS = '''
import autodiff as ad
import numpy as np
from grader.grading.instructor_tests import check_gradient, fail, test

CALLS = []  # a test that is not deterministic makes other calls each time it runs


def _exp_node():
    x = ad.variable("x", (3,))
    return x, ad.exp(x)


@test(points=2)
def exp_rule(student, rng):
    """exp's rule, checked against central differences"""
    x, node = _exp_node()
    g = ad.variable("g", (3,))
    check_gradient(node, student.gradient(node, g), {x: rng.normal(size=3),
                                                     g: rng.normal(size=3)}, g)


@test()
def plain_assert(student):
    """a failed assert's message is the feedback"""
    x, node = _exp_node()
    partials = student.gradient(node, ad.variable("g", (3,)))
    assert len(partials) == 1, f"exp has one input, not {len(partials)}"


@test(points=4)
def partial_credit(student, rng):
    """half the points per right rule"""
    right = 0
    for make in (ad.exp, ad.log):
        x = ad.variable("x", (2,))
        node, g = make(x), ad.variable("g", (2,))
        feed = {x: rng.uniform(0.5, 2, 2), g: rng.normal(size=2)}
        right += check_gradient(node, student.gradient(node, g), feed, g,
                                raise_on_failure=False)
    return right / 2


@test()
def categorised(student):
    """fail() carries a category"""
    x, node = _exp_node()
    if student.gradient(node, ad.variable("g", (3,)))[0].op.name != "mul":
        fail("wrong-value", "exp's rule multiplies output_grad by the node")


@test()
def not_deterministic(student):
    """its calls change from one run to the next"""
    CALLS.append(1)
    x = ad.variable("x", (len(CALLS) + 1,))
    student.gradient(ad.exp(x), ad.variable("g", (len(CALLS) + 1,)))


@test()
def fails_on_the_reference(student):
    """a test the reference solution does not pass"""
    x, node = _exp_node()
    student.gradient(node, ad.variable("g", (3,)))
    assert False, "the reference fails this"


@test(time_limit=3)
def timed(student):
    """the calls' CPU seconds, as the grader measured them"""
    x, node = _exp_node()
    student.gradient(node, ad.variable("g", (3,)))
    assert student.cpu_seconds < 1.0, f"took {student.cpu_seconds:.1f} s"
'''

HIDDEN_TESTS = '''
import autodiff as ad
from grader.grading.instructor_tests import test

from .tests import _exp_node, exp_rule  # noqa: F401 (a visible test, not counted twice)

RUNS = []


@test(visibility="hidden")
def instructor_bug(student):
    """a bug of the test's own, not the student's"""
    RUNS.append(1)
    x, node = _exp_node()
    student.gradient(node, ad.variable("g", (3,)))
    if len(RUNS) > 1:  # discovery went well; the judging run breaks
        return {}["missing"]


@test(points=3, visibility="after_due_date")
def after_the_due_date(student, reference):
    """takes the reference solution: a test that never ships may"""
    x, node = _exp_node()
    g = ad.variable("g", (3,))
    assert len(student.gradient(node, g)) == len(reference.gradient(node, g))
'''


@pytest.fixture
def cases(tmp_path):
    folder = tmp_path / "exercised"
    folder.mkdir()
    (folder / "assignment.toml").write_text(MANIFEST)
    (folder / "tests.py").write_text(TESTS)
    (folder / "hidden_tests.py").write_text(HIDDEN_TESTS)
    assignment = load_assignments(tmp_path)["exercised"]
    return {case.name: case for case in assignment.cases()}


def reference_gradient(node, output_grad):
    from grader.grading.trusted import solution_file
    from reference.solutions import resolve

    return solution_file(resolve("op_gradients/op_gradients.py")).gradient(node, output_grad)


def sandboxed(case, function, cpu_seconds=0.01, call_seconds=None) -> dict:
    """What the warden would record: the calls' answers through JSON, their CPU (each
    call's, and all of them) measured as given."""
    payload = json.loads(json.dumps(case.payload()))
    answers = [untrusted_fields(json.loads(json.dumps(tests_runner.run_call(function, call))))
               for call in tests_runner.calls_of(payload)]
    if call_seconds is None:
        call_seconds = [cpu_seconds / max(len(answers), 1)] * len(answers)
    return {"results": answers, "call_seconds": call_seconds, "cpu_seconds": cpu_seconds}


def log_at_output(node, output_grad):
    import autodiff as ad

    if node.op.name == "log":
        return [ad.div(output_grad, node)]
    return reference_gradient(node, output_grad)


def test_tests_are_found_in_order_with_their_settings(cases):
    assert list(cases) == ["exp rule", "plain assert", "partial credit", "categorised",
                           "not deterministic", "fails on the reference", "timed",
                           "instructor bug", "after the due date"]  # tests.py's, then hidden
    assert cases["exp rule"].points == 2 and cases["exp rule"].visibility == "visible"
    assert cases["instructor bug"].visibility == "hidden"
    assert cases["after the due date"].visibility == "after_due_date"
    assert cases["timed"].time_limit == 3 and cases["timed"].description.startswith("the calls'")


def test_discovery_records_each_call_as_data(cases):
    payload = cases["exp rule"].payload()
    assert payload["check"] == "calls" and payload["time_limit"] == 10
    [call] = payload["calls"]
    nodes = graphio.deserialize(call["records"])
    node, g = calls.decode(call["args"], nodes)
    assert node.op.name == "exp" and g.op.name == "variable" and g.shape == (3,)
    assert json.loads(json.dumps(payload)) == payload  # plain JSON, for the job files


def test_the_reference_passes_and_a_wrong_rule_fails_with_its_category(cases):
    for name in ("exp rule", "plain assert", "partial credit", "categorised", "timed"):
        outcome = cases[name].judge(sandboxed(cases[name], reference_gradient))
        assert outcome.passed, (name, outcome.message)
    wrong = cases["partial credit"].judge(sandboxed(cases["partial credit"], log_at_output))
    assert not wrong.passed and wrong.fraction == 0.5 and wrong.category == "test-failed"


def test_a_failed_assert_is_the_feedback(cases):
    def two_partials(node, output_grad):
        return [output_grad, output_grad]

    outcome = cases["plain assert"].judge(sandboxed(cases["plain assert"], two_partials))
    assert outcome.category == "test-failed" and outcome.message == "exp has one input, not 2"


def test_a_categorised_failure_keeps_its_category(cases):
    import autodiff as ad

    def add_instead(node, output_grad):
        return [ad.add(output_grad, node)]

    outcome = cases["categorised"].judge(sandboxed(cases["categorised"], add_instead))
    assert outcome.category == "wrong-value" and "multiplies" in outcome.message
    checked = cases["exp rule"].judge(sandboxed(cases["exp rule"], add_instead))
    assert checked.category == "wrong-value"
    assert "central differences" in checked.message and checked.diagnosis["node"] == "x"


def test_answers_that_are_not_graphs_are_the_students_failure(cases):
    def a_string(node, output_grad):
        return ["d exp"]

    def an_object(node, output_grad):
        return [object()]

    for function in (a_string, an_object):
        outcome = cases["exp rule"].judge(sandboxed(cases["exp rule"], function))
        assert outcome.category == "not-a-graph", outcome.message
    # a test that uses the value in its own way: the student's value, not the test, is wrong
    outcome = cases["categorised"].judge(sandboxed(cases["categorised"], an_object))
    assert outcome.category == "exception" and "object" in outcome.message


def test_a_call_mismatch_is_the_tests_bug_and_says_so(cases, caplog):
    case = cases["not deterministic"]
    record = sandboxed(case, reference_gradient)  # discovery ran once: the next run differs
    with caplog.at_level(logging.ERROR, "grader.grading.tests_cases"):
        outcome = case.judge(record)
    assert outcome.category == "test-error" and not outcome.passed
    assert "not your code" in outcome.message
    assert "call 1 of the test differs from the one recorded" in caplog.text
    assert "deterministic" in caplog.text


def test_an_instructor_bug_is_not_blamed_on_the_student(cases, caplog):
    case = cases["instructor bug"]
    record = sandboxed(case, reference_gradient)
    with caplog.at_level(logging.ERROR, "grader.grading.tests_cases"):
        outcome = case.judge(record)
    assert outcome.category == "test-error"
    assert "not your code" in outcome.message and "KeyError" not in outcome.message
    assert "KeyError: 'missing'" in caplog.text


def test_a_test_failing_on_the_reference_is_reported_for_every_submission(cases, caplog):
    case = cases["fails_on_the_reference".replace("_", " ")]
    with caplog.at_level(logging.ERROR, "grader.grading.tests_cases"):
        outcome = case.judge(sandboxed(case, reference_gradient))
    assert outcome.category == "test-error"
    assert "fails on the reference solution" in caplog.text and "the reference fails" in caplog.text


def test_the_students_exception_ends_the_test_as_the_harness_reports_it(cases):
    def broken(node, output_grad):
        raise ValueError("my bug")

    with pytest.raises(ValueError):  # the harness (student_code.guarded) turns it into an error
        tests_runner.run_case(broken, cases["exp rule"].payload())


def test_a_forged_record_is_forbidden_not_a_crash(cases):
    case = cases["exp rule"]
    for forged in ({"results": []}, {"results": [{"records": EMPTY_GRAPH, "value": {"node": 99}}]},
                   {"results": "all passed"}):
        outcome = case.judge({**forged, "cpu_seconds": 0.0})
        assert outcome.category == "forbidden", forged


def test_timing_assertions_read_the_graders_measure(cases):
    case = cases["timed"]
    assert case.judge(sandboxed(case, reference_gradient, cpu_seconds=0.2)).passed
    slow = case.judge(sandboxed(case, reference_gradient, cpu_seconds=2.5))
    assert slow.category == "test-failed" and "took 2.5 s" in slow.message


def test_a_test_taking_unknown_parameters_is_refused_when_loaded(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "assignment.toml").write_text(MANIFEST)
    (folder / "tests.py").write_text(textwrap.dedent('''
        from grader.grading.instructor_tests import test

        @test()
        def needs_a_fixture(student, tmp_path):
            pass
    '''))
    with pytest.raises(TypeError, match="takes only student, rng, reference"):
        load_assignments(tmp_path)["bad"].cases()


def test_a_hidden_test_may_take_the_reference_solution(cases):
    case = cases["after the due date"]
    assert case.judge(sandboxed(case, reference_gradient)).passed

    def two_partials(node, output_grad):
        return [output_grad, output_grad]

    assert case.judge(sandboxed(case, two_partials)).category == "test-failed"


def _folder_with(tmp_path, files: dict[str, str], slug: str = "placed"):
    folder = tmp_path / slug
    folder.mkdir()
    (folder / "assignment.toml").write_text(MANIFEST)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text))
    return load_assignments(tmp_path)[slug]


@pytest.mark.parametrize("visibility", ["hidden", "after_due_date"])
def test_a_test_in_tests_py_that_is_not_visible_is_refused(tmp_path, visibility):
    assignment = _folder_with(tmp_path, {"tests.py": f'''
        from grader.grading.instructor_tests import test

        @test()
        def shown(student):
            pass

        @test(visibility="{visibility}")
        def kept_back(student):
            pass
    '''})
    with pytest.raises(MisplacedTest) as refused:
        assignment.cases()
    assert str(refused.value) == (
        f"placed/tests.py: test 'kept_back' is {visibility}, but tests.py holds only visible "
        "tests (tests.py ships to students): move it to hidden_tests.py")


def test_a_visible_test_in_hidden_tests_py_is_refused(tmp_path):
    assignment = _folder_with(tmp_path, {"tests.py": "", "hidden_tests.py": '''
        from grader.grading.instructor_tests import test

        @test()
        def shown(student):
            pass
    '''})
    with pytest.raises(MisplacedTest, match=r"^placed/hidden_tests\.py: test 'shown' is visible, "
                                            r"but hidden_tests\.py holds only hidden and "
                                            r"after_due_date tests .*: move it to tests\.py$"):
        assignment.cases()


def test_a_visible_test_taking_the_reference_solution_is_refused(tmp_path):
    assignment = _folder_with(tmp_path, {"tests.py": '''
        from grader.grading.instructor_tests import test

        @test()
        def compares(student, reference):
            pass
    '''})
    with pytest.raises(MisplacedTest, match=r"placed/tests\.py: visible test 'compares' takes "
                                            r"`reference`.*hidden_tests\.py"):
        assignment.cases()


TIMED_CALLS = '''
import autodiff as ad
from grader.grading.instructor_tests import test


@test(time_limit=5)
def the_second_call_is_quick(student):
    """two calls, the second timed on its own"""
    x = ad.variable("x", (3,))
    student.gradient(ad.exp(x), ad.variable("g", (3,)))
    first = student.cpu_seconds
    y = ad.variable("y", (50,))
    student.gradient(ad.exp(y), ad.variable("h", (50,)))
    second = student.cpu_seconds - first
    assert second < 0.05, f"first call {first:.3f} s, second call {second:.3f} s"
'''

SLOW_ON = '''
import time

import autodiff as ad


def gradient(node, output_grad):
    if node.shape == {shape}:  # a student's code slow on one call only
        started = time.process_time()
        while time.process_time() - started < 0.12:  # within the test's limit (0.25 s)
            pass
    return [output_grad * ad.exp(node.inputs[0])]
'''


@pytest.mark.parametrize(("slow_shape", "passes"), [((50,), False), ((3,), True)])
def test_each_call_is_timed_by_the_warden_on_its_own(tmp_path, monkeypatch, slow_shape, passes):
    """Graded in the sandbox: the warden sends each call of a test as its own request and
    measures its CPU, so a test can tell a slow call from a quick one."""
    from grader.grading import pipeline

    assignment = _folder_with(tmp_path, {"tests.py": TIMED_CALLS}, slug="timed-calls")
    monkeypatch.setattr(pipeline, "get_assignment", lambda slug: assignment)
    document = pipeline.grade_submission("timed-calls", SLOW_ON.format(shape=slow_shape))
    (verdict,) = document["tests"]
    if passes:  # the slow first call is not the second's
        assert verdict["status"] == "passed", verdict["output"]
        return
    first, second = (float(seconds) for seconds in
                     re.fullmatch(r"first call (\S+) s, second call (\S+) s",
                                  verdict["output"]).groups())
    assert first < 0.05 and second >= 0.12, verdict["output"]


MEASURED_CALL = '''
import autodiff as ad
from grader.grading.instructor_tests import test


@test(time_limit=5)
def gradient_memory(student):
    """one call's peak memory, against the reference's on the same call"""
    x = ad.variable("x", (20, 20))
    student.gradient(ad.exp(x), ad.variable("g", (20, 20)))  # not measured
    y = ad.variable("y", (30, 30))
    student.measure_memory(ad.exp(y), ad.variable("h", (30, 30)))
    peak, reference = student.peak_bytes, student.reference_peak_bytes
    assert peak <= 2 * reference + 2**20, f"peak {peak} B, the reference's {reference} B"
'''

HOGS_MEMORY = '''
import numpy as np

import autodiff as ad

KEPT = []


def gradient(node, output_grad):
    if {hog} and node.shape == (30, 30):  # the measured call
        KEPT.append(np.ones(4_000_000))  # 32 MB, resident: every page written
    return [output_grad * ad.exp(node.inputs[0])]
'''


def _peak_figures(output: str) -> tuple[int, int]:
    found = re.fullmatch(r"peak (\d+) B, the reference's (\d+) B", output)
    assert found, output
    return int(found[1]), int(found[2])


@pytest.mark.parametrize("hog", [False, True])
def test_a_call_measured_for_memory_runs_alone_and_is_read_from_outside(tmp_path, monkeypatch,
                                                                         hog):
    """Graded in the sandbox: the measured call runs in a process of its own, whose peak the
    warden reads from the kernel, against the reference's measured the same way."""
    from grader.grading import pipeline

    assignment = _folder_with(tmp_path, {"tests.py": MEASURED_CALL}, slug="measured-calls")
    monkeypatch.setattr(pipeline, "get_assignment", lambda slug: assignment)
    document = pipeline.grade_submission("measured-calls", HOGS_MEMORY.format(hog=hog))
    (verdict,) = document["tests"]
    if not hog:
        assert verdict["status"] == "passed", verdict["output"]
        return
    peak, reference = _peak_figures(verdict["output"])
    assert peak >= 30 << 20 and reference < 8 << 20


def test_a_students_own_run_measures_the_call_with_tracemalloc_against_the_references(
        tmp_path):
    """The student package's path: run.py runs every call in one process, measuring the
    marked one with tracemalloc; the reference's traced peak comes from discovery."""
    (case,) = _folder_with(tmp_path, {"tests.py": MEASURED_CALL}, slug="traced").cases()
    assert case.recording.traced_peaks  # discovery measured the reference's call
    for hog in (False, True):
        namespace: dict = {}
        exec(HOGS_MEMORY.format(hog=hog), namespace)  # noqa: S102 (the test's own text)
        record = {**tests_runner.run_case(namespace["gradient"], case.payload()),
                  "cpu_seconds": 0.01}
        assert record["call_peaks"]["method"] == "traced"
        outcome = case.judge(json.loads(json.dumps(record)))
        if hog:
            peak, reference = _peak_figures(outcome.message)
            assert peak >= 30 << 20 and reference < 8 << 20
        else:
            assert outcome.passed, outcome.message
