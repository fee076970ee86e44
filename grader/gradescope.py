"""The Gradescope autograder zip of one assignment: Gradescope runs our grader on its machines.

The zip holds setup.sh (Python 3.11+ and the grading dependencies), run_autograder (grades
/autograder/submission/<file> with `python -m grader.cli grade SLUG FILE --json`), and the
code grading needs: the grader package (Python files only; its grading core holds the
sandbox and the harness), reference/ (kit, gradcheck, graphs, and only the
reference solutions a grading of this assignment loads, found by following its imports:
grader/import_graph.py) and this assignment's folder without its mutants. Of the other
assignments only the manifests of those whose reference solution the grading loads are
included (reference.solutions finds a solution through its assignment's manifest).
Gradescope's containers have no bubblewrap: the sandbox falls back to rlimits, a uid drop and
seccomp by itself.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from grader.grading.assignments import REPOSITORY, Assignment
from grader.import_graph import reached

# What the grading imports on Gradescope (the web service's own packages are not needed).
REQUIREMENTS = ["numpy>=2.0", "rich>=13", "click>=8.1", "flask>=3.0", "flask-login>=0.6.3",
                "sqlalchemy>=2.0", "requests>=2.31", "pyseccomp>=0.1.2"]
SKIPPED_PARTS = {"__pycache__", "templates", "static", "mutants"}
GRADING_ENTRY = REPOSITORY / "grader" / "cli" / "__main__.py"

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image (choose Ubuntu 22.04 or 24.04).
set -euo pipefail
apt-get update -q
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    apt-get install -y -q python3.11 python3.11-venv
    PYTHON=python3.11
else
    apt-get install -y -q python3-venv
    PYTHON=python3
fi
apt-get install -y -q libseccomp2   # the sandbox's fallback filter (no bubblewrap needed)
"$PYTHON" -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet --upgrade pip
/autograder/venv/bin/pip install --quiet -r /autograder/source/requirements.txt
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission; it must leave /autograder/results/results.json.
set -uo pipefail
cd /autograder/source
mkdir -p /autograder/results
SUBMISSION=/autograder/submission/{submit_file}
if [ ! -f "$SUBMISSION" ]; then
    SUBMISSION=$(find /autograder/submission -name '{submit_file}' -type f -print -quit)
fi
if [ -z "$SUBMISSION" ] || [ ! -f "$SUBMISSION" ]; then
    printf '%s\\n' '{{"score": 0, "output": "Submit a file named {submit_file}.", "tests": []}}' \\
        > /autograder/results/results.json
    exit 0
fi
# The kit students import as `autodiff` lives in reference/kit, as in the repository.
export PYTHONPATH=/autograder/source:/autograder/source/reference/kit
/autograder/venv/bin/python -m grader.cli grade {slug} "$SUBMISSION" --json \\
    > /autograder/results/results.json
"""


def needed_solutions(assignment: Assignment) -> set[str]:
    """Name the reference solutions a grading of the assignment loads (its own among them)."""
    # run_autograder starts `python -m grader.cli`; the grading loads the cases by file path.
    _, slugs = reached([GRADING_ENTRY, assignment.folder / "cases.py"])
    return slugs | {assignment.slug}


def source_files(assignment: Assignment) -> list[tuple[Path, str]]:
    """List (file on disk, name in the zip) of everything the grading needs, and nothing else."""

    def tree(root: Path, suffixes=(".py",)) -> list[Path]:
        return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in suffixes
                      and not SKIPPED_PARTS & set(p.relative_to(root).parts))

    files = tree(REPOSITORY / "grader")
    reference = REPOSITORY / "reference"
    keep = needed_solutions(assignment)
    for path in tree(reference):
        inside = path.relative_to(reference).parts
        if inside[0] == "solutions" and len(inside) > 2 and inside[1] not in keep:
            continue  # another assignment's reference solution this grading does not use
        files.append(path)
    files += [REPOSITORY / "assignments" / slug / "assignment.toml"
              for slug in sorted(keep - {assignment.slug})]
    folder = assignment.folder
    files += [p for p in sorted(folder.rglob("*")) if p.is_file()
              and not SKIPPED_PARTS & set(p.relative_to(folder).parts)
              and p.suffix not in (".pyc",)]
    return [(path, path.relative_to(REPOSITORY).as_posix()) for path in files]


def autograder_zip(assignment: Assignment) -> bytes:
    """Build the zip Gradescope takes as a "zip file upload" autograder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        def script(name: str, text: str) -> None:
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o100755 << 16  # executable
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)

        script("setup.sh", SETUP_SH)
        script("run_autograder", RUN_AUTOGRADER.format(slug=assignment.slug,
                                                       submit_file=assignment.submit_file))
        archive.writestr("requirements.txt", "\n".join(REQUIREMENTS) + "\n")
        for path, name in source_files(assignment):
            archive.write(path, name)
    return buffer.getvalue()
