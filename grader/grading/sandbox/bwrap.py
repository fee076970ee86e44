"""The bubblewrap command line for one run.

bwrap runs as root without a user namespace, so it can bind the root-only runtime and the
workspace; inside, prlimit sets the rlimits and setpriv drops to the slot uid for real (no
capabilities, empty bounding set, no_new_privs) before the interpreter starts. The guest is
pid 1 of its pid namespace (`--as-pid-1`) so that bwrap reaps it and its rusage reaches us;
when it exits, the kernel kills whatever else lives in the namespace.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .limits import Limits, prlimit_arguments
from .mounts import GUEST_IN, GUEST_LIB, GUEST_OUT, GUEST_TMP, Mount
from .runtime import HostRuntime, helper_binary, system_library_dirs
from .slots import Slot
from .workspace import Workspace

BWRAP = "bwrap"
NAMESPACES = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
               "--unshare-cgroup-try"]
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
