"""Resource limits of one sandboxed run and their translation into rlimits."""

from __future__ import annotations

import resource
from dataclasses import dataclass

# numpy + OpenBLAS map about 256 MiB of address space just to import; below this, imports fail
# in ways that look like student bugs.
MIN_MEMORY_BYTES = 512 << 20


@dataclass(frozen=True)
class Limits:
    """Resource limits for one run."""

    wall_seconds: float = 30.0
    cpu_seconds: int = 20
    memory_bytes: int = 1 << 30
    processes: int = 16
    file_bytes: int = 8 << 20
    open_files: int = 64
    output_bytes: int = 1 << 20
    tmp_bytes: int = 32 << 20
    result_bytes: int = 16 << 20

    def __post_init__(self) -> None:
        if self.wall_seconds <= 0:
            raise ValueError("wall_seconds must be positive")
        for name in ("cpu_seconds", "processes", "file_bytes", "open_files", "output_bytes",
                     "tmp_bytes", "result_bytes"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.memory_bytes < MIN_MEMORY_BYTES:
            raise ValueError(f"memory_bytes must be at least {MIN_MEMORY_BYTES} (numpy needs it)")
        if self.open_files < 16:
            raise ValueError("open_files below 16 leaves Python unable to start")


def rlimit_table(limits: Limits) -> dict[int, tuple[int, int]]:
    """The (soft, hard) rlimits of the guest, keyed by resource.RLIMIT_* constant."""
    return {
        resource.RLIMIT_AS: (limits.memory_bytes, limits.memory_bytes),
        # soft < hard: SIGXCPU first, then SIGKILL one second later even if SIGXCPU is caught.
        resource.RLIMIT_CPU: (limits.cpu_seconds, limits.cpu_seconds + 1),
        resource.RLIMIT_NPROC: (limits.processes, limits.processes),
        resource.RLIMIT_FSIZE: (limits.file_bytes, limits.file_bytes),
        resource.RLIMIT_NOFILE: (limits.open_files, limits.open_files),
        # core_pattern may pipe into a host helper; a crash must not write or send anything.
        resource.RLIMIT_CORE: (0, 0),
    }


_PRLIMIT_OPTION = {
    resource.RLIMIT_AS: "--as",
    resource.RLIMIT_CPU: "--cpu",
    resource.RLIMIT_NPROC: "--nproc",
    resource.RLIMIT_FSIZE: "--fsize",
    resource.RLIMIT_NOFILE: "--nofile",
    resource.RLIMIT_CORE: "--core",
}


def prlimit_arguments(limits: Limits) -> list[str]:
    """Options for util-linux prlimit(1) that set the guest rlimits."""
    return [f"{_PRLIMIT_OPTION[res]}={soft}:{hard}"
            for res, (soft, hard) in rlimit_table(limits).items()]


def apply_rlimits(limits: Limits) -> None:
    """Set the guest rlimits on the calling process (used between fork and exec)."""
    for res, pair in rlimit_table(limits).items():
        resource.setrlimit(res, pair)
