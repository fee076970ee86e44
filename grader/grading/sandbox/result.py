"""What a sandboxed run hands back: only bytes and numbers."""

from __future__ import annotations

from dataclasses import dataclass, field


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
