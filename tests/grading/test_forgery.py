"""Grades that cannot be forged: each forger of tests/forgers/ scores no higher than the same
code without the forgery, graded by the real pipeline in the real sandbox, and nothing of a
hidden test's input reaches what a student is shown."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from grader.grading import results
from grader.grading.assignments import get_assignment
from grader.grading.pipeline import grade_submission, reference_seconds

FORGERS = Path(__file__).resolve().parent.parent / "forgers"
ALL = sorted(path.stem for path in FORGERS.glob("*.py"))


def header(name: str, key: str) -> str:
    for line in (FORGERS / f"{name}.py").read_text().splitlines():
        if line.startswith(f"# {key}: "):
            return line.split(": ", 1)[1].strip()
    raise AssertionError(f"{name}.py has no '# {key}:' line")


def base_source(base: str) -> tuple[str, str]:
    slug, name = base.split("/")
    assignment = get_assignment(slug)
    path = assignment.solution if name == "reference" else \
        assignment.folder / "mutants" / f"{name}.py"
    return slug, path.read_text(encoding="utf-8")


@cache
def graded(slug: str, source: str) -> dict:
    reference_seconds(slug)  # calibrated once, as a warm worker is
    return grade_submission(slug, source)


def test_every_forger_says_what_it_forges():
    assert len(ALL) >= 9
    for name in ALL:
        assert header(name, "forges")
        base_source(header(name, "base"))


@pytest.mark.parametrize("name", [n for n in ALL if n != "read_hidden_inputs"])
def test_a_forger_scores_no_higher_than_its_code_without_the_forgery(name):
    slug, base = base_source(header(name, "base"))
    forged = base + "\n\n" + (FORGERS / f"{name}.py").read_text()
    honest = graded(slug, base)
    document = graded(slug, forged)
    assert honest["score"] < honest["max_score"], "the base must have something to gain"
    assert document["score"] <= honest["score"], _failures(document)
    # the measured tests the base fails stay failed
    failed_before = {t["name"] for t in honest["tests"] if t["status"] == "failed"}
    passed_now = {t["name"] for t in document["tests"] if t["status"] == "passed"}
    assert not failed_before & passed_now, failed_before & passed_now


def test_the_measured_forgers_lose_what_they_went_for():
    slug, base = base_source("autodiff/too_slow")
    for name in ("records_at_import", "records_from_thread", "records_after_case",
                 "replace_results", "patch_timing", "replay_repeats"):
        document = graded(slug, base + "\n\n" + (FORGERS / f"{name}.py").read_text())
        assert _status(document, "linear time") == "failed", name
    slug, base = base_source("autodiff/memory_hog")
    document = graded(slug, base + "\n\n" + (FORGERS / "patch_memory.py").read_text())
    assert _status(document, "memory") == "failed"
    assert "memory" in _tags(document, "memory")
    slug, base = base_source("autodiff/exponential")
    document = graded(slug, base + "\n\n" + (FORGERS / "fake_node_count.py").read_text())
    assert _status(document, "linear time") == "failed"


@pytest.mark.parametrize("base", ["autodiff/reference", "backprop/reference"])
def test_no_hidden_input_reaches_what_a_student_is_shown(base):
    """Before the due date a student reads the visible tests' feedback; after it, the
    after-due-date tests' too (backprop has some): neither may quote a test the student may
    not see then, and a hidden test's words are never shown."""
    slug, source = base_source(base)
    document = graded(slug, source + "\n\n" + (FORGERS / "read_hidden_inputs.py").read_text())
    cases = get_assignment(slug).cases()
    public = {i for i, case in enumerate(cases) if case.visibility == results.VISIBLE}
    after_due = {i for i, case in enumerate(cases) if case.visibility == results.AFTER_DUE}
    for after_due_date in (False, True):
        shown = results.student_view(document, after_due_date=after_due_date)
        allowed = public | after_due if after_due_date else public
        text = json.dumps(shown)
        reports = re.findall(r"FOUND ids=\[([0-9, ]*)\] readable=\[([^\]]*)\]", text)
        assert reports, "the forger's report is in the visible tests' feedback"
        for ids, readable in reports:
            seen = {int(i) for i in ids.split(",") if i.strip()}
            assert seen <= allowed, f"cases {sorted(seen - allowed)} reached a student"
            assert "hidden.json" not in readable and "/mem" not in readable, readable
        for position in set(range(len(cases))) - allowed:  # nor any such test's own words
            test = shown["tests"][position]
            assert test["output"] == "" and test["extra_data"] == {}


def _status(document: dict, name: str) -> str:
    return next(t["status"] for t in document["tests"] if t["name"] == name)


def _tags(document: dict, name: str) -> list:
    return next(t["tags"] for t in document["tests"] if t["name"] == name)


def _failures(document: dict) -> str:
    return "\n".join(f"{t['name']}: {t['output'][:200]}" for t in document["tests"]
                     if t["status"] == "passed")
