"""Fixtures of the deployment tests: one Docker engine and one set of stand-in images per session.

The tests fail, never skip, when Docker, Compose v2 or mmdebstrap is missing:
scripts/setup-system.sh (run by `make test`) installs them.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from .daemon import docker_engine
from .images import stand_in_images


def compose_v2_problem() -> str | None:
    """Why `docker compose` is not Compose v2 here, or None."""
    if shutil.which("docker") is None:
        return "the docker client is not installed"
    done = subprocess.run(["docker", "compose", "version", "--short"], capture_output=True,
                          text=True)
    if done.returncode != 0 or not done.stdout.strip().lstrip("v").startswith("2."):
        return f"`docker compose` is not Compose v2: {(done.stdout + done.stderr).strip()!r}"
    return None


@pytest.fixture(scope="session")
def docker_ready(tmp_path_factory) -> Iterator[None]:
    """A Docker engine for the session (started and cleaned up here if none runs)."""
    problem = compose_v2_problem()
    if problem:
        pytest.fail(f"{problem} (scripts/setup-system.sh installs it)")
    try:
        with docker_engine(Path(tmp_path_factory.mktemp("dockerd"))):
            yield
    except RuntimeError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="session")
def stand_ins(docker_ready) -> dict[str, str]:
    """The base images the project names, built from Debian packages (cached across runs)."""
    try:
        return stand_in_images()
    except (RuntimeError, subprocess.CalledProcessError) as error:
        pytest.fail(f"could not build the stand-in images: {error}")
