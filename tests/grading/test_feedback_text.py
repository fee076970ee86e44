"""What the feedback says: node names a student can read, a load failure said once, no -0,
and diagnoses that name the cause (constant adjoints, nodes without partial adjoints,
a higher derivative wrong because the first one is)."""

import json

import numpy as np
import pytest

import autodiff as ad
from grader.grading.assignments import get_assignment
from grader.grading.naming import NodeNames, expression
from grader.grading.outcome import preview
from grader.grading.pipeline import grade_submission

AUTODIFF = get_assignment("autodiff")
MUTANTS = AUTODIFF.folder / "mutants"


def failed_tests(document):
    return {t["name"]: t for t in document["tests"] if t["status"] == "failed"}


@pytest.fixture(scope="module")
def not_summed():
    return grade_submission("autodiff", (MUTANTS / "not_summed.py").read_text(),
                            public_only=True)


@pytest.mark.parametrize(("build", "text"), [
    (lambda x1, x2: x1 * x2, "x1 * x2"),
    (lambda x1, x2: ad.exp(x1), "exp(x1)"),
    (lambda x1, x2: ad.exp(x1 * x2) * (x1 * x2), "exp(x1 * x2) * (x1 * x2)"),
    (lambda x1, x2: x1 - (x2 - x1), "x1 - (x2 - x1)"),
    (lambda x1, x2: 3.0 * x1 + 2.0, "x1 * 3 + 2"),
    (lambda x1, x2: x1 ** 2 - 1.0, "x1 ** 2 - 1"),
    (lambda x1, x2: ad.reduce_sum(x1, axis=0), "reduce_sum(x1, axis=0)"),
])
def test_nodes_are_named_by_their_expression(build, text):
    x1, x2 = ad.variable("x1", (2,)), ad.variable("x2", (2,))
    assert expression(build(x1, x2)) == text


def test_deep_or_repeated_nodes_are_named_by_position_not_by_id():
    x = ad.variable("x", ())
    left, right = x * 0.5, x * 0.5  # two nodes with one expression
    out = ad.tanh(ad.tanh(ad.tanh(ad.tanh(left + right))))
    order = ad.topological_sort([out])
    names = NodeNames(order, out)
    assert names.name(left) == "x * 0.5, the 1st of the 2 consumers of x"
    assert names.name(right) == "x * 0.5, the 2nd of the 2 consumers of x"
    assert names.name(out) == "out"
    assert all("#" not in names.name(node) for node in order)


def test_previews_never_show_negative_zero():
    shown = preview(np.array([-0.0, -1e-12, 0.0, -2.5]))
    assert shown["values"] == [0.0, 0.0, 0.0, -2.5]
    assert "-0" not in json.dumps(shown["values"]).replace("-2.5", "")


def test_diagnosis_names_interior_nodes_by_expression(not_summed):
    diamond = failed_tests(not_summed)["diamond"]
    assert diamond["extra_data"]["diagnosis"]["node"] == "x * w"
    assert diamond["output"].startswith("the adjoint of x * w is missing partial adjoints")
    for test in failed_tests(not_summed).values():
        assert "#" not in test["output"] and "#" not in test["extra_data"]["diagnosis"]["node"]


def test_a_second_derivative_wrong_because_of_the_first_says_so(not_summed):
    second = failed_tests(not_summed)["gradient of gradient"]
    assert second["tags"] == ["adjoint-not-summed"]
    assert second["output"].startswith("the derivative of order 2 is wrong because the first "
                                       "derivatives already are: the adjoint of x2 is missing")


def test_a_file_that_cannot_be_loaded_is_explained_once():
    document = grade_submission("autodiff", "def gradiant(out):\n    return {}\n")
    message = "gradient.py does not define gradient()"
    assert document["output"].count(message) == 1
    summary = document["output"]
    # the specific sentence first, then the generic hint
    assert summary.index(message) < summary.index("Hint: Define gradient() at the top level")
    assert len(document["tests"]) == len(AUTODIFF.cases())
    for test in document["tests"]:
        assert test["tags"] == ["missing-function"]
        assert message not in test["output"]
        assert "could not be loaded" in test["output"]


def test_adjoints_wrapped_as_constants_are_not_a_graph():
    document = grade_submission("autodiff", (MUTANTS / "constant_adjoints.py").read_text(),
                                public_only=True)
    diamond = failed_tests(document)["diamond"]
    assert diamond["tags"] == ["not-a-graph"]
    assert "does not depend on the inputs" in diamond["output"]
    assert "differentiated again" in diamond["output"]
    # a second derivative of constants fails because the first derivatives already are wrong
    assert failed_tests(document)["gradient of gradient"]["tags"] == ["not-a-graph"]


def test_a_constant_that_is_right_everywhere_is_not_blamed():
    # d(3x + 2)/dx is the constant 3: an adjoint built of constants is right here.
    source = (MUTANTS / "constant_adjoints.py").read_text()
    document = grade_submission("autodiff", source, public_only=True)
    assert "constant ops" not in failed_tests(document)


def test_a_key_error_on_a_node_without_partial_adjoints_is_explained():
    document = grade_submission("autodiff", (MUTANTS / "no_partials_key_error.py").read_text())
    test = failed_tests(document)["ones_like and zeros_like"]
    assert test["tags"] == ["missing-adjoint"]
    assert test["output"].startswith("gradient() raised KeyError on x2: x2 receives no partial "
                                     "adjoints, because its only consumer (zeros_like(x2)) "
                                     "passes None for it")
    assert "it is zero (zeros shaped like the node)" in test["output"]
    diagnosis = test["extra_data"]["diagnosis"]
    assert diagnosis["node"] == "x2" and "KeyError" in diagnosis["traceback"]
    # in a second derivative the node is out of the first gradient graph, fed to ones_like only
    second = failed_tests(document)["gradient of gradient"]
    assert second["tags"] == ["missing-adjoint"]
    assert "receives no partial adjoints" in second["output"]


def test_backprop_key_error_on_a_node_without_partial_adjoints_is_explained():
    backprop = get_assignment("backprop")
    source = (backprop.folder / "mutants" / "no_partials_key_error.py").read_text()
    test = failed_tests(grade_submission("backprop", source))["ones_like and zeros_like"]
    assert test["tags"] == ["missing-adjoint"]
    assert "x2 receives no partial adjoints" in test["output"]


def test_adjoints_that_are_not_nodes_are_named_by_expression():
    document = grade_submission("autodiff", (MUTANTS / "not_a_graph.py").read_text(),
                                public_only=True)
    test = failed_tests(document)["x * x"]
    assert test["tags"] == ["not-a-graph"]
    assert "the adjoint of out is a list, not a Node" in test["output"]
    assert "the adjoint of x is a list, not a Node" in test["output"]
