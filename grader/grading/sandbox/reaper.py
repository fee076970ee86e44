"""Killing every process of a slot uid, wherever it hides (other sessions, other namespaces)."""

from __future__ import annotations

import os
import signal
import time
import warnings


def _uid_and_state(pid: str) -> tuple[list[bytes], bytes] | None:
    try:
        fd = os.open(f"/proc/{pid}/status", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None  # exited while we looked
    try:
        head = os.read(fd, 1024)  # State and Uid sit in the first few lines
    except OSError:
        return None
    finally:
        os.close(fd)
    state = head.partition(b"\nState:")[2].lstrip()[:1]
    uids = head.partition(b"\nUid:")[2].partition(b"\n")[0].split()
    return uids, state


def processes_of_uid(uid: int) -> list[int]:
    """Host pids whose real, effective or saved uid is `uid`, zombies excluded."""
    return [int(name) for name in os.listdir("/proc")
            if name.isdigit() and runs_as(int(name), uid)]


def runs_as(pid: int, uid: int) -> bool:
    """Whether `pid` is a live (not zombie) process whose real, effective or saved uid is `uid`."""
    seen = _uid_and_state(str(pid))
    return bool(seen) and str(uid).encode() in seen[0][:3] and seen[1] != b"Z"


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
        # kill(-1) walks the task list under the lock fork needs, and a task with SIGKILL
        # pending cannot fork: one sweep dooms the whole tree, even one hopping pids.
        _kill_all_as(uid)
        if not processes_of_uid(uid):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)  # dying tasks may still show until the kernel reaps them
