"""The Gradescope autograder zip of one assignment: Gradescope runs our grader on its machines.

The zip holds setup.sh (Python 3.11+ and the grading's dependencies), run_autograder (grades
/autograder/submission/<file> with the grading core's own command,
`python -m grader.grading SLUG FILE`), and exactly the code that command runs, found by
following its imports (grader/import_graph.py): the grading core's modules it reaches, the
harness folder whole (the sandbox runs it by path and it imports `harness.*` by that name),
the kit (reference/kit), the parts of reference/ it imports and the solution files the
reference engine runs, this assignment's own solution and its folder without its mutants. No
web code (Flask, SQLAlchemy, the
models, templates) and no other assignment's folder is included, and requirements.txt lists
only the distributions those imports need.
Gradescope's containers have no bubblewrap: the sandbox falls back to rlimits, a uid drop and
seccomp by itself.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from grader.grading.assignments import REPOSITORY, Assignment, cases_files
from grader.import_graph import Reach, reached

# The distribution to install for each external module a grading may import; building a zip
# whose code imports a module not named here fails, so a new dependency cannot go missing.
REQUIREMENTS = {"numpy": "numpy>=2.0", "pyseccomp": "pyseccomp>=0.1.2"}
SKIPPED_PARTS = {"__pycache__", "mutants"}
CORE = REPOSITORY / "grader" / "grading"
GRADING_ENTRY = CORE / "__main__.py"  # what run_autograder runs: `python -m grader.grading`
HARNESS_DIR = CORE / "harness"  # grader/grading/pipeline.py runs harness/warden.py in the sandbox
KIT = REPOSITORY / "reference" / "kit"


class UnknownRequirement(RuntimeError):
    """The grading imports a module REQUIREMENTS does not name."""

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
/autograder/venv/bin/python -m grader.grading {slug} "$SUBMISSION" \\
    > /autograder/results/results.json
"""


def grading_reach(assignment: Assignment) -> Reach:
    """What grading a submission to the assignment runs, by following the imports.

    The entries: the core's command, the assignment's cases (loaded by file path) and the
    harness (run by path in the sandbox). Imports inside functions are followed in the core,
    reference/ and the assignment: a grading calls those (trusted.py's door to the solutions).
    """
    entries = [GRADING_ENTRY, *cases_files(assignment.folder), *sorted(HARNESS_DIR.glob("*.py"))]
    return reached(entries, lazy_imports_in=[CORE, REPOSITORY / "reference", assignment.folder])


def requirements(assignment: Assignment) -> list[str]:
    """The distributions the grading's imports need, as requirements.txt lines."""
    external = grading_reach(assignment).external
    unknown = external - REQUIREMENTS.keys()
    if unknown:
        raise UnknownRequirement(f"the grading imports {sorted(unknown)}: name their "
                                 "distributions in grader/gradescope.py's REQUIREMENTS")
    return sorted(REQUIREMENTS[name] for name in external)


def source_files(assignment: Assignment) -> list[tuple[Path, str]]:
    """List (file on disk, name in the zip) of everything the grading needs, and nothing else."""

    def tree(root: Path) -> set[Path]:
        return {p for p in root.rglob("*") if p.is_file() and p.suffix != ".pyc"
                and not SKIPPED_PARTS & set(p.relative_to(root).parts)}

    # The reach holds the reference engine's solution files; the pipeline reads the
    # assignment's own solution by path to calibrate the time limits.
    reach = grading_reach(assignment)
    files = (reach.files | {assignment.solution.resolve()}
             | tree(HARNESS_DIR) | tree(KIT) | tree(assignment.folder))
    return [(path, path.relative_to(REPOSITORY).as_posix()) for path in sorted(files)]


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
        archive.writestr("requirements.txt", "\n".join(requirements(assignment)) + "\n")
        for path, name in source_files(assignment):
            archive.write(path, name)
    return buffer.getvalue()
