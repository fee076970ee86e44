"""Fixtures of the deployment tests: one Docker engine and one set of stand-in images per session.

The tests fail, never skip, when Docker, Compose v2 or mmdebstrap is missing:
scripts/setup-system.sh (run by `make test`) installs them.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from .compose import compose_v2_problem
from .daemon import docker_engine
from .images import stand_in_images


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
