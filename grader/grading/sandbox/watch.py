"""Reading one output file while the guest still runs, for results that stream.

The harness appends a line per finished case to its results file; a caller that wants the
first results before the run ends (the public tests' verdict) watches that file. What it
reads is as untrusted as the file read at the end (outputs.py: no symlinks, no FIFOs, no
hard links, capped), and may end in a half-written line.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .outputs import read_output_file

WATCH_INTERVAL = 0.02  # seconds between looks at the file: a verdict within a blink


@dataclass(frozen=True)
class OutputWatch:
    """Watch output file `name`: `on_change(content so far)` whenever it grew, for as long as
    on_change returns True."""

    name: str
    on_change: Callable[[bytes], bool]


class Watcher:
    """One run's watch: `due()` says when to look next, `look()` looks."""

    def __init__(self, watch: OutputWatch, output_dir: Path, cap: int) -> None:
        self.watch, self.path, self.cap = watch, output_dir / watch.name, cap
        self.size = -1
        self.active = True
        self.next_look = time.monotonic()

    def seconds_to_next_look(self, now: float) -> float | None:
        return max(0.0, self.next_look - now) if self.active else None

    def look(self, now: float) -> None:
        if not self.active or now < self.next_look:
            return
        self.next_look = now + WATCH_INTERVAL
        try:
            info = os.lstat(self.path)
        except OSError:
            return  # not written yet
        if not stat.S_ISREG(info.st_mode) or info.st_size == self.size:
            return
        self.size = info.st_size
        content = read_output_file(self.path.parent, self.watch.name, self.cap)
        if content is not None:
            self.active = bool(self.watch.on_change(content))
