"""Every assignment's Gradescope zip, run the way Gradescope runs it, in a clean container.

Gradescope unpacks the zip into /autograder/source, runs setup.sh once to build its image,
then for each submission puts the files in /autograder/submission, runs
/autograder/run_autograder and reads /autograder/results/results.json. The container is
minimal Debian with no Python (Gradescope's Ubuntu images are as bare): setup.sh installs it.
No bubblewrap there either, so the sandbox falls back by itself, as on Gradescope.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path

import pytest

from grader.gradescope import autograder_zip
from grader.grading.assignments import get_assignment, load_assignments

from .images import build, docker

# setup.sh and requirements.txt come first, so the image layer setup.sh makes is shared by
# every assignment (they are the same in each zip) and cached across runs.
GRADESCOPE_IMAGE = """\
FROM {base}
COPY setup.sh requirements.txt /autograder/source/
RUN cd /autograder/source && bash ./setup.sh
COPY . /autograder/source/
RUN install -m 0755 /autograder/source/run_autograder /autograder/run_autograder
"""
MUTANT = "wrong_value"  # a quick mutant of the lecture's assignments; others: their first


@pytest.fixture(scope="module")
def autograder_image(stand_ins):
    """Build one Gradescope-like image per assignment from its zip; return a builder."""

    def image(slug: str) -> str:
        archive = zipfile.ZipFile(io.BytesIO(autograder_zip(get_assignment(slug))))
        files = {info.filename: archive.read(info) for info in archive.infolist()
                 if not info.is_dir()}
        return build(f"autograder-stand-in/gradescope-{slug}:test",
                     GRADESCOPE_IMAGE.format(base=stand_ins["debian"]), files)

    return image


def run_autograder(image: str, submit_file: str, source: bytes) -> dict:
    """Grade one submission as Gradescope does; return results.json."""
    with tempfile.TemporaryDirectory() as work:
        submission, results = Path(work, "submission"), Path(work, "results")
        submission.mkdir()
        results.mkdir()
        (submission / submit_file).write_bytes(source)
        docker("run", "--rm", "--network", "none",
               "-v", f"{submission}:/autograder/submission:ro",
               "-v", f"{results}:/autograder/results",
               image, "/autograder/run_autograder", timeout=600)
        return json.loads((results / "results.json").read_text())


@pytest.mark.parametrize("slug", list(load_assignments()))  # every assignment folder
def test_zip_grades_reference_in_full_and_a_mutant_below(autograder_image, slug):
    assignment = get_assignment(slug)
    image = autograder_image(slug)
    solution = assignment.solution.read_bytes()
    reference = run_autograder(image, assignment.submit_file, solution)
    assert reference["score"] == reference["max_score"] > 0, reference.get("output")
    assert reference["extra_data"]["isolation"] == "fallback"
    mutants = assignment.mutants()
    mutant = next((p for p in mutants if p.stem == MUTANT), mutants[0]).read_bytes()
    graded = run_autograder(image, assignment.submit_file, mutant)
    assert 0 <= graded["score"] < reference["score"], graded.get("output")
