"""Run an assignment's visible tests on this machine, judged by the grader's own code.

The cases come with their reference results (assignments/<slug>.json, made by the
server from the reference solutions) and, for an assignment of instructor-written tests,
the instructor's visible tests (assignments/<slug>/tests.py) with the calls each made on
the reference solution; the harness runs the file in a child process exactly as it runs
inside the grader's sandbox, and the judges, the diagnosis and the result document are the
grader's.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .grading import records, results, snapshots

HARNESS_RUN = Path(__file__).resolve().parent / "harness" / "run.py"
RESULTS_FILE = "results.jsonl"


class UnknownAssignment(KeyError):
    """No assignment of this package has this slug."""

    def __str__(self) -> str:
        known = ", ".join(spec.slug for spec in all_assignments())
        return f"unknown assignment {self.args[0]!r} (known: {known})"


@dataclass
class LocalAssignment:
    slug: str
    title: str
    kind: str
    submit_file: str
    entry: str
    cases: list
    public_tests: list[str]  # the starter's own pytest files: other tests than these cases


def _folder():
    return resources.files(__package__) / "assignments"


def load_assignment(slug: str) -> LocalAssignment:
    path = _folder() / f"{slug}.json"
    if not path.is_file():
        raise UnknownAssignment(slug)
    data = json.loads(path.read_text(encoding="utf-8"))
    functions = _test_functions(slug)
    return LocalAssignment(data["slug"], data["title"], data["kind"], data["submit_file"],
                           data["entry"], [snapshots.restore(c, functions) for c in data["cases"]],
                           data.get("public_tests", []))


def _test_functions(slug: str) -> dict:
    """The instructor's visible test functions by name, from the assignment's tests.py (only
    an assignment of instructor-written tests has one)."""
    path = _folder() / slug / "tests.py"
    if not path.is_file():
        return {}
    spec = importlib.util.spec_from_file_location(f"{__package__}.assignments.{slug}_tests",
                                                  str(path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {value.function.__name__: value.function for value in vars(module).values()
            if getattr(value, "is_instructor_test", False) is True}


def all_assignments() -> list[LocalAssignment]:
    return [load_assignment(path.name.removesuffix(".json"))
            for path in sorted(_folder().iterdir(), key=lambda p: p.name)
            if path.name.endswith(".json")]


def run_tests(spec: LocalAssignment, file: Path, progress=lambda message: None) -> dict:
    """Grade ``file`` on the assignment's visible tests; return the result document."""
    file = Path(file).resolve()
    phases = {}
    started = time.perf_counter()
    payloads = [{"id": i, **case.payload()} for i, case in enumerate(spec.cases)]
    phases["prepare"] = time.perf_counter() - started
    progress(f"running {len(payloads)} tests")
    started = time.perf_counter()
    import_record, found, stdout = _run(spec, file, payloads)
    phases["run"] = time.perf_counter() - started
    started = time.perf_counter()
    tests = [results.test_entry(i + 1, case, records.judge(case, import_record, found.get(i)))
             for i, case in enumerate(spec.cases)]
    phases["check"] = time.perf_counter() - started
    return results.build_document(spec, tests, phases=phases, isolation="none (your machine)",
                                  import_record=import_record, stdout=stdout)


def _run(spec: LocalAssignment, file: Path, payloads: list[dict]):
    """Run the harness on the file; a case that kills the process fails, the rest run again."""
    found: dict[int, dict] = {}
    import_record: dict = {}
    stdout = ""
    pending = payloads
    with tempfile.TemporaryDirectory(prefix="autograder-test-") as folder:
        while pending:
            job = Path(folder) / "job.json"
            output = Path(folder) / RESULTS_FILE
            job.write_text(json.dumps({"kind": spec.kind, "submit_file": file.name,
                                       "entry": spec.entry, "cases": pending}))
            output.write_bytes(b"")
            limit = 60 + sum(float(p.get("time_limit", 10)) for p in pending)
            try:
                done = subprocess.run([sys.executable, str(HARNESS_RUN), str(job), str(output),
                                       str(file.parent)], capture_output=True, timeout=limit)
                ended = f"the process ended (exit code {done.returncode})"
                stdout += done.stdout.decode("utf-8", "replace")
            except subprocess.TimeoutExpired:
                ended = f"the process was stopped after {limit:g} s"
            run_import, run_records = records.parse_records(output.read_bytes(),
                                                          {p["id"] for p in pending})
            if run_import.get("category"):
                return run_import, found, stdout
            if not run_import and not found:
                return {"category": "crash", "message": ended}, found, stdout
            found.update(run_records)
            remaining = [p for p in pending if p["id"] not in found]
            if remaining:
                found[remaining[0]["id"]] = {"error": {"category": "crash", "message": ended}}
            pending = remaining[1:]
    return import_record, found, stdout
