"""Starting a guest under bubblewrap: the command line, its seccomp filter and its pipes."""

from __future__ import annotations

import logging

from .bootstrap import python_command
from .bwrap import bubblewrap_command
from .environment import guest_environment
from .launch import Launch, close_fds, spawn, started_pipe
from .limits import Limits
from .mounts import GUEST_LIB, GUEST_TMP, Mount
from .runtime import HostRuntime
from .seccomp_filter import SeccompUnavailable, compiled_filter, filter_pipe
from .slots import Slot
from .workspace import Workspace

log = logging.getLogger("grader.grading.sandbox")


def _bubblewrap_seccomp_fd() -> int | None:
    try:
        return filter_pipe(compiled_filter(block_sockets=False))
    except SeccompUnavailable as error:
        log.warning("running bubblewrap without its extra seccomp filter: %s", error)
        return None


def launch_bubblewrap(runtime: HostRuntime, mounts: list[Mount], workspace: Workspace,
                      limits: Limits, slot: Slot, env: dict[str, str] | None, script: str,
                      args: list[str], python_path: list[str], go_fd: int | None = None,
                      preload: tuple[str, ...] = ()) -> Launch:
    """Start `script` in a fresh bwrap; with `go_fd` (a pipe's read end, handed to the guest
    and closed here) it preloads and waits for the go byte first (spare.py)."""
    guest_env = guest_environment(bin_dir=str(runtime.executable.parent), home=GUEST_TMP,
                                  extra=env)
    started = started_pipe()
    seccomp_fd = None
    try:
        argv = python_command(str(runtime.executable), script, args,
                              [*python_path, GUEST_LIB], started_fd=started[1], go_fd=go_fd,
                              preload=preload)
        seccomp_fd = _bubblewrap_seccomp_fd()
        command = bubblewrap_command(runtime=runtime, mounts=mounts, workspace=workspace,
                                     limits=limits, slot=slot, env=guest_env,
                                     python_argv=argv, seccomp_fd=seccomp_fd)
    except BaseException:
        close_fds(*started, seccomp_fd, go_fd)
        raise
    extra_fds = tuple(fd for fd in (seccomp_fd, go_fd) if fd is not None)
    return spawn(command, started=started, uid=slot.uid, extra_fds=extra_fds, env={})
