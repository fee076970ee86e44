"""Per-run host directories: the input tree, the output dir and (fallback) the private tmp."""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .config import ensure_private_dir
from .limits import Limits
from .slots import Slot
from .tmpfs import mount_tmpfs, unmount

log = logging.getLogger("grader.grading.sandbox")


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
