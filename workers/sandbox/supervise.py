"""Watching a running guest: drain stdout/stderr, enforce the wall clock, reap with rusage.

One thread, one selector: both pipes are read as data arrives (so neither can fill up and
deadlock the guest), the child's exit is seen through a pidfd, and the deadline is the
selector's timeout.
"""

from __future__ import annotations

import os
import selectors
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

FLOOD_FACTOR = 4  # output this many times the cap means the guest is flooding: kill it
_CHUNK = 65536
_PIPE_GRACE = 0.05  # after the guest exits, how long its pipes may stay open before a kill
_DRAIN_LIMIT = 2.0  # after killing, how long to wait for the pipes to close at all


@dataclass
class Stream:
    """One captured output stream, stored up to `cap` bytes."""

    cap: int
    chunks: list[bytes] = field(default_factory=list)
    stored: int = 0
    seen: int = 0

    def take(self, data: bytes) -> None:
        self.seen += len(data)
        room = self.cap - self.stored
        if room > 0:
            kept = data[:room]
            self.chunks.append(kept)
            self.stored += len(kept)

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)

    @property
    def truncated(self) -> bool:
        return self.seen > self.stored


@dataclass
class Supervision:
    """Everything observed from outside while the guest ran."""

    stdout: Stream
    stderr: Stream
    started: bool = False
    wall_timeout: bool = False
    flooded: bool = False
    status: int | None = None
    cpu_seconds: float = 0.0
    peak_rss_bytes: int = 0
    wall_seconds: float = 0.0


class _ExitWatch:
    """Readable when the child exits: a pidfd where the kernel has them, else polling."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.fd = os.pidfd_open(pid) if hasattr(os, "pidfd_open") else None

    def poll_interval(self) -> float | None:
        return None if self.fd is not None else 0.02

    def reap(self, block: bool) -> tuple[int, os.struct_rusage] | None:
        pid, status, usage = os.wait4(self.pid, 0 if block else os.WNOHANG)
        return (status, usage) if pid else None

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)


def _record_exit(proc: subprocess.Popen, result: Supervision, status: int, usage,
                 started_at: float) -> None:
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait again
    result.status = status
    result.wall_seconds = time.monotonic() - started_at
    result.cpu_seconds = usage.ru_utime + usage.ru_stime
    result.peak_rss_bytes = usage.ru_maxrss * 1024  # Linux reports KiB


def supervise(proc: subprocess.Popen, started_fd: int, wall_seconds: float, output_cap: int,
              kill_tree: Callable[[], None], started_at: float) -> Supervision:
    """Run the guest to its end (or kill it) and return what was seen."""
    result = Supervision(Stream(output_cap), Stream(output_cap))
    streams = {proc.stdout.fileno(): result.stdout, proc.stderr.fileno(): result.stderr}
    watch = _ExitWatch(proc.pid)
    selector = selectors.DefaultSelector()
    for fd in (*streams, started_fd):
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_READ)
    if watch.fd is not None:
        selector.register(watch.fd, selectors.EVENT_READ)
    deadline = started_at + wall_seconds
    killed_at: float | None = None
    exited_at: float | None = None

    def kill(reason_flag: str | None) -> None:
        nonlocal killed_at
        if reason_flag:
            setattr(result, reason_flag, True)
        if killed_at is None:
            killed_at = time.monotonic()
            kill_tree()

    try:
        while exited_at is None or selector.get_map():
            now = time.monotonic()
            if exited_at is None and killed_at is None and now >= deadline:
                kill("wall_timeout")
            if exited_at is not None and now - exited_at > _PIPE_GRACE:
                kill(None)  # a daemon kept our pipes open after the guest left
            if killed_at is not None and now - killed_at > _DRAIN_LIMIT:
                break
            timeout = max(0.0, (deadline if killed_at is None else killed_at + _DRAIN_LIMIT) - now)
            if exited_at is not None and killed_at is None:
                timeout = min(timeout, _PIPE_GRACE)
            interval = watch.poll_interval()
            for key, _ in selector.select(timeout if interval is None else min(timeout, interval)):
                fd = key.fd
                if fd == watch.fd:
                    selector.unregister(fd)
                    continue  # reaped below
                data = os.read(fd, _CHUNK)
                if not data:
                    selector.unregister(fd)
                elif fd == started_fd:
                    result.started = True
                else:
                    stream = streams[fd]
                    stream.take(data)
                    if stream.seen > FLOOD_FACTOR * output_cap:
                        kill("flooded")
            if exited_at is None and (reaped := watch.reap(block=False)):
                exited_at = time.monotonic()
                _record_exit(proc, result, *reaped, started_at)
    finally:
        selector.close()
        if exited_at is None:
            kill(None)
            _record_exit(proc, result, *watch.reap(block=True), started_at)
        watch.close()
    return result
