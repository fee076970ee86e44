"""Reading the guest's stdout while it still runs, for results that stream.

A program whose results matter writes them to its stdout: a pipe only the program holds
(none of its children need inherit it), which nothing else in the sandbox can open. A caller
that wants the first results before the run ends (the public tests' verdict) is handed each
piece of stdout as it arrives, within the stream's cap. What it reads may end in a
half-written line; the whole stdout, returned at the end, is what counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class OutputWatch:
    """Hand `on_append(bytes)` what the guest writes to stdout, as it arrives, for as long as
    on_append returns True."""

    on_append: Callable[[bytes], bool]


class Watcher:
    """One run's watch: `offer()` passes on newly stored stdout bytes while it is active."""

    def __init__(self, watch: OutputWatch) -> None:
        self.watch = watch
        self.active = True

    def offer(self, data: bytes) -> None:
        if self.active and data:
            self.active = bool(self.watch.on_append(data))
