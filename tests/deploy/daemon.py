"""A Docker engine for the deployment tests, and the host put back as it was afterwards.

When an engine already answers, the tests use it and leave it running. Otherwise they start
Debian's dockerd (no init system here) and, when done, stop it and undo what it changed on the
host: its iptables chains and the FORWARD policy (the filter and nat tables are restored from
a snapshot), ip_forward, and the docker0 and compose bridges.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

IP_FORWARD = Path("/proc/sys/net/ipv4/ip_forward")
TABLES = ("filter", "nat")


def engine_answers() -> bool:
    """Whether a Docker engine answers the client."""
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@dataclass(frozen=True)
class HostNetwork:
    """What dockerd changes on the host, as it was before."""

    tables: dict[str, str]
    ip_forward: str
    links: frozenset[str]

    @classmethod
    def snapshot(cls) -> HostNetwork:
        tables = {table: subprocess.run(["iptables-save", "-t", table], check=True,
                                        capture_output=True, text=True).stdout
                  for table in TABLES}
        return cls(tables, IP_FORWARD.read_text().strip(), frozenset(_links()))

    def rules(self) -> dict[str, list[str]]:
        """The tables without what changes by itself: comments (a timestamp) and counters."""
        return {table: [re.sub(r" \[\d+:\d+\]$", "", line) for line in text.splitlines()
                        if not line.startswith("#")]
                for table, text in self.tables.items()}

    def restore(self) -> None:
        """Put the tables, forwarding and links back; remove bridges and veths dockerd left."""
        for text in self.tables.values():
            subprocess.run(["iptables-restore"], input=text, text=True, check=True)
        IP_FORWARD.write_text(self.ip_forward + "\n")
        for link in _links() - self.links:
            if link == "docker0" or link.startswith(("br-", "veth")):
                subprocess.run(["ip", "link", "delete", link], capture_output=True)
        now = HostNetwork.snapshot()
        if (now.rules(), now.ip_forward, now.links) != (self.rules(), self.ip_forward, self.links):
            raise RuntimeError(f"the host's network is not as before dockerd: {now} != {self}")


def _links() -> set[str]:
    return {path.name for path in Path("/sys/class/net").iterdir()}


@contextlib.contextmanager
def docker_engine(log_dir: Path | None = None) -> Iterator[None]:
    """Yield with an engine answering: the running one, else a dockerd started and stopped here."""
    if engine_answers():
        yield
        return
    missing = [tool for tool in ("dockerd", "docker", "iptables-save") if not shutil.which(tool)]
    if missing:
        raise RuntimeError(f"{', '.join(missing)} not found: install docker.io "
                           "(scripts/setup-system.sh does, as root)")
    if os.geteuid() != 0:
        raise RuntimeError("no Docker engine answers and only root can start dockerd here")
    before = HostNetwork.snapshot()
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="dockerd-"))
    with open(log_dir / "dockerd.log", "wb") as log:
        daemon = subprocess.Popen(["dockerd"], stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not engine_answers():
            if daemon.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("dockerd did not start: "
                                   + (log_dir / "dockerd.log").read_text()[-3000:])
            time.sleep(0.5)
        yield
    finally:
        daemon.send_signal(signal.SIGTERM)  # it stops its containers and its containerd
        try:
            daemon.wait(timeout=90)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
        before.restore()
