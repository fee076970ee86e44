"""Watching a running guest to its end: drain its output, enforce the wall clock, reap it,
then sweep its slot, read its outputs and classify the run (cold or spare alike).
"""

from __future__ import annotations

import logging
import os
import resource
import selectors
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .config import BUBBLEWRAP
from .launch import Launch
from .limits import Limits
from .result import SandboxResult, classify, collect_output_files, decode_status
from .slots import Slot, Workspace, clear_workspace, kill_uid

log = logging.getLogger("grader.grading.sandbox")

# Watching a running guest: drain stdout/stderr, enforce the wall clock, reap with rusage.
#
# One thread, one selector: both pipes are read as data arrives (so neither can fill up and
# deadlock the guest), the child's exit is seen through a pidfd, and the deadline is the
# selector's timeout.

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

    def take(self, data: bytes) -> bytes:
        """Store what fits under the cap; return the part stored."""
        self.seen += len(data)
        room = self.cap - self.stored
        if room <= 0:
            return b""
        kept = data[:room]
        self.chunks.append(kept)
        self.stored += len(kept)
        return kept

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
    # Linux starts a spawned child's peak-RSS record at its parent's own peak (vfork shares
    # our memory until exec), so a figure at or below ours says nothing about the guest:
    # report 0 ("no larger than the supervisor") rather than our size as the guest's.
    own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result.peak_rss_bytes = usage.ru_maxrss * 1024 if usage.ru_maxrss > own_peak else 0


class _Supervisor:
    """The watch loop's state: what is still open, when the guest left, when we killed."""

    def __init__(self, proc: subprocess.Popen, started_fd: int, output_cap: int,
                 kill_tree: Callable[[], None], started_at: float, deadline: float,
                 watcher: Watcher | None) -> None:
        self.proc, self.started_fd, self.output_cap = proc, started_fd, output_cap
        self.watcher = watcher
        self.kill_tree, self.started_at, self.deadline = kill_tree, started_at, deadline
        self.result = Supervision(Stream(output_cap), Stream(output_cap))
        self.streams = {proc.stdout.fileno(): self.result.stdout,
                        proc.stderr.fileno(): self.result.stderr}
        self.watch = _ExitWatch(proc.pid)
        self.selector = selectors.DefaultSelector()
        for fd in (*self.streams, started_fd):
            os.set_blocking(fd, False)
            self.selector.register(fd, selectors.EVENT_READ)
        if self.watch.fd is not None:
            self.selector.register(self.watch.fd, selectors.EVENT_READ)
        self.killed_at: float | None = None
        self.exited_at: float | None = None

    def kill(self, flag: str | None = None) -> None:
        if flag:
            setattr(self.result, flag, True)
        if self.killed_at is None:
            self.killed_at = time.monotonic()
            self.kill_tree()

    def finished(self) -> bool:
        return self.exited_at is not None and not self.selector.get_map()

    def enforce_deadlines(self, now: float) -> bool:
        """Kill when a deadline passed; False once we should stop waiting altogether."""
        if self.exited_at is None and self.killed_at is None and now >= self.deadline:
            self.kill("wall_timeout")
        if self.exited_at is not None and now - self.exited_at > _PIPE_GRACE:
            self.kill()  # a daemon kept our pipes open after the guest left
        return self.killed_at is None or now - self.killed_at <= _DRAIN_LIMIT

    def next_timeout(self, now: float) -> float:
        end = self.deadline if self.killed_at is None else self.killed_at + _DRAIN_LIMIT
        timeout = max(0.0, end - now)
        if self.exited_at is not None and self.killed_at is None:
            timeout = min(timeout, _PIPE_GRACE)
        interval = self.watch.poll_interval()
        return timeout if interval is None else min(timeout, interval)

    def on_readable(self, fd: int) -> None:
        if fd == self.watch.fd:
            self.selector.unregister(fd)  # the exit itself is reaped in reap_if_exited
            return
        try:
            data = os.read(fd, _CHUNK)
        except BlockingIOError:
            return  # woken without data after all
        if not data:
            self.selector.unregister(fd)
        elif fd == self.started_fd:
            self.result.started = True
        else:
            stream = self.streams[fd]
            kept = stream.take(data)
            if self.watcher is not None and stream is self.result.stdout:
                self.watcher.offer(kept)
            if stream.seen > FLOOD_FACTOR * self.output_cap:
                self.kill("flooded")

    def reap_if_exited(self) -> None:
        if self.exited_at is None and (reaped := self.watch.reap(block=False)):
            self.exited_at = time.monotonic()
            _record_exit(self.proc, self.result, *reaped, self.started_at)

    def close(self) -> None:
        self.selector.close()
        if self.exited_at is None:
            self.kill()
            _record_exit(self.proc, self.result, *self.watch.reap(block=True), self.started_at)
        self.watch.close()


def supervise(proc: subprocess.Popen, started_fd: int, wall_seconds: float, output_cap: int,
              kill_tree: Callable[[], None], started_at: float,
              watcher: Watcher | None = None) -> Supervision:
    """Run the guest to its end (or kill it) and return what was seen; while it runs,
    `watcher` is offered its stdout as it arrives."""
    supervisor = _Supervisor(proc, started_fd, output_cap, kill_tree, started_at,
                             deadline=started_at + wall_seconds, watcher=watcher)
    try:
        while not supervisor.finished():
            now = time.monotonic()
            if not supervisor.enforce_deadlines(now):
                break
            timeout = supervisor.next_timeout(now)
            for key, _ in supervisor.selector.select(timeout):
                supervisor.on_readable(key.fd)
            supervisor.reap_if_exited()
    finally:
        supervisor.close()
    return supervisor.result


# Reading the guest's stdout while it still runs, for results that stream.
#
# A program whose results matter writes them to its stdout: a pipe only the program holds
# (none of its children need inherit it), which nothing else in the sandbox can open. A caller
# that wants the first results before the run ends (the public tests' verdict) is handed each
# piece of stdout as it arrives, within the stream's cap. What it reads may end in a
# half-written line; the whole stdout, returned at the end, is what counts.

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


# The end of every run, cold or spare: supervise, sweep the slot, read outputs, classify.


def supervise_to_the_end(launch: Launch, slot: Slot, workspace: Workspace, limits: Limits,
                         started_at: float, watch: OutputWatch | None = None,
                         ) -> tuple[Supervision, dict[str, bytes]]:
    """Watch the guest (wall limit from `started_at`; `watch` is offered its stdout as it
    arrives), then leave the slot empty and clean."""
    watcher = None if watch is None else Watcher(watch)
    try:
        try:
            try:
                seen = supervise(launch.proc, launch.started_fd, limits.wall_seconds,
                                 limits.output_bytes, launch.kill_tree, started_at, watcher)
            finally:
                os.close(launch.started_fd)
                launch.proc.stdout.close()
                launch.proc.stderr.close()
        finally:
            # After every run nothing of the slot may survive, and nothing may still be
            # writing into the output dir while we read it.
            reaped = kill_uid(slot.uid)
        outputs = collect_output_files(workspace.output_dir, limits.result_bytes)
    finally:
        clear_workspace(workspace.root)
    if reaped:
        slot.mark_clean()
    else:
        log.error("processes of sandbox uid %d survived SIGKILL", slot.uid)
    return seen, outputs


def build_result(seen: Supervision, files: dict[str, bytes], mode: str,
                 limits: Limits) -> SandboxResult:
    """The SandboxResult of what was seen, with its single most telling reason."""
    exit_code, signal = decode_status(seen.status, through_bwrap=mode == BUBBLEWRAP)
    stderr = seen.stderr.data
    verdict = classify(started=seen.started, wall_timeout=seen.wall_timeout,
                       flooded=seen.flooded, exit_code=exit_code, signal=signal,
                       cpu_seconds=seen.cpu_seconds, peak_rss=seen.peak_rss_bytes,
                       stderr=stderr, limits=limits)
    return SandboxResult(
        exit_code=verdict.exit_code, signal=verdict.signal, stdout=seen.stdout.data,
        stderr=stderr, timed_out=verdict.timed_out,
        output_truncated=seen.stdout.truncated or seen.stderr.truncated,
        reason=verdict.reason, wall_seconds=seen.wall_seconds, cpu_seconds=seen.cpu_seconds,
        peak_rss_bytes=seen.peak_rss_bytes, files=files, isolation=mode)
