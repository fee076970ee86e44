"""Every assignment folder, whatever its kind, graded end to end in the sandbox.

An assignment gets these checks by being a folder under assignments/: nothing here names
one. Its reference solution scores full marks, every mutant (whose first line says
``# expect: <category>``) loses points with that category and no other tag, and every
correct solution written differently (tests/grading/alternatives/<slug>_*.py) scores full
marks. The per-assignment modules beside this one test what is particular to each.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.grading.assignments import load_assignments, mutant_category
from grader.grading.kinds import KINDS
from grader.grading.outcome import CATEGORIES
from grader.grading.pipeline import grade_submission
from grader.grading.results import student_view

ASSIGNMENTS = list(load_assignments().values())
ALTERNATIVES_DIR = Path(__file__).parent / "alternatives"
MUTANTS = [(a.slug, path) for a in ASSIGNMENTS for path in a.mutants()]
ALTERNATIVES = [(a.slug, path) for a in ASSIGNMENTS
                for path in sorted(ALTERNATIVES_DIR.glob(f"{a.slug}_*.py"))]


def failures(document: dict) -> list[tuple[str, list[str], str]]:
    return [(t["name"], t["tags"], t["output"][:200]) for t in document["tests"]
            if t["status"] != "passed"]


@pytest.fixture(scope="module")
def references() -> dict[str, dict]:
    return {a.slug: grade_submission(a.slug, a.solution.read_text(encoding="utf-8"))
            for a in ASSIGNMENTS}


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.slug)
def test_the_folder_is_complete(assignment):
    folder = assignment.folder
    assert assignment.kind in KINDS
    assert assignment.solution.is_file()
    assert (folder / "README.md").read_text(encoding="utf-8").strip()
    assert assignment.starter_path().is_file()
    assert list((folder / "public_tests").glob("test_*.py"))
    assert assignment.mutants(), "an assignment proves its tests catch mistakes"
    assert all(mutant_category(path) in CATEGORIES for path in assignment.mutants())
    cases = assignment.cases()
    assert cases and assignment.points > 0
    assert len({case.name for case in cases}) == len(cases)
    assert any(case.visibility == "visible" for case in cases)


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.slug)
def test_the_reference_scores_full_marks(references, assignment):
    document = references[assignment.slug]
    assert not failures(document)
    assert document["score"] == document["max_score"] == assignment.points
    assert document["extra_data"]["isolation"] in ("bubblewrap", "fallback")
    assert set(document["extra_data"]["phases"]) == {"prepare", "run", "check"}
    for key in ("score", "execution_time", "output", "tests"):  # what Gradescope reads
        assert key in document
    for test in document["tests"]:
        assert {"name", "number", "score", "max_score", "status", "output", "tags",
                "visibility", "extra_data"} <= set(test)
    json.dumps(document, allow_nan=False)  # plain JSON, nothing else


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.slug)
def test_a_hidden_test_shows_students_its_name_and_outcome_only(references, assignment):
    view = student_view(references[assignment.slug], after_due_date=False)
    for test in view["tests"]:
        if test["visibility"] != "visible":
            assert test["output"] == "" and test["extra_data"] == {} and test["tags"] == []
            assert test["status"] == "passed" and test["name"]
    assert "categories" not in view["extra_data"]
    assert "student_stdout" not in view["extra_data"]  # prints could describe hidden cases


@pytest.mark.parametrize(("slug", "mutant"), MUTANTS, ids=lambda x: getattr(x, "stem", x))
def test_each_mutant_loses_points_with_its_category(slug, mutant):
    document = grade_submission(slug, mutant.read_text(encoding="utf-8"))
    category = mutant_category(mutant)
    assert document["score"] < document["max_score"]
    failing = [t for t in document["tests"] if t["status"] == "failed"]
    assert any(category in t["tags"] for t in failing), failures(document)
    for test in failing:
        assert len(test["tags"]) == 1 and test["tags"][0] in CATEGORIES
        assert test["extra_data"]["diagnosis"]["category"] == test["tags"][0]


@pytest.mark.parametrize(("slug", "alternative"), ALTERNATIVES,
                         ids=lambda x: getattr(x, "stem", x))
def test_correct_solutions_written_differently_get_full_marks(slug, alternative):
    document = grade_submission(slug, alternative.read_text(encoding="utf-8"))
    assert not failures(document)
    assert document["score"] == document["max_score"]
