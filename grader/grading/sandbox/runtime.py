"""Where the host's Python runtime, numpy and helper binaries live (found, never hard-coded)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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
