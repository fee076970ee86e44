"""The API against its own OpenAPI document: schemathesis runs every check on a live server."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.apps import ON_BOTH_DATABASES
from tests.support.documents import result_document
from tests.support.live import ServerThread

ROOT = Path(__file__).resolve().parents[2]  # where tests.support.api_fuzzing imports from


@pytest.fixture
def api_site(app, make_submission):
    """The app over real HTTP, with a graded and a queued submission for the calls to find."""
    app.config["SERVER_NAME"] = None
    app.config["SUBMIT_RATE_LIMIT"] = "10000 per minute"  # the limit is tested elsewhere
    make_submission("alice", result=result_document(
        [{"name": "t", "status": "passed", "score": 4.0, "max_score": 10.0}]))
    make_submission("alice", status="queued")
    server = ServerThread(app)
    yield server.url
    server.stop()


@ON_BOTH_DATABASES
@pytest.mark.parametrize("account", ["prof", "alice"])
def test_schemathesis_finds_nothing(app, api_site, account, tmp_path):
    """Every check (status codes, schemas, headers, Allow on 405, positive and negative data,
    authentication) passes for an instructor's and a student's token."""
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{api_site}/api/v1/openapi.json",
        "--checks", "all",
        "--header", f"Authorization: Bearer {app.tokens[account]}",
        "--max-examples", "30",
        "--seed", "19",
        "--generation-database", "none",
        "--workers", "1",
        "--no-color",
    ]
    # Run from a scratch folder: schemathesis keeps a cache in its working directory.
    python_path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    run = subprocess.run(command, capture_output=True, text=True, timeout=170, cwd=tmp_path,
                         env={**os.environ, "SCHEMATHESIS_HOOKS": "tests.support.api_fuzzing",
                              "PYTHONPATH": python_path})
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-3000:]
