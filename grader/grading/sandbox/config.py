"""Deployment settings read from the environment (state directory, uid pool, forced mode)."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

MODE_ENV = "AUTOGRADER_SANDBOX"
STATE_DIR_ENV = "AUTOGRADER_SANDBOX_DIR"
UID_RANGE_ENV = "AUTOGRADER_SANDBOX_UIDS"

BUBBLEWRAP = "bubblewrap"
FALLBACK = "fallback"
DEFAULT_UID_RANGE = "61000-61031"


def forced_mode() -> str | None:
    """The isolation mode forced through AUTOGRADER_SANDBOX, if any."""
    value = os.environ.get(MODE_ENV, "").strip().lower()
    if value in ("", "auto"):
        return None
    if value not in (BUBBLEWRAP, FALLBACK):
        raise ValueError(f"{MODE_ENV} must be {BUBBLEWRAP}, {FALLBACK} or auto, not {value!r}")
    return value


def slot_uids() -> list[int]:
    """The pool of unprivileged uids, one per concurrent run."""
    text = os.environ.get(UID_RANGE_ENV, DEFAULT_UID_RANGE)
    first, _, last = text.partition("-")
    low, high = int(first), int(last or first)
    if low < 1000 or high < low:
        raise ValueError(f"{UID_RANGE_ENV} must look like 61000-61031, not {text!r}")
    return list(range(low, high + 1))


def state_dir() -> Path:
    """Root-owned directory holding slot locks, run workspaces and the staged runtime."""
    path = Path(os.environ.get(STATE_DIR_ENV) or Path(tempfile.gettempdir()) / "autograder-sandbox")
    return ensure_private_dir(path, mode=0o711)


def ensure_private_dir(path: Path, mode: int) -> Path:
    """Create `path` if needed and refuse it unless we own it and nobody else can write it."""
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=mode, parents=True)
    info = os.lstat(path)
    # In a world-writable parent such as /tmp, another user could pre-create the directory
    # or plant a symlink; then the slots and workspaces would be theirs to tamper with.
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
        raise PermissionError(f"{path} is not a directory owned by uid {os.geteuid()}")
    if info.st_mode & 0o022:
        raise PermissionError(f"{path} is writable by group or others")
    os.chmod(path, mode)
    return path
