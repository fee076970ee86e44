"""A world-readable copy of the runtime for the fallback, where no bind mount can expose it.

Without namespaces the guest runs the interpreter as the slot uid straight from the host
filesystem. When the runtime sits somewhere that uid cannot read (pyenv under /root, 0700),
the needed parts are copied once per runtime into the state dir, never per run.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from .runtime import HostRuntime

# Big parts of the stdlib a grading program never needs; skipping them keeps the copy small.
_SKIPPED_STDLIB = ("site-packages", "test", "idlelib", "tkinter", "turtledemo", "ensurepip",
                   "lib2to3", "dist-packages")


@dataclass(frozen=True)
class StagedRuntime:
    """Host paths the slot uid can read: interpreter, and a lib dir holding only numpy."""

    python: Path
    bin_dir: Path
    lib_dir: Path
    ld_library_path: str | None


def readable_by_others(path: Path) -> bool:
    """Whether a uid with no relation to the owner can reach and read `path`."""
    real = Path(os.path.realpath(path))
    for parent in reversed(real.parents):
        if not os.stat(parent).st_mode & stat.S_IXOTH:
            return False
    mode = os.stat(real).st_mode
    needed = stat.S_IROTH | (stat.S_IXOTH if stat.S_ISDIR(mode) else 0)
    return mode & needed == needed


def _fingerprint(runtime: HostRuntime) -> str:
    parts = [str(runtime.executable), str(runtime.numpy_dir),
             str(os.stat(runtime.executable).st_mtime_ns),
             str(os.stat(runtime.numpy_dir / "__init__.py").st_mtime_ns)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def _link_numpy(runtime: HostRuntime, lib_dir: Path) -> None:
    lib_dir.mkdir(mode=0o755)
    os.symlink(runtime.numpy_dir, lib_dir / "numpy")
    if runtime.numpy_libs:
        os.symlink(runtime.numpy_libs, lib_dir / "numpy.libs")


def _copy_numpy(runtime: HostRuntime, lib_dir: Path) -> None:
    lib_dir.mkdir(mode=0o755)
    shutil.copytree(runtime.numpy_dir, lib_dir / "numpy", symlinks=True)
    if runtime.numpy_libs:
        shutil.copytree(runtime.numpy_libs, lib_dir / "numpy.libs", symlinks=True)


def _copy_interpreter(runtime: HostRuntime, target: Path) -> None:
    (target / "bin").mkdir(mode=0o755, parents=True)
    shutil.copy2(runtime.executable, target / "bin" / runtime.executable.name)
    lib = target / "lib"
    lib.mkdir(mode=0o755)
    for shared in (runtime.prefix / "lib").glob("libpython*.so*"):
        shutil.copy2(shared, lib / shared.name, follow_symlinks=False)
    shutil.copytree(runtime.stdlib, lib / runtime.stdlib.name, symlinks=True,
                    ignore=lambda d, names: [n for n in names if n in _SKIPPED_STDLIB]
                    if Path(d) == runtime.stdlib else [])


def _make_world_readable(root: Path) -> None:
    for directory, _, names in os.walk(root):
        os.chmod(directory, 0o755)
        for name in names:
            path = Path(directory, name)
            if not path.is_symlink():
                os.chmod(path, 0o755 if os.access(path, os.X_OK) else 0o644)


def _build(runtime: HostRuntime, target: Path, in_place: bool) -> None:
    work = target.with_name(target.name + ".building")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(mode=0o755)
    if in_place:
        _link_numpy(runtime, work / "lib-view")
    else:
        _copy_interpreter(runtime, work / "runtime")
        _copy_numpy(runtime, work / "lib-view")
        _make_world_readable(work)
    os.rename(work, target)  # atomic: readers see the whole tree or nothing


def _runtime_readable(runtime: HostRuntime) -> bool:
    return all(readable_by_others(p) for p in (
        runtime.executable, runtime.stdlib / "os.py", runtime.numpy_dir / "__init__.py"))


def staged_runtime(runtime: HostRuntime, state: Path) -> StagedRuntime:
    """Return a runtime the slot uids can execute, building it on first use."""
    in_place = _runtime_readable(runtime)
    target = state / f"runtime-{_fingerprint(runtime)}{'-view' if in_place else ''}"
    with open(state / "staging.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder at a time; the others wait and reuse it
        if not target.is_dir():
            _build(runtime, target, in_place)
    if in_place:
        return StagedRuntime(runtime.executable, runtime.executable.parent,
                             target / "lib-view", None)
    staged = target / "runtime"
    return StagedRuntime(staged / "bin" / runtime.executable.name, staged / "bin",
                         target / "lib-view", str(staged / "lib"))
