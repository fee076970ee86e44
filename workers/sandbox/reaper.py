"""Killing every process of a slot uid, wherever it hides (other sessions, other namespaces)."""

from __future__ import annotations

import os
import signal
import time
import warnings


def processes_of_uid(uid: int) -> list[int]:
    """Host pids whose real, effective or saved uid is `uid`, zombies excluded."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status", "rb") as status:
                text = status.read()
        except OSError:
            continue  # exited while we looked
        fields = _status_fields(text)
        uids = fields.get(b"Uid", b"").split()
        if str(uid).encode() in uids[:3] and not fields.get(b"State", b"").startswith(b"Z"):
            found.append(int(name))
    return found


def _status_fields(text: bytes) -> dict[bytes, bytes]:
    fields = {}
    for line in text.splitlines():
        key, _, value = line.partition(b":")
        fields[key] = value.strip()
    return fields


def _kill_all_as(uid: int) -> None:
    # kill(-1) from a process running as `uid` reaches exactly the processes that uid may
    # signal: its own, in every pid namespace below ours, setsid daemons included.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork in a threaded parent
        pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            # Belt and braces: kill(-1) as root would take down the whole machine.
            if os.getresuid() == (uid, uid, uid):
                os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def kill_uid(uid: int, patience: float = 5.0) -> bool:
    """SIGKILL everything running as `uid`; return True once nothing of it is left."""
    deadline = time.monotonic() + patience
    while True:
        _kill_all_as(uid)
        if not processes_of_uid(uid):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)  # a fork bomb may have forked between the kill and the scan
