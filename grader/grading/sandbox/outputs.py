"""Reading the guest's output directory back without trusting anything in it."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger("grader.grading.sandbox")

MAX_OUTPUT_FILES = 256
SAFE_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY


def _read_capped(dir_fd: int, name: str, budget: int) -> bytes | None:
    try:
        fd = os.open(name, SAFE_OPEN_FLAGS, dir_fd=dir_fd)  # a symlink fails here with ELOOP
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        # Only plain files with a single link: no FIFOs, devices or hard links to elsewhere.
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1 or info.st_size > budget:
            return None
        data = os.read(fd, budget + 1) if budget else b""
        return data if len(data) <= budget else None
    finally:
        os.close(fd)


def collect_output_files(output_dir: Path, max_total: int) -> dict[str, bytes]:
    """Regular files directly in `output_dir`, by name, while their sizes fit `max_total`."""
    try:
        dir_fd = os.open(output_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return {}
    files: dict[str, bytes] = {}
    try:
        names = sorted(os.listdir(dir_fd))
        if len(names) > MAX_OUTPUT_FILES:
            log.warning("output dir holds %d entries; reading the first %d",
                        len(names), MAX_OUTPUT_FILES)
        remaining = max_total
        for name in names[:MAX_OUTPUT_FILES]:
            data = _read_capped(dir_fd, name, remaining)
            if data is None:
                continue
            files[name] = data
            remaining -= len(data)
    finally:
        os.close(dir_fd)
    return files
