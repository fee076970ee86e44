"""Turning what happened into exit_code / signal / reason, as documented in SandboxResult."""

from __future__ import annotations

import os
import signal as signals
from dataclasses import dataclass

from .limits import Limits

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
