"""docker-compose.yml as Compose v2 reads it: the services and the settings docs/service.md names.

No engine needed: `docker compose config` only parses. The stack itself runs in
test_compose_stack.py.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from grader.grading.budget import Budget
from tests.support.live import REPOSITORY

from .compose import compose_v2_problem

LONG_RUNNING = {"postgres", "redis", "web", "worker", "beat"}


@pytest.fixture(scope="module")
def services() -> dict[str, dict]:
    """The file resolved by `docker compose config`, without overrides from this shell."""
    problem = compose_v2_problem()
    if problem:
        pytest.fail(f"{problem} (make test installs it: scripts/setup-system.sh)")
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root")}
    done = subprocess.run(["docker", "compose", "-f", "docker-compose.yml", "config",
                           "--format", "json"], cwd=REPOSITORY, capture_output=True, text=True,
                          timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["services"]


def test_all_services(services):
    assert set(services) == LONG_RUNNING | {"migrate"}


@pytest.mark.parametrize("name", sorted(LONG_RUNNING))
def test_long_running_services_have_healthchecks(services, name):
    assert services[name]["healthcheck"]["test"]


def test_worker_health_asks_the_worker_itself(services):
    assert services["worker"]["healthcheck"]["test"][-2:] == ["workers.health", "worker"]
    assert services["beat"]["healthcheck"]["test"][-3:-1] == ["workers.health", "beat"]


@pytest.mark.parametrize("name", ["postgres", "redis"])
def test_data_lives_in_volumes(services, name):
    assert any(v["type"] == "volume" and v["source"] == f"{name}-data"
               for v in services[name]["volumes"])


def test_web_is_published_on_the_loopback_only(services):
    (port,) = services["web"]["ports"]
    assert port["host_ip"] == "127.0.0.1" and port["target"] == 8000
    environment = services["web"]["environment"]
    assert environment["DATABASE_URL"].startswith("postgresql://")
    assert environment["REDIS_URL"] == "redis://redis:6379/0"


def test_worker_gets_the_least_privilege_bubblewrap_needs(services):
    worker = services["worker"]
    assert set(worker["cap_add"]) == {"SYS_ADMIN", "NET_ADMIN"}
    assert set(worker["security_opt"]) == {"seccomp=unconfined", "apparmor=unconfined"}
    assert worker["user"] == "root" and worker.get("privileged") is not True



@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_app_processes_are_not_pid_1(services, name):
    assert services[name]["init"] is True  # SIGTERM reaches them (pid 1 would ignore it)


def test_worker_grace_covers_one_grading_budget(services):
    grace = services["worker"]["stop_grace_period"]  # e.g. "1m15s"
    minutes, _, seconds = grace.rstrip("s").rpartition("m")
    assert int(minutes or 0) * 60 + int(seconds) == Budget().wall_seconds + 15


def test_app_services_wait_for_migrations(services):
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == \
            "service_completed_successfully"
