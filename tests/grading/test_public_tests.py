"""Each assignment's public tests (what students run locally) pass on the reference and fail on the starter."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.grading.assignments import KIT_DIR, load_assignments

ASSIGNMENTS = list(load_assignments().values())


def run_public_tests(tmp_path: Path, assignment, solution: Path) -> subprocess.CompletedProcess:
    for test_file in (assignment.folder / "public_tests").glob("test_*.py"):
        shutil.copy(test_file, tmp_path)
    shutil.copy(solution, tmp_path / assignment.submit_file)
    env = {**os.environ, "PYTHONPATH": str(KIT_DIR)}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.slug)
def test_public_tests_pass_on_the_reference(tmp_path, assignment):
    done = run_public_tests(tmp_path, assignment, assignment.solution)
    assert done.returncode == 0, done.stdout[-2000:]


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.slug)
def test_public_tests_fail_on_the_starter(tmp_path, assignment):
    done = run_public_tests(tmp_path, assignment, assignment.starter_path())
    assert done.returncode == 1, done.stdout[-2000:]
    assert " passed" not in done.stdout.splitlines()[-1]
    assert "NotImplementedError" in done.stdout
