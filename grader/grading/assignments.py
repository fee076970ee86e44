"""Assignments are folders: a manifest, a README, a starter file, public tests, cases, mutants.

An assignment is registered by its folder alone: its manifest (``assignment.toml``) names
its kind, its place in the course (``order``) and its reference solution (a file under
reference/solutions/, on which the grader calibrates the assignment's time and memory
limits; the judges' answers come from the reference engine, reference/engine.py).
Adding an assignment of an existing kind (autodiff, backprop, numerical: the harness
runners in grader/grading/harness/kinds.py) is adding a folder under ``assignments/`` and
its reference solution; no code changes. A new kind needs a harness
runner and a case class. The format is in assignments/README.md.
"""

from __future__ import annotations

import importlib.util
import io
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
        """The test cases, defined in the folder's cases.py (trusted code, never mounted)."""
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


def cases_file(folder: Path) -> Path:
    """The folder's trusted test code: cases.py (CASES), or tests.py for the `tests` kind."""
    cases = folder / "cases.py"
    return cases if cases.is_file() or not (folder / "tests.py").is_file() else folder / "tests.py"


@cache
def _load_cases(folder: Path) -> list:
    spec = importlib.util.spec_from_file_location(f"assignment_cases_{folder.name}",
                                                  cases_file(folder))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if hasattr(module, "CASES"):
        return list(module.CASES)
    # A tests.py: its @test functions (grader/grading/instructor_tests.py), in their order.
    return [value for value in vars(module).values()
            if getattr(value, "is_instructor_test", False) is True]
