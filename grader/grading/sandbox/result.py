"""What a sandboxed run hands back, and how: only bytes and numbers.

The result record; the classification of how the run ended (exit_code / signal / reason);
and the reading back of the guest's output directory without trusting anything in it.
"""

from __future__ import annotations

import logging
import os
import signal as signals
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .limits import Limits

log = logging.getLogger("grader.grading.sandbox")

# What a sandboxed run hands back: only bytes and numbers.

@dataclass
class SandboxResult:
    """Outcome of one sandboxed run."""

    exit_code: int | None
    signal: int | None
    stdout: bytes
    stderr: bytes
    timed_out: bool
    output_truncated: bool
    reason: str | None
    wall_seconds: float
    cpu_seconds: float
    peak_rss_bytes: int  # the guest's peak RSS; 0 when no larger than the supervisor's own peak
    files: dict[str, bytes] = field(default_factory=dict)
    isolation: str = "bubblewrap"
    spare: bool = False  # served by a pre-started guest (spare.py) rather than a cold start


def sandbox_error(message: str, isolation: str, wall_seconds: float = 0.0) -> SandboxResult:
    """A result for a run that never reached the guest program."""
    return SandboxResult(
        exit_code=None, signal=None, stdout=b"", stderr=message.encode(), timed_out=False,
        output_truncated=False, reason="sandbox-error", wall_seconds=wall_seconds,
        cpu_seconds=0.0, peak_rss_bytes=0, files={}, isolation=isolation,
    )


# Turning what happened into exit_code / signal / reason, as documented in SandboxResult.

_MEMORY_MARKERS = (b"MemoryError", b"Cannot allocate memory", b"std::bad_alloc",
                   b"out of memory")
_STDERR_TAIL = 4096


@dataclass(frozen=True)
class Verdict:
    """How the guest ended and why."""

    exit_code: int | None
    signal: int | None
    reason: str | None
    timed_out: bool


def decode_status(status: int, through_bwrap: bool) -> tuple[int | None, int | None]:
    """(exit_code, signal) of the guest from the wait status of the process we started."""
    if os.WIFSIGNALED(status):
        return None, os.WTERMSIG(status)
    code = os.WEXITSTATUS(status)
    # bwrap reports a guest killed by signal N as exit status 128+N, like a shell.
    if through_bwrap and 128 < code <= 128 + 64:
        return None, code - 128
    return code, None


def _looks_out_of_memory(stderr: bytes, signal: int | None, peak_rss: int,
                         limits: Limits) -> bool:
    tail = stderr[-_STDERR_TAIL:]
    if any(marker in tail for marker in _MEMORY_MARKERS):
        return True
    return signal in (signals.SIGKILL, signals.SIGSEGV, signals.SIGABRT) and \
        peak_rss >= 0.9 * limits.memory_bytes


def classify(*, started: bool, wall_timeout: bool, flooded: bool, exit_code: int | None,
             signal: int | None, cpu_seconds: float, peak_rss: int, stderr: bytes,
             limits: Limits, memory_event: bool = False) -> Verdict:
    """Pick the single most telling reason; None when the guest exited by itself."""
    if wall_timeout:
        return Verdict(exit_code, signal, "timeout", True)
    if flooded:
        return Verdict(exit_code, signal, "output-limit", False)
    if not started:
        return Verdict(exit_code, signal, "sandbox-error", False)
    if signal == signals.SIGXCPU or (signal == signals.SIGKILL
                                     and cpu_seconds >= 0.95 * limits.cpu_seconds):
        return Verdict(exit_code, signal, "cpu-time", True)
    abnormal = signal is not None or exit_code != 0
    if abnormal and (memory_event or _looks_out_of_memory(stderr, signal, peak_rss, limits)):
        return Verdict(exit_code, signal, "memory-limit", False)
    if signal is not None:
        return Verdict(exit_code, signal, "crash", False)
    return Verdict(exit_code, signal, None, False)


# Reading the guest's output directory back without trusting anything in it.

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
