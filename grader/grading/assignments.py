"""Assignments are folders: a manifest, a README, a starter file, public tests, cases, mutants.

An assignment is registered by its folder alone: its manifest (``assignment.toml``) names
its kind, its place in the course (``order``) and its reference solution (a file under
reference/solutions/, on which the grader calibrates the assignment's time and memory
limits; the judges' answers come from the reference engine, reference/engine.py).
Adding an assignment of an existing kind (grader/grading/kinds.py) is adding a folder
under ``assignments/`` and its reference solution; no code changes. A new kind needs a
harness runner, a case class and its entry there. The format is in assignments/README.md.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.machinery
import importlib.util
import io
import re
import sys
import tomllib
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from reference import solutions

REPOSITORY = Path(__file__).resolve().parents[2]
ASSIGNMENTS_DIR = REPOSITORY / "assignments"
KIT_DIR = REPOSITORY / "reference" / "kit"


class UnknownAssignment(KeyError):
    """No assignment folder has this slug."""

    def __str__(self) -> str:
        return f"unknown assignment {self.args[0]!r}"


@dataclass(frozen=True)
class Assignment:
    slug: str
    title: str
    kind: str                      # which harness runner and checks apply
    order: int                     # its place in the course: catalogues list by it
    submit_file: str               # the one file students submit
    entry: str                     # the function it must define
    folder: Path
    solution: Path                 # the reference solution, never exposed
    due: datetime | None = None
    hard_close: datetime | None = None
    late_penalty_per_day: float = 0.0
    late_penalty_cap: float = 1.0
    max_submissions_per_day: int | None = None
    score_policy: str = "best"     # which submission counts: "best" or "last"
    limits: dict = field(default_factory=dict)

    @property
    def points(self) -> float:
        return float(sum(case.points for case in self.cases()))

    def cases(self) -> list:
        """The test cases, defined in the folder's cases.py, or tests.py and hidden_tests.py
        (trusted code, never mounted). Raises MisplacedTest for a test in the wrong file."""
        return _load_cases(self.folder)

    def readme_markdown(self) -> str:
        return (self.folder / "README.md").read_text(encoding="utf-8")

    def starter_path(self) -> Path:
        return self.folder / "starter" / self.submit_file

    def mutants(self) -> list[Path]:
        return sorted((self.folder / "mutants").glob("*.py"))

    def starter_zip(self, extras: dict[str, Path] | None = None) -> bytes:
        """The student download: the kit, the starter file, the public tests, the README and
        the extra files the service adds (the student package's wheel)."""
        buffer = io.BytesIO()
        root = f"{self.slug}-starter"
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(self.folder / "README.md", f"{root}/README.md")
            archive.write(self.starter_path(), f"{root}/{self.submit_file}")
            for path in sorted((self.folder / "public_tests").glob("*.py")):
                archive.write(path, f"{root}/{path.name}")
            for path in sorted((KIT_DIR / "autodiff").glob("*.py")):
                archive.write(path, f"{root}/autodiff/{path.name}")
            for name, path in (extras or {}).items():
                archive.write(path, f"{root}/{name}")
        return buffer.getvalue()


def mutant_category(path: Path) -> str | None:
    """The diagnosis a mutant must get: its first line reads ``# expect: <category>``."""
    first = path.read_text(encoding="utf-8").splitlines()[:1]
    if first and first[0].startswith("# expect:"):
        return first[0].split(":", 1)[1].strip()
    return None


def _parse_time(value) -> datetime | None:
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def load_assignment(folder: Path) -> Assignment:
    manifest = tomllib.loads((folder / "assignment.toml").read_text(encoding="utf-8"))
    policy = manifest.get("policy", {})
    return Assignment(
        slug=folder.name,
        title=manifest["title"],
        kind=manifest["kind"],
        order=int(manifest["order"]),
        submit_file=manifest["submit_file"],
        entry=manifest["entry"],
        folder=folder,
        solution=solutions.resolve(manifest["solution"]),
        due=_parse_time(policy.get("due")),
        hard_close=_parse_time(policy.get("hard_close")),
        late_penalty_per_day=float(policy.get("late_penalty_per_day", 0.0)),
        late_penalty_cap=float(policy.get("late_penalty_cap", 1.0)),
        max_submissions_per_day=policy.get("max_submissions_per_day"),
        score_policy=policy.get("score_policy", "best"),
        limits=dict(manifest.get("limits", {})),
    )


@cache
def load_assignments(root: Path = ASSIGNMENTS_DIR) -> dict[str, Assignment]:
    """Every assignment folder under ``root``, keyed by slug, in their manifests' order."""
    folders = [p for p in sorted(root.iterdir()) if (p / "assignment.toml").is_file()]
    found = [load_assignment(folder) for folder in folders]
    found.sort(key=lambda a: (a.order, a.slug))
    return {assignment.slug: assignment for assignment in found}


def get_assignment(slug: str) -> Assignment:
    try:
        return load_assignments()[slug]
    except KeyError:
        raise UnknownAssignment(slug) from None


# The files of a `tests` kind's tests (grader/grading/instructor_tests.py), by the
# visibilities each may hold: tests.py ships to students (grader/student_wheel.py), so it
# holds the visible tests and the helpers they use; hidden_tests.py never leaves the server.
VISIBLE_TESTS, HIDDEN_TESTS = "tests.py", "hidden_tests.py"
TESTS_FILES = {VISIBLE_TESTS: ("visible",), HIDDEN_TESTS: ("hidden", "after_due_date")}


class MisplacedTest(ValueError):
    """A test of a `tests` kind's folder is in the wrong file for its visibility, or a test
    that ships to students needs what they do not have."""


def cases_files(folder: Path) -> list[Path]:
    """The folder's trusted test code: cases.py (CASES), or for the `tests` kind tests.py and,
    if it has one, hidden_tests.py."""
    cases = folder / "cases.py"
    if cases.is_file() or not (folder / VISIBLE_TESTS).is_file():
        return [cases]
    return [folder / name for name in TESTS_FILES if (folder / name).is_file()]


@cache
def _load_cases(folder: Path) -> list:
    files = cases_files(folder)
    if files[0].name == "cases.py":
        return list(_import(files[0]).CASES)
    # tests.py and hidden_tests.py: their @test functions, in their order.
    found = []
    for path in files:
        module = _import(path)
        tests = [value for value in vars(module).values()
                 if getattr(value, "is_instructor_test", False) is True
                 and value.function.__module__ == module.__name__]  # not those it imports
        for test in tests:
            _check_placement(folder, path.name, test)
        found += tests
    return found


def _check_placement(folder: Path, file: str, test) -> None:
    where = f"{folder.name}/{file}"
    if test.visibility not in TESTS_FILES[file]:
        right = next(name for name, held in TESTS_FILES.items() if test.visibility in held)
        raise MisplacedTest(
            f"{where}: test {test.function.__name__!r} is {test.visibility}, but {file} holds "
            f"only {' and '.join(TESTS_FILES[file])} tests (tests.py ships to students): move "
            f"it to {right}")
    if file == VISIBLE_TESTS and "reference" in test.fixtures:
        raise MisplacedTest(
            f"{where}: visible test {test.function.__name__!r} takes `reference`, the reference "
            "solution, which students' machines do not have (visible tests run there too): "
            "compute what it expects without it, or make it a hidden test in "
            f"{HIDDEN_TESTS}")


def _import(path: Path):
    """The module of a file of the folder, as a submodule of a package of the folder's own (so
    that hidden_tests.py may import tests.py's helpers: ``from .tests import ...``)."""
    folder = path.parent.resolve()
    digest = hashlib.sha1(str(folder).encode(), usedforsecurity=False).hexdigest()[:12]
    package = "assignment_" + re.sub(r"\W", "_", folder.name) + f"_{digest}"
    if package not in sys.modules:
        spec = importlib.machinery.ModuleSpec(package, None, is_package=True)
        spec.submodule_search_locations = [str(folder)]
        sys.modules[package] = importlib.util.module_from_spec(spec)
    return importlib.import_module(f"{package}.{path.stem}")
