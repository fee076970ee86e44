"""Starting the guest: what both isolation modes hand to the supervisor, and bubblewrap's way.

A Launch is the started guest (its process, pipes and slot); `launch_bubblewrap` builds the
bubblewrap command line of one run, its seccomp filter and its pipes, and starts it. The
fallback's way is in fallback.py.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .confine import SeccompUnavailable, compiled_filter, filter_pipe
from .guest import (
    GUEST_IN,
    GUEST_LIB,
    GUEST_OUT,
    GUEST_TMP,
    Mount,
    guest_environment,
    python_command,
)
from .host import BWRAP, NAMESPACES, HostRuntime, helper_binary, system_library_dirs
from .limits import Limits, prlimit_arguments
from .slots import Slot, Workspace, kill_uid

log = logging.getLogger("grader.grading.sandbox")

# Starting the guest: what both isolation modes hand to the supervisor.

@dataclass
class Launch:
    """A started guest: its process, the read end of the started pipe, and how to kill it."""

    proc: subprocess.Popen
    started_fd: int
    kill_tree: Callable[[], None]


def started_pipe() -> tuple[int, int]:
    """(read end, write end); the guest's bootstrap writes one byte before guest code runs."""
    read_end, write_end = os.pipe()
    return read_end, write_end


def close_fds(*fds: int | None) -> None:
    """Close the given fds, skipping None."""
    for fd in fds:
        if fd is not None:
            os.close(fd)


def spawn(argv: list[str], *, started: tuple[int, int], uid: int,
          extra_fds: tuple[int, ...] = (), **popen_options) -> Launch:
    """Popen the launcher with piped output; the started pipe's write end goes to the guest."""
    read_end, write_end = started
    try:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            close_fds=True, pass_fds=(write_end, *extra_fds), start_new_session=True,
            **popen_options)
    except BaseException:
        os.close(read_end)
        raise
    finally:
        # Only the guest may hold the write end, so EOF means it is gone or done starting.
        for fd in (write_end, *extra_fds):
            os.close(fd)

    def kill_tree() -> None:
        # Until we reap the launcher its pid cannot be recycled, so this cannot hit a
        # stranger; the uid sweep then catches whatever left the process group.
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        kill_uid(uid)

    return Launch(proc, read_end, kill_tree)


# The bubblewrap command line for one run.
#
# bwrap runs as root without a user namespace, so it can bind the root-only runtime and the
# workspace; inside, prlimit sets the rlimits and setpriv drops to the slot uid for real (no
# capabilities, empty bounding set, no_new_privs) before the interpreter starts. The guest is
# pid 1 of its pid namespace (`--as-pid-1`) so that bwrap reaps it and its rusage reaches us;
# when it exits, the kernel kills whatever else lives in the namespace.

_DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom")


@dataclass
class _Tree:
    """Accumulates bwrap filesystem options, creating parents world-traversable first."""

    args: list[str]
    made: set[str]

    def parents(self, guest: str) -> None:
        # bwrap as root would create missing parents 0700, unreachable for the slot uid.
        for parent in reversed(PurePosixPath(guest).parents):
            name = str(parent)
            if name != "/" and name not in self.made:
                self.args += ["--perms", "0755", "--dir", name]
                self.made.add(name)

    def bind(self, host: Path | str, guest: str, *, writable: bool = False,
             device: bool = False) -> None:
        self.parents(guest)
        option = "--dev-bind" if device else "--bind" if writable else "--ro-bind"
        self.args += [option, str(host), guest]
        self.made.add(guest)

    def host_path(self, path: Path) -> None:
        """Bind (or recreate as a symlink) a host path at the same guest path."""
        if path.is_symlink():
            self.parents(str(path))
            self.args += ["--symlink", os.readlink(path), str(path)]
        else:
            self.bind(path, str(path))


def _filesystem(runtime: HostRuntime, mounts: list[Mount], workspace: Workspace,
                limits: Limits) -> list[str]:
    tree = _Tree([], set())
    for directory in system_library_dirs():
        # A runtime at /usr (distribution Python) already brings /usr/lib with it.
        if directory.is_symlink() or not directory.is_relative_to(runtime.prefix):
            tree.host_path(directory)
    for helper in ("prlimit", "setpriv"):
        tree.host_path(helper_binary(helper))
    # The runtime keeps its host path: its RUNPATH points there, so no LD_LIBRARY_PATH.
    tree.bind(runtime.prefix, str(runtime.prefix))
    if runtime.site_packages.is_dir():
        tree.args += ["--perms", "0555", "--tmpfs", str(runtime.site_packages)]
    tree.bind(runtime.numpy_dir, f"{GUEST_LIB}/numpy")
    if runtime.numpy_libs:
        tree.bind(runtime.numpy_libs, f"{GUEST_LIB}/numpy.libs")
    tree.bind(workspace.input_dir, GUEST_IN)
    tree.bind(workspace.output_dir, GUEST_OUT, writable=True)
    for mount in mounts:
        tree.bind(mount.host, mount.guest)
    tree.args += ["--size", str(limits.tmp_bytes), "--perms", "1777", "--tmpfs", GUEST_TMP]
    tree.parents("/dev/x")
    for device in _DEVICES:
        tree.bind(device, device, device=True)
    tree.args += ["--proc", "/proc"]
    return tree.args


def _drop_privileges(slot: Slot) -> list[str]:
    return [str(helper_binary("setpriv")), f"--reuid={slot.uid}", f"--regid={slot.gid}",
            "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]


def bubblewrap_command(*, runtime: HostRuntime, mounts: list[Mount], workspace: Workspace,
                       limits: Limits, slot: Slot, env: dict[str, str], python_argv: list[str],
                       seccomp_fd: int | None) -> list[str]:
    """The full argv: bwrap, its namespaces and mounts, prlimit, setpriv, then the guest."""
    command = [BWRAP, *NAMESPACES, "--as-pid-1", "--die-with-parent", "--new-session",
               "--clearenv", "--hostname", "sandbox"]
    for key, value in env.items():
        command += ["--setenv", key, value]
    command += _filesystem(runtime, mounts, workspace, limits)
    command += ["--chdir", GUEST_TMP]
    if seccomp_fd is not None:
        command += ["--seccomp", str(seccomp_fd)]
    command += ["--", str(helper_binary("prlimit")), *prlimit_arguments(limits), "--"]
    return command + _drop_privileges(slot) + python_argv


# Starting a guest under bubblewrap: the command line, its seccomp filter and its pipes.


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
