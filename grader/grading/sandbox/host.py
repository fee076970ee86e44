"""The host: where its Python runtime lives, and which isolation mode works on it.

The runtime, numpy and helper binaries are found, never hard-coded; the fallback gets a
world-readable staged copy of the runtime; the probe chooses bubblewrap when it works here,
else the fallback (loudly).
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import logging
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .config import BUBBLEWRAP, FALLBACK, forced_mode

log = logging.getLogger("grader.grading.sandbox")

# Where the host's Python runtime, numpy and helper binaries live (found, never hard-coded).

_SYSTEM_BIN_PATH = "/usr/bin:/bin:/usr/sbin:/sbin"


class RuntimeNotFound(RuntimeError):
    """Something the sandbox needs is not installed on the host."""


@dataclass(frozen=True)
class HostRuntime:
    """Host paths of the interpreter and the packages the guest may import."""

    prefix: Path
    executable: Path
    stdlib: Path
    numpy_dir: Path
    numpy_libs: Path | None

    @property
    def site_packages(self) -> Path:
        return self.stdlib / "site-packages"


def _numpy_location() -> tuple[Path, Path | None]:
    spec = importlib.util.find_spec("numpy")  # locates without paying for the import
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeNotFound("numpy is not installed next to the grader")
    numpy_dir = Path(next(iter(spec.submodule_search_locations))).resolve()
    libs = numpy_dir.parent / "numpy.libs"
    return numpy_dir, (libs if libs.is_dir() else None)


@cache
def host_runtime() -> HostRuntime:
    """The interpreter behind this process (through any venv) and numpy's directories."""
    prefix = Path(sys.base_prefix).resolve()
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    executable = prefix / "bin" / version
    if not executable.exists():
        executable = Path(os.path.realpath(sys.executable))
    if not executable.is_relative_to(prefix):
        raise RuntimeNotFound(f"interpreter {executable} lies outside {prefix}")
    stdlib = prefix / "lib" / version
    if not (stdlib / "os.py").exists():
        raise RuntimeNotFound(f"no standard library at {stdlib}")
    numpy_dir, numpy_libs = _numpy_location()
    return HostRuntime(prefix, executable, stdlib, numpy_dir, numpy_libs)


@cache
def helper_binary(name: str) -> Path:
    """A util-linux helper (setpriv, prlimit) by its real path."""
    found = shutil.which(name, path=_SYSTEM_BIN_PATH)
    if found is None:
        raise RuntimeNotFound(f"{name} (util-linux) is not installed")
    return Path(os.path.realpath(found))


def system_library_dirs() -> list[Path]:
    """Directories holding the shared libraries every dynamically linked binary needs."""
    return [Path(p) for p in ("/usr/lib", "/usr/lib64", "/lib", "/lib64") if Path(p).exists()]


# A world-readable copy of the runtime for the fallback, where no bind mount can expose it.
#
# Without namespaces the guest runs the interpreter as the slot uid straight from the host
# filesystem. When the runtime sits somewhere that uid cannot read (pyenv under /root, 0700),
# the needed parts are copied once per runtime into the state dir, never per run.

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


# Choosing the isolation mode: bubblewrap when it works here, else the fallback (loudly).

# The bubblewrap binary and the namespaces every run unshares (launch.py builds the rest of the
# command line): the probe tries exactly these.
BWRAP = "bwrap"
NAMESPACES = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
               "--unshare-cgroup-try"]

_PROBE_UID = 65534  # nobody: a probe must not count against a slot's process limit


def _probe_command() -> list[str]:
    command = [BWRAP, *NAMESPACES, "--as-pid-1", "--die-with-parent", "--new-session",
               "--clearenv", "--perms", "0755", "--dir", "/usr"]
    for directory in system_library_dirs():
        if directory.is_symlink():
            command += ["--symlink", str(directory.readlink()), str(directory)]
        else:
            command += ["--ro-bind", str(directory), str(directory)]
    for helper in ("setpriv", "prlimit", "true"):
        command += ["--ro-bind", str(helper_binary(helper)), str(helper_binary(helper))]
    return command + [
        "--", str(helper_binary("prlimit")), "--nofile=64:64", "--",
        str(helper_binary("setpriv")), f"--reuid={_PROBE_UID}", f"--regid={_PROBE_UID}",
        "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--",
        str(helper_binary("true"))]


@cache
def bubblewrap_problem() -> str | None:
    """Why bubblewrap cannot be used on this host, or None when a probe run succeeds."""
    if shutil.which(BWRAP) is None:
        return "bwrap is not installed"
    try:
        probe = subprocess.run(_probe_command(), capture_output=True, timeout=20,
                               stdin=subprocess.DEVNULL)
    except (RuntimeNotFound, OSError, subprocess.TimeoutExpired) as error:
        return str(error)
    if probe.returncode != 0:
        return probe.stderr.decode(errors="replace").strip() or f"exit {probe.returncode}"
    return None


def isolation_mode() -> str:
    """The mode for the next run: AUTOGRADER_SANDBOX if set, else probed once per process."""
    forced = forced_mode()
    if forced is not None:
        return forced
    problem = bubblewrap_problem()
    if problem is None:
        return BUBBLEWRAP
    _warn_fallback(problem)
    return FALLBACK


@cache
def _warn_fallback(problem: str) -> None:
    log.warning(
        "SANDBOX DEGRADED: bubblewrap is unusable here (%s). Student code will run in the "
        "FALLBACK sandbox: rlimits, a real uid drop and a seccomp socket filter, but NO "
        "filesystem or pid isolation; it can read every world-readable host file.", problem)
