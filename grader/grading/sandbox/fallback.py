"""The fallback launcher, for hosts where bubblewrap cannot create namespaces.

No mounts and no namespaces: the guest runs straight on the host filesystem as the slot uid
(a real setuid, not a namespace mapping), with the rlimits, a seccomp filter that refuses
sockets (so no network, no Redis, no PostgreSQL), a private working dir, a parent-death
signal and, where the kernel has it, a Landlock ruleset limiting what it may open to the
runtime, its inputs and its own output and tmp dirs. Guest paths such as /sandbox/in are
translated to the workspace's host paths.
"""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

from . import confine
from .confine import build_filter, libc
from .guest import (
    GUEST_IN,
    GUEST_LIB,
    GUEST_OUT,
    GUEST_TMP,
    Mount,
    guest_environment,
    is_within,
    python_command,
)
from .host import HostRuntime, StagedRuntime, system_library_dirs
from .launch import Launch, close_fds, spawn, started_pipe
from .limits import Limits, apply_rlimits
from .slots import Slot, Workspace

_PR_SET_PDEATHSIG = 1


def _private_dir(path: Path, gid: int) -> None:
    path.mkdir(mode=0o750, exist_ok=True)
    shutil.chown(path, 0, gid)


def _mount_parents(guest_root: Path, mount: Mount, gid: int) -> None:
    """Create the directories above a mount point, refusing one inside a mounted file."""
    relative = Path(mount.guest.lstrip("/"))
    for parent in reversed(relative.parents[:-1]):
        if (guest_root / parent).exists() and not (guest_root / parent).is_dir():
            # What bwrap says in the same case: a file cannot hold a mount point.
            raise NotADirectoryError(f"Can't mkdir parents for {mount.guest}: /{parent} "
                                     "is a file")
        _private_dir(guest_root / parent, gid)


def _copy_mounts(mounts: list[Mount], workspace: Workspace,
                 gid: int) -> tuple[Path, dict[str, Path]]:
    """Copy each mount to the same guest path under a per-run tree; map its top directory.

    Copies, because the host originals may be unreadable for the slot uid (or writable); the
    guest layout is kept so that `Path(__file__).parent` and sibling imports work as inside.
    """
    guest_root = workspace.root / "guest"
    _private_dir(guest_root, gid)
    table = {}
    for mount in mounts:
        relative = Path(mount.guest.lstrip("/"))
        _mount_parents(guest_root, mount, gid)
        target = guest_root / relative
        if mount.host.is_dir():
            shutil.copytree(mount.host, target, symlinks=False, dirs_exist_ok=True)
        else:
            shutil.copyfile(mount.host, target)
        for path in [target, *target.rglob("*")] if target.is_dir() else [target]:
            shutil.chown(path, 0, gid)
            path.chmod(0o750 if path.is_dir() else 0o640)
        top = relative.parts[0]
        table[f"/{top}"] = guest_root / top
    return guest_root, table


def _landlock_rules(staged: StagedRuntime, runtime: HostRuntime, workspace: Workspace,
                    guest_root: Path) -> list[tuple[Path, int]]:
    executable = [staged.bin_dir.parent, staged.lib_dir, runtime.numpy_dir,
                  *([runtime.numpy_libs] if runtime.numpy_libs else []),
                  *(d.resolve() for d in system_library_dirs())]
    readable = [workspace.input_dir, guest_root, Path("/sys/devices/system/cpu")]
    return ([(p, confine.READ_EXEC) for p in executable]
            + [(p, confine.READ_ONLY) for p in readable]
            + [(p, confine.READ_WRITE) for p in (workspace.output_dir, workspace.tmp_dir)]
            + [(Path(d), confine.DEVICE) for d in ("/dev/null", "/dev/zero", "/dev/urandom")])


def path_translator(table: dict[str, Path]):
    """A function mapping a guest path (or an argument that is one) to its host path."""
    by_depth = sorted(table.items(), key=lambda item: -item[0].count("/"))

    def translate(path: str) -> str:
        for guest, host in by_depth:
            if is_within(path, guest):
                return str(host) + path[len(guest):]
        return path

    return translate


def launch_fallback(*, staged: StagedRuntime, runtime: HostRuntime, mounts: list[Mount],
                    workspace: Workspace, limits: Limits, slot: Slot,
                    env: dict[str, str] | None, script: str, args: list[str],
                    python_path: list[str]) -> Launch:
    """Start the guest as the slot uid, confined by rlimits, seccomp and Landlock."""
    guest_root, mount_table = _copy_mounts(mounts, workspace, slot.gid)
    table = {**mount_table, GUEST_IN: workspace.input_dir, GUEST_OUT: workspace.output_dir,
             GUEST_LIB: staged.lib_dir, GUEST_TMP: workspace.tmp_dir}
    translate = path_translator(table)
    guest_env = guest_environment(
        bin_dir=str(staged.bin_dir), home=str(workspace.tmp_dir),
        out_dir=str(workspace.output_dir), in_dir=str(workspace.input_dir), extra=env,
        ld_library_path=staged.ld_library_path)
    # Built here, as root; the child only loads them.
    syscall_filter = build_filter(block_sockets=True)
    ruleset = confine.build_ruleset(
        _landlock_rules(staged, runtime, workspace, guest_root))

    def confine_child() -> None:
        # Runs in the child after the uid drop, before exec.
        libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        apply_rlimits(limits)
        syscall_filter.load()  # also sets no_new_privs, which Landlock requires
        if ruleset is not None:
            confine.allow(ruleset, Path("/proc/self"), confine.READ_ONLY)  # the child's own
            confine.enforce(ruleset)

    try:
        started = started_pipe()
        argv = python_command(str(staged.python), translate(script),
                              [translate(a) for a in args],
                              [translate(p) for p in python_path] + [str(staged.lib_dir)],
                              started_fd=started[1])
        return spawn(argv, started=started, uid=slot.uid, user=slot.uid, group=slot.gid,
                     extra_groups=[], env=guest_env, cwd=str(workspace.tmp_dir),
                     preexec_fn=confine_child)
    finally:
        close_fds(ruleset)
