"""An assignment is registered by its folder alone: manifest, order, kind, solution."""

import importlib.util
import re
import shutil
from pathlib import Path

import pytest

from grader.grading.assignments import ASSIGNMENTS_DIR, load_assignments
from grader.grading.harness import kinds
from reference import solutions


def _copy(slug: str, root, new_slug: str, order: int):
    folder = root / new_slug
    shutil.copytree(ASSIGNMENTS_DIR / slug, folder, ignore=shutil.ignore_patterns("__pycache__"))
    manifest = folder / "assignment.toml"
    text, count = re.subn(r"(?m)^order = \d+$", f"order = {order}", manifest.read_text())
    assert count == 1
    manifest.write_text(text)


def test_the_catalogue_follows_the_manifests_order():
    catalogue = load_assignments()
    folders = {f.name for f in ASSIGNMENTS_DIR.iterdir() if (f / "assignment.toml").is_file()}
    assert set(catalogue) == folders  # every folder is an assignment, found, not listed
    keys = [(assignment.order, assignment.slug) for assignment in catalogue.values()]
    assert keys == sorted(keys)
    assert list(catalogue)[:3] == ["numerical", "backprop", "autodiff"]  # the lecture's


def test_a_copied_folder_is_an_assignment_without_code_changes(tmp_path):
    _copy("numerical", tmp_path, "numerical", 1)
    _copy("backprop", tmp_path, "backprop-revisited", 2)  # a new slug, an existing kind

    catalogue = load_assignments(tmp_path)

    assert list(catalogue) == ["numerical", "backprop-revisited"]  # not the slugs' order
    copy = catalogue["backprop-revisited"]
    assert copy.kind == "backprop"
    original = load_assignments()["backprop"]
    assert copy.solution == original.solution == solutions.path("backprop-revisited", tmp_path)
    # Its cases load and its own reference solution, run by its kind's runner, passes them.
    spec = importlib.util.spec_from_file_location("copied_solution", copy.solution)
    solution = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(solution)
    case = next(c for c in copy.cases() if c.visibility == "visible")
    record = kinds.runner(copy.kind).run_case(getattr(solution, copy.entry), case.payload())
    outcome = case.judge(record)
    assert outcome.passed, outcome.message


def test_a_solution_outside_reference_solutions_is_refused(tmp_path):
    _copy("numerical", tmp_path, "numerical", 1)
    manifest = tmp_path / "numerical" / "assignment.toml"
    manifest.write_text(re.sub(r'(?m)^solution = .*$', 'solution = "../../grader/app.py"',
                               manifest.read_text()))
    with pytest.raises(ValueError, match="lives under"):
        solutions.path("numerical", tmp_path)


@pytest.mark.parametrize("slug", list(load_assignments()))  # every folder: every kind
def test_a_copy_alone_is_judged_without_looking_up_another_assignment(tmp_path, monkeypatch,
                                                                      slug):
    """The judges' reference answers come from the reference engine (reference/engine.py),
    never from an assignment found by slug: a course holding only a copy of one assignment,
    under a new slug, judges its cases."""
    _copy(slug, tmp_path, f"{slug}-copy", 1)
    copy = load_assignments(tmp_path)[f"{slug}-copy"]

    def by_slug(slug, *args, **kwargs):
        raise AssertionError(f"a judge looked up the assignment {slug!r} by slug")

    monkeypatch.setattr(solutions, "path", by_slug)
    monkeypatch.setattr(solutions, "load", by_slug)
    spec = importlib.util.spec_from_file_location(f"copied_{slug}", copy.solution)
    solution = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(solution)
    for case in [c for c in copy.cases() if c.visibility == "visible"][:3]:
        record = kinds.runner(copy.kind).run_case(getattr(solution, copy.entry), case.payload())
        outcome = case.judge(record)
        assert outcome.passed, (case.name, outcome.message)


def test_every_kind_is_one_record_with_its_case_class_and_its_runner():
    from grader.grading.kinds import KINDS, UnknownKind, kind

    for name, record in KINDS.items():
        assert record.case_class.__module__ == f"grader.grading.{record.module}"
        assert callable(record.case_class.judge) and callable(record.case_class.payload)
        # what the student package's snapshots need: every kind is tested locally
        assert callable(record.case_class.snapshot_needs)
        # the harness finds the runner by the kind's name, with no list of its own
        assert record.runner is kinds.runner(name)
        assert record.runner.__name__ == f"grader.grading.harness.{name}_runner"
        assert callable(record.runner.run_case)
        assert kind(name) is record
    with pytest.raises(UnknownKind, match="unknown assignment kind 'nope'"):
        kind("nope")


def test_every_runner_module_of_the_harness_belongs_to_a_registered_kind():
    from grader.grading.kinds import KINDS

    harness = Path(kinds.__file__).parent
    runners = {path.name.removesuffix("_runner.py") for path in harness.glob("*_runner.py")}
    assert runners == set(KINDS)


@pytest.mark.parametrize("name", ["nope", "tests.x", "../tests", "_private", "", "test s", 3])
def test_the_harness_refuses_a_kind_without_a_runner_module_by_name(name):
    with pytest.raises(kinds.UnknownRunner) as refused:
        kinds.runner(name)
    said = str(refused.value)
    assert repr(name) in said
    assert ("does not exist" in said) == (name == "nope")
