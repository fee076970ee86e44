"""Reading one output file while the guest still runs, for results that stream.

The harness appends a line per finished case to its results file; a caller that wants the
first results before the run ends (the public tests' verdict) watches that file and is
handed what was appended since it last looked. What it reads is as untrusted as the files
read at the end (outputs.py: no symlinks, FIFOs or hard links, capped) and may end in a
half-written line. Each byte is read once, so a guest that keeps the file growing costs
the host no more than the file's size; a file seen to shrink or be replaced is no longer an
append-only log, and the watch ends (the files read at the end are what count).
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .outputs import SAFE_OPEN_FLAGS

WATCH_INTERVAL = 0.02  # seconds between looks at the file: a verdict within a blink


@dataclass(frozen=True)
class OutputWatch:
    """Watch output file `name`: `on_append(bytes appended since the last call)` whenever it
    grew, for as long as on_append returns True."""

    name: str
    on_append: Callable[[bytes], bool]


class Watcher:
    """One run's watch: `seconds_to_next_look()` says when to look next, `look()` looks."""

    def __init__(self, watch: OutputWatch, output_dir: Path, cap: int) -> None:
        self.watch, self.output_dir, self.cap = watch, output_dir, cap
        self.identity: tuple[int, int] | None = None  # (device, inode) of the file read
        self.offset = 0
        self.active = True
        self.next_look = time.monotonic()

    def seconds_to_next_look(self, now: float) -> float | None:
        return max(0.0, self.next_look - now) if self.active else None

    def look(self, now: float) -> None:
        if not self.active or now < self.next_look:
            return
        self.next_look = now + WATCH_INTERVAL
        appended = self._read_appended()
        if appended:
            self.active = bool(self.watch.on_append(appended))

    def _read_appended(self) -> bytes | None:
        try:
            fd = os.open(self.output_dir / self.watch.name, SAFE_OPEN_FLAGS)  # ELOOP on a symlink
        except OSError:
            return None  # not written yet (or not a file we read)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
                return None
            identity = (info.st_dev, info.st_ino)
            if self.identity is None:
                self.identity = identity
            if identity != self.identity or info.st_size < self.offset or info.st_size > self.cap:
                self.active = False  # replaced, cut or oversized: not a log to follow
                return None
            data = os.pread(fd, info.st_size - self.offset, self.offset)
            self.offset += len(data)
            return data
        finally:
            os.close(fd)
