"""Allocation of per-run uids from a small pool, guarded by flock'ed lock files.

RLIMIT_NPROC counts processes per uid across the whole machine, so two concurrent runs
sharing a uid would share one process budget (and could signal each other). Each run holds
an exclusive flock on `<state>/slots/<uid>.lock` for its duration; the kernel drops the lock
if the worker dies, so a crashed worker never leaks a slot.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .config import ensure_private_dir

_CLEAN = b"clean"
_DIRTY = b"dirty"


class NoFreeSlot(RuntimeError):
    """Every uid of the pool stayed busy for the whole waiting period."""


@dataclass
class Slot:
    """A uid (and gid of the same number) reserved for one run."""

    uid: int
    lock_fd: int
    # False when the previous holder died mid-run: its processes and files may remain.
    was_clean: bool = True

    def mark_clean(self) -> None:
        """Record that this run left nothing behind, so the next holder may skip cleaning."""
        os.pwrite(self.lock_fd, _CLEAN, 0)

    @property
    def gid(self) -> int:
        return self.uid


def _try_lock(path: Path) -> int | None:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def reserve_slot(state: Path, uids: list[int], wait_seconds: float = 120.0) -> Slot:
    """Lock a free uid of the pool (release_slot gives it back); NoFreeSlot after waiting."""
    lock_dir = ensure_private_dir(state / "slots", mode=0o700)
    deadline = time.monotonic() + wait_seconds
    # Start at a random slot so that concurrent workers do not all fight over the first one.
    start = random.randrange(len(uids))
    order = uids[start:] + uids[:start]
    while True:
        for uid in order:
            fd = _try_lock(lock_dir / f"{uid}.lock")
            if fd is not None:
                try:
                    was_clean = os.pread(fd, len(_CLEAN), 0) == _CLEAN
                    os.pwrite(fd, _DIRTY, 0)
                except BaseException:
                    os.close(fd)
                    raise
                return Slot(uid, fd, was_clean)
        if time.monotonic() > deadline:
            raise NoFreeSlot(f"all {len(uids)} sandbox uids stayed busy for {wait_seconds}s")
        time.sleep(0.05)


def release_slot(slot: Slot) -> None:
    """Drop the lock: the uid is free for the next run (clean or not, as last marked)."""
    os.close(slot.lock_fd)


@contextlib.contextmanager
def acquire_slot(state: Path, uids: list[int], wait_seconds: float = 120.0) -> Iterator[Slot]:
    """Reserve a free uid of the pool until the block exits."""
    slot = reserve_slot(state, uids, wait_seconds)
    try:
        yield slot
    finally:
        release_slot(slot)
