"""run_python: one sandboxed run from start to the bytes handed back."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from .bootstrap import python_command
from .bwrap import bubblewrap_command
from .classify import classify, decode_status
from .config import BUBBLEWRAP, FALLBACK, slot_uids, state_dir
from .environment import guest_environment
from .fallback import launch_fallback
from .launch import Launch, close_fds, spawn, started_pipe
from .limits import Limits
from .mounts import GUEST_LIB, GUEST_TMP, Mount, normalize_guest_path, validate_mounts
from .outputs import collect_output_files
from .probe import isolation_mode
from .reaper import kill_uid
from .result import SandboxResult, sandbox_error
from .runtime import HostRuntime, RuntimeNotFound, host_runtime
from .seccomp_filter import SeccompUnavailable, compiled_filter, filter_pipe
from .slots import NoFreeSlot, Slot, acquire_slot
from .staging import staged_runtime
from .supervise import Supervision, supervise
from .workspace import Workspace, clear_workspace, prepare_workspace, validate_input_files

log = logging.getLogger("grader.grading.sandbox")

DEFAULT_LIMITS = Limits()
_SYSTEM_FAILURES = (NoFreeSlot, RuntimeNotFound, SeccompUnavailable, OSError)


def _bubblewrap_seccomp_fd() -> int | None:
    try:
        return filter_pipe(compiled_filter(block_sockets=False))
    except SeccompUnavailable as error:
        log.warning("running bubblewrap without its extra seccomp filter: %s", error)
        return None


def _launch_bubblewrap(runtime: HostRuntime, mounts: list[Mount], workspace: Workspace,
                       limits: Limits, slot: Slot, env: dict[str, str] | None, script: str,
                       args: list[str], python_path: list[str]) -> Launch:
    guest_env = guest_environment(bin_dir=str(runtime.executable.parent), home=GUEST_TMP,
                                  extra=env)
    started = started_pipe()
    seccomp_fd = None
    try:
        argv = python_command(str(runtime.executable), script, args,
                              [*python_path, GUEST_LIB], started_fd=started[1])
        seccomp_fd = _bubblewrap_seccomp_fd()
        command = bubblewrap_command(runtime=runtime, mounts=mounts, workspace=workspace,
                                     limits=limits, slot=slot, env=guest_env,
                                     python_argv=argv, seccomp_fd=seccomp_fd)
    except BaseException:
        close_fds(*started, seccomp_fd)
        raise
    extra_fds = () if seccomp_fd is None else (seccomp_fd,)
    return spawn(command, started=started, uid=slot.uid, extra_fds=extra_fds, env={})


def _launch(mode: str, state: Path, runtime: HostRuntime, workspace: Workspace, slot: Slot,
            **run) -> Launch:
    if mode == BUBBLEWRAP:
        return _launch_bubblewrap(runtime, workspace=workspace, slot=slot, **run)
    log.warning("sandbox run in FALLBACK isolation (no namespaces) as uid %d", slot.uid)
    staged = staged_runtime(runtime, state)
    return launch_fallback(staged=staged, runtime=runtime, workspace=workspace, slot=slot, **run)


def _result(seen: Supervision, files: dict[str, bytes], mode: str,
            limits: Limits) -> SandboxResult:
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


def _run_in_slot(mode: str, state: Path, slot: Slot, files: dict[str, bytes], limits: Limits,
                 started_at: float, **run) -> SandboxResult:
    if not slot.was_clean:
        kill_uid(slot.uid)  # whatever a crashed worker left running under this uid
    workspace = prepare_workspace(state, slot, files, limits, private_tmp=mode == FALLBACK)
    try:
        try:
            launch = _launch(mode, state, host_runtime(), workspace, slot, limits=limits, **run)
            try:
                seen = supervise(launch.proc, launch.started_fd, limits.wall_seconds,
                                 limits.output_bytes, launch.kill_tree, started_at)
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
    return _result(seen, outputs, mode, limits)


def run_python(script: str, *, mounts: list[Mount], files: dict[str, bytes],
               limits: Limits = DEFAULT_LIMITS, env: dict[str, str] | None = None,
               args: list[str] | tuple[str, ...] = (),
               python_path: list[str] | tuple[str, ...] = ()) -> SandboxResult:
    """Run guest path `script` with the sandbox's Python (numpy importable); report the outcome."""
    started_at = time.monotonic()
    mode = isolation_mode()
    run = {
        "script": normalize_guest_path(script),
        "mounts": validate_mounts(list(mounts)),
        "python_path": [normalize_guest_path(p) for p in python_path],
        "args": [str(a) for a in args],
        "env": dict(env or {}),
    }
    validate_input_files(files)
    if os.geteuid() != 0:
        return sandbox_error("the sandbox must run as root to switch to its slot uids", mode)
    try:
        state = state_dir()
        with acquire_slot(state, slot_uids()) as slot:
            return _run_in_slot(mode, state, slot, files, limits, started_at, **run)
    except _SYSTEM_FAILURES as error:
        log.exception("sandbox failed to run %s", script)
        return sandbox_error(f"sandbox failure: {error}", mode, time.monotonic() - started_at)
