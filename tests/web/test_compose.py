"""docker-compose.yml: valid for docker-compose, with the services and settings documented."""

import re
import shutil
import subprocess

import pytest

from tests.web.live import REPOSITORY


@pytest.fixture(scope="module")
def services() -> dict[str, str]:
    """Validate the file with `docker-compose config`; return each service's resolved block."""
    if shutil.which("docker-compose") is None:
        pytest.fail("docker-compose is not installed (.ci/services.sh installs it)")
    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config"],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin"},  # no .env overrides from this shell
    )
    assert result.returncode == 0, result.stderr
    body = ("\n" + result.stdout).split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    blocks = re.split(r"^  (?=[a-z-]+:\n)", body, flags=re.MULTILINE)
    return {block.split(":", 1)[0]: block for block in blocks if block.strip()}


def test_all_services(services):
    assert set(services) == {"postgres", "redis", "migrate", "web", "worker", "beat"}


@pytest.mark.parametrize("name", ["postgres", "redis", "web", "worker"])
def test_long_running_services_have_healthchecks(services, name):
    assert "healthcheck:" in services[name]


@pytest.mark.parametrize("name", ["postgres", "redis"])
def test_data_lives_in_volumes(services, name):
    assert re.search(r"- (postgres|redis)-data:/", services[name])


def test_web_runs_gunicorn_on_the_shared_services(services):
    web = services["web"]
    assert "127.0.0.1:8000" in web or "host_ip: 127.0.0.1" in web
    assert "DATABASE_URL: postgresql://" in web and "REDIS_URL: redis://redis:6379/0" in web


def test_worker_can_create_sandbox_namespaces(services):
    worker = services["worker"]
    assert "- SYS_ADMIN" in worker
    for option in ("seccomp=unconfined", "apparmor=unconfined"):
        assert option in worker
    assert "user: root" in worker
    assert "workers.make_celery" in worker and "stop_grace_period" in worker


def test_app_services_wait_for_migrations(services):
    for name in ("web", "worker", "beat"):
        assert "service_completed_successfully" in services[name]
