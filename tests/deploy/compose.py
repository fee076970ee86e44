"""Drive README's compose stack from a test: the commands, the services' health, the database."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field

from tests.support.live import REPOSITORY

LONG_RUNNING = ("postgres", "redis", "web", "worker", "beat")


def compose_v2_problem() -> str | None:
    """Why `docker compose` is not Compose v2 here, or None."""
    if shutil.which("docker") is None:
        return "the docker client is not installed"
    done = subprocess.run(["docker", "compose", "version", "--short"], capture_output=True,
                          text=True)
    if done.returncode != 0 or not done.stdout.strip().lstrip("v").startswith("2."):
        return f"`docker compose` is not Compose v2: {(done.stdout + done.stderr).strip()!r}"
    return None


@dataclass
class Stack:
    """One compose project of the repository's docker-compose.yml, under a name of its own."""

    project: str
    url: str = ""  # where the web service is published
    timings: dict[str, float] = field(default_factory=dict)

    def compose(self, *args: str, timeout: float = 900, check: bool = True,
                ) -> subprocess.CompletedProcess:
        """Run `docker compose ARGS` for this project (in the repository, as README says)."""
        env = {**os.environ, "COMPOSE_PROJECT_NAME": self.project, "DOCKER_BUILDKIT": "0"}
        for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "POSTGRES_PASSWORD"):
            env.pop(name, None)  # the compose file's own defaults, as for a newcomer
        done = subprocess.run(["docker", "compose", *args], cwd=REPOSITORY, env=env,
                              capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"docker compose {' '.join(args)} failed:\n"
                                 f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done

    def timed(self, name: str, *args: str, **options) -> subprocess.CompletedProcess:
        """Run a compose command and keep its wall time under `name`."""
        start = time.monotonic()
        done = self.compose(*args, **options)
        self.timings[name] = round(time.monotonic() - start, 1)
        return done

    def health(self) -> dict[str, str]:
        """Each running service's health ('healthy', 'starting', 'unhealthy' or its state)."""
        listing = self.compose("ps", "--all", "--format", "json").stdout
        rows = [json.loads(line) for line in listing.splitlines() if line.strip()]
        rows = [row for entry in rows for row in (entry if isinstance(entry, list) else [entry])]
        return {row["Service"]: row.get("Health") or row["State"] for row in rows}

    def wait_healthy(self, timeout: float) -> float:
        """Seconds until every long-running service is healthy; fail after `timeout`."""
        start = time.monotonic()
        while True:
            health = self.health()
            if all(health.get(name) == "healthy" for name in LONG_RUNNING):
                return time.monotonic() - start
            if time.monotonic() - start > timeout:
                raise AssertionError(f"not all healthy after {timeout:.0f} s: {health}\n"
                                     + self.compose("logs", "--tail", "40").stdout[-6000:])
            time.sleep(1)

    def sql(self, query: str) -> list[list[str]]:
        """Rows of a query run by psql in the postgres service (tab-separated, unaligned)."""
        out = self.compose("exec", "-T", "postgres", "psql", "-U", "grader", "-d", "grader",
                           "-tA", "-F", "\t", "-c", query).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def demo_passwords(self) -> dict[str, str]:
        """The demo accounts' passwords, as `docker compose logs migrate` shows them."""
        logs = self.compose("logs", "--no-color", "--no-log-prefix", "migrate").stdout
        return dict(re.findall(r"(\w+) +password: (\S+)", logs))
