"""The end of every run, cold or spare: supervise, sweep the slot, read outputs, classify."""

from __future__ import annotations

import logging
import os

from .classify import classify, decode_status
from .config import BUBBLEWRAP
from .launch import Launch
from .limits import Limits
from .outputs import collect_output_files
from .reaper import kill_uid
from .result import SandboxResult
from .slots import Slot
from .supervise import Supervision, supervise
from .watch import OutputWatch, Watcher
from .workspace import Workspace, clear_workspace

log = logging.getLogger("grader.grading.sandbox")


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
