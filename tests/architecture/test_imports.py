"""The one-way architecture at run time: what each side actually loads when it starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from grader.grading.assignments import REPOSITORY


def loaded_after(statements: str, **env: str) -> set[str]:
    """Run statements in a fresh interpreter; return every module it ended up loading."""
    script = f"{statements}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    output = subprocess.run([sys.executable, "-c", script], cwd=REPOSITORY, check=True,
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, **env}).stdout
    return set(json.loads(output.splitlines()[-1]))


def test_grading_loads_no_web_framework_database_or_queue():
    loaded = loaded_after(
        "from grader.grading.pipeline import grade_submission\n"
        "from grader.grading.assignments import get_assignment\n"
        "grade_submission('numerical', get_assignment('numerical').solution.read_text(),"
        " public_only=True)")
    assert "grader.grading.sandbox" in loaded  # it did grade
    assert not {"flask", "sqlalchemy", "celery", "redis", "werkzeug"} & loaded
    assert not [name for name in loaded if name.startswith(("workers", "grader.models"))]


def test_the_web_loads_neither_the_workers_nor_the_pipeline_nor_the_sandbox(tmp_path):
    loaded = loaded_after(
        "from grader import create_app\n"
        "app = create_app({'TESTING': True})\n"
        "import grader.student.views, grader.instructor.views, grader.api.views, grader.feedback",
        GRADER_INSTANCE_PATH=str(tmp_path))
    assert "flask" in loaded and "grader.grading.results" in loaded
    assert not [name for name in loaded if name.startswith("workers")]
    assert not {"grader.grading.pipeline", "grader.grading.sandbox", "grader.grading.harness"} \
        & loaded
