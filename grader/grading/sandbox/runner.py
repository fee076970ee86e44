"""run_python: one sandboxed run from start to the bytes handed back."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from .config import BUBBLEWRAP, FALLBACK, slot_uids, state_dir
from .confine import SeccompUnavailable
from .fallback import launch_fallback
from .guest import Mount, normalize_guest_path, validate_mounts
from .host import HostRuntime, RuntimeNotFound, host_runtime, isolation_mode, staged_runtime
from .launch import Launch, launch_bubblewrap
from .limits import Limits
from .result import SandboxResult, sandbox_error
from .slots import (
    NoFreeSlot,
    Slot,
    Workspace,
    acquire_slot,
    clear_workspace,
    kill_uid,
    prepare_workspace,
    validate_input_files,
    write_read_once,
)
from .spare import GuestSpec, run_on_spare
from .supervise import OutputWatch, build_result, supervise_to_the_end

log = logging.getLogger("grader.grading.sandbox")

DEFAULT_LIMITS = Limits()
_SYSTEM_FAILURES = (NoFreeSlot, RuntimeNotFound, SeccompUnavailable, OSError)


def _launch(mode: str, state: Path, runtime: HostRuntime, workspace: Workspace, slot: Slot,
            **run) -> Launch:
    if mode == BUBBLEWRAP:
        return launch_bubblewrap(runtime, workspace=workspace, slot=slot, **run)
    log.warning("sandbox run in FALLBACK isolation (no namespaces) as uid %d", slot.uid)
    staged = staged_runtime(runtime, state)
    return launch_fallback(staged=staged, runtime=runtime, workspace=workspace, slot=slot, **run)


def _run_in_slot(mode: str, state: Path, slot: Slot, files: dict[str, bytes], limits: Limits,
                 started_at: float, watch: OutputWatch | None, read_once: dict[str, bytes],
                 **run) -> SandboxResult:
    if not slot.was_clean:
        kill_uid(slot.uid)  # whatever a crashed worker left running under this uid
    workspace = prepare_workspace(state, slot, files, limits, private_tmp=mode == FALLBACK)
    try:
        write_read_once(workspace.output_dir, read_once, slot.uid)
        launch = _launch(mode, state, host_runtime(), workspace, slot, limits=limits, **run)
    except BaseException:
        kill_uid(slot.uid)
        clear_workspace(workspace.root)
        raise
    seen, outputs = supervise_to_the_end(launch, slot, workspace, limits, started_at, watch)
    return build_result(seen, outputs, mode, limits)


def run_python(script: str, *, mounts: list[Mount], files: dict[str, bytes],
               limits: Limits = DEFAULT_LIMITS, env: dict[str, str] | None = None,
               args: list[str] | tuple[str, ...] = (),
               python_path: list[str] | tuple[str, ...] = (), preload: tuple[str, ...] = (),
               use_spare: bool = False, watch: OutputWatch | None = None,
               read_once_files: dict[str, bytes] | None = None) -> SandboxResult:
    """Run guest path `script` with the sandbox's Python (numpy importable); report the outcome.

    `watch` is handed the guest's stdout as it arrives (watch.py), for results that stream.
    `read_once_files` appear in the output dir (`/sandbox/out`), owned by the guest, for the
    program to read and delete before it starts anything else (workspace.write_read_once).

    With `use_spare` (bubblewrap only), a guest this process pre-started with the same launch
    parameters takes the run when one is ready (spare.py; `preload` names the modules such a
    guest imports before it waits), and the next one starts in the background. Results are
    the same as a cold run's; `SandboxResult.spare` tells which it was.
    """
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
    read_once = dict(read_once_files or {})
    validate_input_files(read_once)
    if os.geteuid() != 0:
        return sandbox_error("the sandbox must run as root to switch to its slot uids", mode)
    try:
        state = state_dir()
        if use_spare and mode == BUBBLEWRAP:
            spec = GuestSpec.of(preload=tuple(preload), limits=limits, **run)
            result = run_on_spare(state, spec, files, limits, watch, read_once)
            if result is not None:
                return result
            started_at = time.monotonic()  # a cold run's wall clock starts at its launch
        with acquire_slot(state, slot_uids()) as slot:
            return _run_in_slot(mode, state, slot, files, limits, started_at, watch, read_once,
                                **run)
    except _SYSTEM_FAILURES as error:
        log.exception("sandbox failed to run %s", script)
        return sandbox_error(f"sandbox failure: {error}", mode, time.monotonic() - started_at)
