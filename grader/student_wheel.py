"""Build the student package's wheel: the kit, `autograder test` and `autograder submit`.

The wheel is assembled from this repository's own files, so that a student runs the
same harness, judges and diagnosis as the grader:

- ``autodiff/``: the kit (reference/kit/autodiff);
- ``autodiff_student/``: the command (student_package/autodiff_student), the harness
  (grader/grading/harness), the judging code and the server's file check (grader/grading,
  the modules in JUDGING), the tolerances of a gradient check (reference/closeness.py),
  the report and `submit` of the `autograder` command (grader/cli), and one JSON file per
  assignment with its visible cases and their reference results (grader/grading/snapshots),
  beside it, for an assignment of instructor-written tests, its tests.py (visible tests
  only: loading the folder refuses any other there, grader/grading/assignments.py).

No reference solution, hidden case or mutant goes in: hidden and after-due-date cases
are left out (hidden_tests.py too), and only the results of the reference computations are
shipped.
"""

from __future__ import annotations

import ast
import atexit
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from grader.grading.assignments import (
    KIT_DIR,
    REPOSITORY,
    VISIBLE_TESTS,
    cases_files,
    load_assignments,
)

NAME = "autodiff_student"
VERSION = "0.1.0"
WHEEL_NAME = f"{NAME}-{VERSION}-py3-none-any.whl"

# The core modules a local judging runs; each kind's case module is added from the kinds'
# registry (grader/grading/kinds.py), so a new kind needs no change here.
JUDGING = ["outcome", "naming", "diagnosis", "graph_cases", "growth", "results", "records",
           "snapshots", "kinds", "trusted", "submitted_file", "feedback_text", "sentences",
           "instructor_tests"]  # what an assignment's tests.py imports
COMMAND_FILES = ["report", "remote"]  # from grader/cli
REFERENCE_FILES = ["closeness"]  # from reference/: numpy alone, no engine, no solution

PYPROJECT = f"""\
[build-system]
requires = ["setuptools>=70.1"]
build-backend = "setuptools.build_meta"

[project]
name = "autodiff-student"
version = "{VERSION}"
description = "The course kit (autodiff), the assignments' visible tests with the grader's \
diagnosis, and autograder submit"
requires-python = ">=3.11"
dependencies = ["numpy>=2.4", "rich>=15.0", "click>=8.1", "requests>=2.31"]

[project.scripts]
autograder = "{NAME}.cli:main"

[tool.setuptools.packages.find]
include = ["autodiff", "{NAME}*"]

[tool.setuptools.package-data]
{NAME} = ["assignments/*.json", "assignments/*/{VISIBLE_TESTS}"]
"""

_lock = threading.Lock()
_built: dict[str, Path] = {}


def wheel() -> Path:
    """The wheel, built once per process into a private temporary folder."""
    with _lock:
        if "wheel" not in _built:
            folder = Path(tempfile.mkdtemp(prefix="autodiff-student-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            _built["wheel"] = build(folder)
        return _built["wheel"]


def build(destination: Path) -> Path:
    """Stage the package's files and build its wheel into ``destination``."""
    with tempfile.TemporaryDirectory(prefix="autodiff-student-src-") as source:
        stage(Path(source))
        done = subprocess.run(
            [sys.executable, "-c",
             "import sys; from setuptools import build_meta; "
             "print(build_meta.build_wheel(sys.argv[1]))", str(destination)],
            cwd=source, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"building the student package failed:\n{done.stderr[-3000:]}")
    path = destination / done.stdout.strip().splitlines()[-1]
    if path.name != WHEEL_NAME:
        raise RuntimeError(f"the student package was built as {path.name}, not {WHEEL_NAME}")
    return path


def stage(root: Path) -> None:
    """Lay out the package's source tree in ``root``."""
    package = root / NAME
    shutil.copytree(KIT_DIR / "autodiff", root / "autodiff",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPOSITORY / "student_package" / NAME, package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPOSITORY / "grader" / "grading" / "harness", package / "harness",
                    ignore=shutil.ignore_patterns("__pycache__"))
    grading = package / "grading"
    grading.mkdir()
    (grading / "__init__.py").write_text(
        '"""The grader\'s judging code, copied from grader/grading: the same diagnosis."""\n')
    for module in judging_modules():
        text = (REPOSITORY / "grader" / "grading" / f"{module}.py").read_text(encoding="utf-8")
        _write_module(grading / f"{module}.py", text)
    for module in COMMAND_FILES:
        text = (REPOSITORY / "grader" / "cli" / f"{module}.py").read_text(encoding="utf-8")
        _write_module(package / f"{module}.py", text)
    for module in REFERENCE_FILES:
        text = (REPOSITORY / "reference" / f"{module}.py").read_text(encoding="utf-8")
        _write_module(package / f"{module}.py", text)
    assignments = package / "assignments"
    assignments.mkdir()
    for assignment in load_assignments().values():
        (assignments / f"{assignment.slug}.json").write_text(
            json.dumps(assignment_data(assignment), allow_nan=False), encoding="utf-8")
        if assignment.folder / VISIBLE_TESTS in cases_files(assignment.folder):
            (assignments / assignment.slug).mkdir()
            _write_visible_tests(assignment, assignments / assignment.slug / VISIBLE_TESTS)
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")


def judging_modules() -> list[str]:
    """JUDGING and the case module of every kind."""
    from grader.grading.kinds import KINDS

    return JUDGING + sorted({kind.module for kind in KINDS.values()})


def assignment_data(assignment) -> dict:
    """What the package knows of an assignment: its names and its visible cases."""
    from grader.grading import snapshots

    return {"slug": assignment.slug, "title": assignment.title, "kind": assignment.kind,
            "submit_file": assignment.submit_file, "entry": assignment.entry,
            "public_tests": sorted(path.name for path in
                                   (assignment.folder / "public_tests").glob("test_*.py")),
            "cases": [snapshots.snapshot(case, assignment.kind) for case in assignment.cases()
                      if case.visibility == "visible"]}


def _write_visible_tests(assignment, path: Path) -> None:
    """The assignment's tests.py, which the package's `autograder test` runs (local.py): it
    travels alone, so it may import the kit, numpy and the test kit, not a file beside it."""
    text = (assignment.folder / VISIBLE_TESTS).read_text(encoding="utf-8")
    relative = [node for node in ast.walk(ast.parse(text))
                if isinstance(node, ast.ImportFrom) and node.level]
    if relative:
        raise RuntimeError(f"{assignment.slug}/{VISIBLE_TESTS} imports from a file beside it, "
                           "which the student package does not ship")
    _write_module(path, text)


def _write_module(path: Path, text: str) -> None:
    """Copy a module, pointing its imports of the core (and of REFERENCE_FILES) at the
    package's copies of it."""
    text = re.sub(r"^from grader\.grading\.harness(\.[\w.]+)? import",
                  rf"from {NAME}.harness\1 import", text, flags=re.MULTILINE)
    text = re.sub(rf"^from reference\.({'|'.join(REFERENCE_FILES)}) import",
                  rf"from {NAME}.\1 import", text, flags=re.MULTILINE)
    # The command's modules word results with the core's own modules, shipped beside them.
    text = re.sub(r"^from grader\.grading\.(\w+) import", rf"from {NAME}.grading.\1 import",
                  text, flags=re.MULTILINE)
    for node in ast.parse(text).body:  # a top-level import of the server would fail there
        module = getattr(node, "module", None) or ""
        names = [alias.name for alias in getattr(node, "names", [])]
        if isinstance(node, (ast.Import, ast.ImportFrom)) and any(
                name.split(".")[0] in ("grader", "workers", "reference")
                for name in [module, *names] if name):
            raise RuntimeError(f"{path.name} imports {module or names} at the top level")
        shipped = module.removeprefix(f"{NAME}.grading.")
        if module != shipped and shipped not in judging_modules():
            raise RuntimeError(f"{path.name} imports grader.grading.{shipped}, not shipped")
    path.write_text(text, encoding="utf-8")
