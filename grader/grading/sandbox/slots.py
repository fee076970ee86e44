"""A run's own resources on the host: its uid slot, its directories, and the end of its processes.

A slot is a uid of a small pool, guarded by an flock'ed lock file; its workspace holds the input
tree, the output dir and (fallback) the private tmp, on size-capped tmpfs mounts where we may
mount; the reaper kills every process of a slot's uid, wherever it hides.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import random
import shutil
import signal
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .config import ensure_private_dir
from .confine import libc
from .limits import Limits

log = logging.getLogger("grader.grading.sandbox")

# Allocation of per-run uids from a small pool, guarded by flock'ed lock files.
#
# RLIMIT_NPROC counts processes per uid across the whole machine, so two concurrent runs
# sharing a uid would share one process budget (and could signal each other). Each run holds
# an exclusive flock on `<state>/slots/<uid>.lock` for its duration; the kernel drops the lock
# if the worker dies, so a crashed worker never leaks a slot.

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


# Killing every process of a slot uid, wherever it hides (other sessions, other namespaces).

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


# Per-run host directories: the input tree, the output dir and (fallback) the private tmp.


@dataclass(frozen=True)
class Workspace:
    """Host paths of one run; the slot uid can read `input_dir` and write the others."""

    root: Path
    input_dir: Path
    output_dir: Path
    tmp_dir: Path
    output_is_capped: bool
    tmp_is_capped: bool


def _checked_relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if not name or "\0" in name or path.is_absolute() or ".." in path.parts:
        raise ValueError(f"input file name must be a relative path without '..': {name!r}")
    return path


def validate_input_files(files: dict[str, bytes]) -> None:
    """Raise ValueError/TypeError for names that could escape the input dir or non-bytes."""
    for name, data in files.items():
        _checked_relative(name)
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(f"content of {name!r} must be bytes")


def write_inputs(input_dir: Path, files: dict[str, bytes], gid: int) -> None:
    """Create the input files (root-owned, readable by the slot's group) below `input_dir`."""
    for name, data in files.items():
        relative = _checked_relative(name)
        target = input_dir
        for part in relative.parts[:-1]:
            target = target / part
            if not target.is_dir():
                target.mkdir(mode=0o750)
                os.chown(target, 0, gid)
        target = target / relative.parts[-1]
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o640)
        try:
            os.fchown(fd, 0, gid)
            os.write(fd, bytes(data))
        finally:
            os.close(fd)


def write_read_once(output_dir: Path, files: dict[str, bytes], uid: int) -> None:
    """Create files the guest reads once and deletes, in its output dir, owned by the slot uid.

    For inputs that must not outlive their first reader: the program the sandbox starts
    opens and deletes them before it starts anything else (grader/grading/harness/warden.py:
    the hidden tests' inputs, which its children must not find), which the read-only input
    dir would not let it do.
    """
    for name, data in files.items():
        if _checked_relative(name).name != name:
            raise ValueError(f"a read-once file has a plain name: {name!r}")
        fd = os.open(output_dir / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                     0o400)
        try:
            os.fchown(fd, uid, uid)
            os.write(fd, bytes(data))
        finally:
            os.close(fd)


def _owned_dir(path: Path, uid: int) -> None:
    path.mkdir(mode=0o700)
    os.chown(path, uid, uid)


def clear_workspace(root: Path) -> None:
    """Unmount and delete a workspace left by this or an earlier (crashed) run of the slot."""
    for name in ("out", "tmp"):
        unmount(str(root / name))
    # rmtree never follows symlinks the guest may have planted.
    shutil.rmtree(root, ignore_errors=True)


def prepare_workspace(state: Path, slot: Slot, files: dict[str, bytes], limits: Limits,
                      private_tmp: bool) -> Workspace:
    """Create a fresh workspace for `slot`, with size-capped tmpfs mounts when allowed."""
    runs = ensure_private_dir(state / "runs", mode=0o711)
    root = runs / str(slot.uid)
    clear_workspace(root)
    root.mkdir(mode=0o750)
    os.chown(root, 0, slot.gid)  # other slot uids must not read this run's submission
    input_dir = root / "in"
    input_dir.mkdir(mode=0o750)
    os.chown(input_dir, 0, slot.gid)
    write_inputs(input_dir, files, slot.gid)
    output_dir, tmp_dir = root / "out", root / "tmp"
    _owned_dir(output_dir, slot.uid)
    output_capped = mount_tmpfs(str(output_dir), size=limits.result_bytes, owner=slot.uid)
    tmp_capped = False
    if private_tmp:
        _owned_dir(tmp_dir, slot.uid)
        tmp_capped = mount_tmpfs(str(tmp_dir), size=limits.tmp_bytes, owner=slot.uid)
    if not output_capped:
        log.warning("cannot mount a tmpfs for the output dir; only RLIMIT_FSIZE caps it")
    return Workspace(root, input_dir, output_dir, tmp_dir, output_capped, tmp_capped)


# Size-capped tmpfs mounts on the host (via libc mount(2)), used when we are allowed to mount.

_MS_NOSUID = 0x2
_MS_NODEV = 0x4
_MS_NOEXEC = 0x8
_MNT_DETACH = 0x2


def mount_tmpfs(target: str, *, size: int, owner: int, inodes: int = 4096) -> bool:
    """Mount a private tmpfs of `size` bytes on `target` owned by `owner`; False if refused."""
    options = f"size={size},nr_inodes={inodes},mode=0700,uid={owner},gid={owner}"
    flags = _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
    result = libc().mount(b"tmpfs", os.fsencode(target), b"tmpfs", flags, options.encode())
    return result == 0


def unmount(target: str) -> None:
    """Lazily detach whatever is mounted on `target`; nothing mounted is fine."""
    libc().umount2(os.fsencode(target), _MNT_DETACH)
