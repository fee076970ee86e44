"""`autograder new-assignment SLUG --kind KIND`: a folder that check-assignment accepts once its
solution and tests are filled in, for every kind."""

from __future__ import annotations

import shutil
import subprocess
import sys
import uuid

import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.cli.scaffold import TEMPLATES, scaffold
from grader.grading.assignments import ASSIGNMENTS_DIR, load_assignments, mutant_category
from grader.grading.kinds import KINDS
from reference.solutions import SOLUTIONS_DIR
from tests.support.live import REPOSITORY


@pytest.fixture
def slug():
    """A fresh slug; its folders (in the repository's assignments and solutions) go afterwards."""
    name = f"scaffolded_{uuid.uuid4().hex[:8]}"
    yield name
    shutil.rmtree(ASSIGNMENTS_DIR / name, ignore_errors=True)
    shutil.rmtree(SOLUTIONS_DIR / name, ignore_errors=True)


def check_assignment(slug: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader.cli", "check-assignment", slug],
                          cwd=REPOSITORY, capture_output=True, text=True, timeout=600)


def test_every_kind_has_a_template():
    assert set(TEMPLATES) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_the_folder_is_an_assignment_of_its_kind(tmp_path, slug, kind):
    written = scaffold(slug, kind, assignments_dir=tmp_path)
    folder = tmp_path / slug
    assert {p.relative_to(folder).parts[0] for p in written if folder in p.parents} == {
        "assignment.toml", "README.md", "starter", "public_tests", "mutants",
        "tests.py" if kind == "tests" else "cases.py"}
    assignment = load_assignments(tmp_path)[slug]
    template = TEMPLATES[kind]
    assert (assignment.kind, assignment.entry, assignment.submit_file) == (
        kind, template.entry, template.submit_file)
    assert assignment.solution == SOLUTIONS_DIR / slug / template.submit_file
    assert assignment.solution.is_file() and assignment.starter_path().is_file()
    assert assignment.cases() and assignment.points > 0


def test_new_assignment_passes_check_assignment_once_filled_in(slug):
    """The `tests` kind end to end: scaffolded by the command, checked by the command."""
    done = CliRunner().invoke(cli, ["new-assignment", slug, "--kind", "tests"])
    assert done.exit_code == 0, done.output
    assert f"autograder check-assignment {slug}" in done.output
    folder, solution = ASSIGNMENTS_DIR / slug, SOLUTIONS_DIR / slug / "solution.py"
    # The instructor writes the solution the example test wants, and a mutant it must catch.
    solution.write_text("def solve(x):\n    return x + x\n")
    (folder / "mutants" / "identity.py").write_text("# expect: test-failed\n"
                                                    "def solve(x):\n    return x\n")
    checked = check_assignment(slug)
    assert checked.returncode == 0, checked.stdout[-3000:]
    assert "the reference scores 100% and every mutant is caught" in checked.stdout
    # A mutant the tests do not catch is named.
    (folder / "mutants" / "same.py").write_text("# expect: test-failed\n"
                                                "def solve(x):\n    return 2 * x\n")
    assert mutant_category(folder / "mutants" / "same.py") == "test-failed"
    checked = check_assignment(slug)
    assert checked.returncode == 1 and "mutant same loses no points" in checked.stdout
    # A solution left as a stub fails the check: the reference must score 100 %.
    solution.write_text("def solve(x):\n    raise NotImplementedError\n")
    checked = check_assignment(slug)
    assert checked.returncode == 1 and "the reference scores 0" in checked.stdout
    # A hidden test in tests.py, the file that ships to students, is refused before grading.
    with (folder / "tests.py").open("a", encoding="utf-8") as tests:
        tests.write('\n\n@test(visibility="hidden")\ndef kept_back(student):\n    pass\n')
    checked = check_assignment(slug)
    said = " ".join(checked.stdout.split())
    assert checked.returncode == 1, checked.stdout[-3000:]
    assert f"problem: {slug}/tests.py: test 'kept_back' is hidden" in said
    assert "move it to hidden_tests.py" in said


def test_numerical_kind_passes_check_assignment_with_its_example(slug):
    assert CliRunner().invoke(cli, ["new-assignment", slug, "--kind", "numerical"]).exit_code == 0
    checked = check_assignment(slug)
    assert checked.returncode == 0, checked.stdout[-3000:]


@pytest.mark.parametrize("arguments, message", [
    (["new-assignment", "autodiff", "--kind", "autodiff"], "exists already"),
    (["new-assignment", "Bad-Slug", "--kind", "tests"], "must be lowercase"),
    (["new-assignment", "fine_slug", "--kind", "quiz"], "Invalid value for '--kind'"),
])
def test_refusals_are_clear(arguments, message):
    done = CliRunner().invoke(cli, arguments)
    assert done.exit_code == 2 and message in done.output
    assert not (ASSIGNMENTS_DIR / "fine_slug").exists()
