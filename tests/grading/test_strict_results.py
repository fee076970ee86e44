"""Result documents are strict JSON: NaN and infinities are written by name, never bare."""

import json

import numpy as np

from grader.grading.assignments import get_assignment
from grader.grading.pipeline import grade_submission
from grader.grading.results import strict_json

WRONG_SEED = (get_assignment("autodiff").folder / "mutants" / "wrong_seed.py").read_text()


def test_non_finite_numbers_become_their_names_everywhere():
    document = {"a": float("nan"), "b": [float("inf"), -np.inf, np.float64("nan")],
                "c": {"d": (1.5, -float("inf"))}, "e": "text", "f": 3, "g": None}
    assert strict_json(document) == {"a": "NaN", "b": ["Infinity", "-Infinity", "NaN"],
                                     "c": {"d": [1.5, "-Infinity"]}, "e": "text", "f": 3,
                                     "g": None}


def test_a_diagnosis_with_nan_errors_is_a_strict_document():
    # Seeding out's adjoint with the scalar 1: shapes differ, so the errors are undefined.
    document = grade_submission("autodiff", WRONG_SEED, public_only=True)
    text = json.dumps(document, allow_nan=False)  # raises on a bare NaN
    diagnoses = [t["extra_data"]["diagnosis"] for t in document["tests"]
                 if "diagnosis" in t["extra_data"]]
    assert any(d.get("abs_error") == "NaN" for d in diagnoses), diagnoses
    assert json.loads(text) == document


def test_infinite_estimates_are_wrong_values_named_in_the_document():
    source = ("import numpy as np\n\ndef numerical_gradient(f, x, h=1e-6):\n"
              "    return np.full(np.shape(x), np.inf)\n")
    document = grade_submission("numerical", source, public_only=True)
    assert {tag for test in document["tests"] for tag in test["tags"]} == {"wrong-value"}
    assert "NaN or infinite" in document["tests"][0]["output"]
    received = document["tests"][0]["extra_data"]["diagnosis"]["received"]["values"]
    assert set(received) == {"Infinity"}
    json.dumps(document, allow_nan=False)
