"""A fresh Debian machine with only Python and make: README's set-up step and `make run` there.

This machine has everything installed already, so the proof runs in a clean container
(minimal Debian plus python3 and make). The image layer in which scripts/setup-system.sh
installs the packages is cached by Docker while the script is unchanged; the services are
stopped at the end of that layer, so every run also shows that the script starts them.
"""

from __future__ import annotations

import subprocess
import time
import uuid

import pytest

from .images import build_repository, docker

FRESH_MACHINE = """\
FROM {base}
RUN apt-get update && apt-get install -y --no-install-recommends python3 make \\
 && rm -rf /var/lib/apt/lists/*
COPY scripts/setup-system.sh /setup/setup-system.sh
RUN bash /setup/setup-system.sh \\
 && pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main stop \\
 && redis-cli -h 127.0.0.1 shutdown nosave
# make run's dependencies, at the pinned versions, in a layer of their own (cached)
WORKDIR /repo
COPY pyproject.toml constraints.txt /repo/
RUN python3 -m venv .venv \\
 && python3 -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \\
print('\\\\n'.join(p['dependencies'] + p['optional-dependencies']['test']))" > /tmp/req.txt \\
 && .venv/bin/pip install --quiet -c constraints.txt -r /tmp/req.txt
COPY . /repo/
"""

# What the suite needs, checked the way the tests and make test use it.
CHECKS = """\
set -e
bash /setup/setup-system.sh
bwrap --version
chromium --version
dockerd --version
docker compose version
mmdebstrap --version
iptables-save --version
pg_isready -h 127.0.0.1 -p 5432
psql -h 127.0.0.1 -U postgres -d test -tAc 'SELECT 1'
redis-cli -h 127.0.0.1 -p 6379 ping
python3 -c 'import ensurepip, venv'
"""


@pytest.fixture(scope="module")
def fresh_machine(stand_ins) -> str:
    return build_repository("autograder-stand-in/fresh-machine:test",
                            FRESH_MACHINE.format(base=stand_ins["debian"]))


def test_setup_installs_and_starts_what_the_suite_needs(fresh_machine):
    done = subprocess.run(["docker", "run", "--rm", fresh_machine, "bash", "-c", CHECKS],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Docker Compose version 2." in done.stdout or "version v2." in done.stdout
    assert done.stdout.strip().endswith("PONG")


def test_make_run_serves_there(fresh_machine):
    name = f"fresh-machine-{uuid.uuid4().hex[:8]}"
    docker("run", "--detach", "--name", name, fresh_machine, "make", "run")
    try:
        answered = None
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and answered is None:
            probe = subprocess.run(
                ["docker", "exec", name, "python3", "-c",
                 "import urllib.request; print(urllib.request.urlopen("
                 "'http://127.0.0.1:5000/auth/login', timeout=5).status)"],
                capture_output=True, text=True)
            if probe.returncode == 0:
                answered = probe.stdout.strip()
            else:
                time.sleep(2)
        logs = subprocess.run(["docker", "logs", name], capture_output=True, text=True)
        assert answered == "200", logs.stdout[-3000:] + logs.stderr[-3000:]
        assert "password" in logs.stdout + logs.stderr  # the demo accounts, for the newcomer
    finally:
        subprocess.run(["docker", "rm", "--force", name], capture_output=True)
