"""What the guest is given: its paths and mounts, its environment and its command line.

The sandbox reserves a few guest paths (/sandbox/in, /sandbox/out, /sandbox/lib, /tmp) and
checks the caller's read-only mounts against them; the environment is built from nothing, so
no host variable leaks in; the interpreter runs isolated, with a tiny bootstrap that signals
"started", sets sys.path and runs the script as __main__.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

# Read-only mounts requested by the caller and the guest paths the sandbox reserves.

GUEST_ROOT = "/sandbox"
GUEST_IN = "/sandbox/in"
GUEST_OUT = "/sandbox/out"
GUEST_LIB = "/sandbox/lib"
GUEST_TMP = "/tmp"

# Guest paths the sandbox itself populates; caller mounts may not shadow or nest in them.
_RESERVED = (GUEST_IN, GUEST_OUT, GUEST_LIB, GUEST_TMP, "/proc", "/dev", "/usr", "/lib",
             "/lib64", "/bin", "/etc")


@dataclass(frozen=True)
class Mount:
    """A host file or directory made visible read-only at an absolute guest path."""

    host: Path
    guest: str


def normalize_guest_path(path: str) -> str:
    """Return the normalized absolute guest path, or raise ValueError."""
    if not isinstance(path, str) or not path.startswith("/") or "\0" in path:
        raise ValueError(f"guest path must be absolute: {path!r}")
    if ".." in path.split("/"):
        raise ValueError(f"guest path may not contain '..': {path!r}")
    normalized = posixpath.normpath(path)
    return normalized[1:] if normalized.startswith("//") else normalized


def is_within(path: str, parent: str) -> bool:
    """Whether guest `path` equals `parent` or lies below it."""
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def validate_mounts(mounts: list[Mount], forbidden_prefixes: tuple[str, ...] = ()) -> list[Mount]:
    """Check caller mounts and return them normalized, parents before children."""
    checked = []
    for mount in mounts:
        guest = normalize_guest_path(mount.guest)
        if guest in ("/", GUEST_ROOT):
            raise ValueError(f"cannot mount over {guest}")
        for reserved in _RESERVED + forbidden_prefixes:
            if is_within(guest, reserved) or is_within(reserved, guest):
                raise ValueError(f"mount {guest} collides with sandbox path {reserved}")
        host = Path(mount.host)
        if not host.exists():
            raise ValueError(f"mount source does not exist: {host}")
        checked.append(Mount(host=host.resolve(), guest=guest))
    return sorted(checked, key=lambda m: m.guest.count("/"))


# The guest's environment: built from nothing, so no host variable can leak in.

_ONE_THREAD = "1"  # BLAS thread pools would exhaust the process limit and skew CPU time


def guest_environment(*, bin_dir: str, home: str, out_dir: str = GUEST_OUT,
                      in_dir: str = GUEST_IN, extra: dict[str, str] | None = None,
                      ld_library_path: str | None = None) -> dict[str, str]:
    """Every variable the guest will see."""
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": _ONE_THREAD,
        "OMP_NUM_THREADS": _ONE_THREAD,
        "MKL_NUM_THREADS": _ONE_THREAD,
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        # Let a program find its directories whether or not they are mounted at /sandbox.
        "SANDBOX_IN": in_dir,
        "SANDBOX_OUT": out_dir,
    }
    if ld_library_path:
        env["LD_LIBRARY_PATH"] = ld_library_path
    for key, value in (extra or {}).items():
        if not key or "=" in key or "\0" in key or "\0" in value:
            raise ValueError(f"invalid environment variable {key!r}")
        env[key] = value
    return env


# The interpreter command line: isolated flags plus a tiny bootstrap that sets sys.path.

# Runs before any guest code. The byte on `started_fd` tells the host that the sandbox came up
# (so a failure before it is a sandbox-error, never the student's fault); the fd is closed
# before the guest script runs so the guest cannot use it. The script then runs as __main__
# in the interpreter's own main module, like `python script.py` does; runpy would do the same
# but costs about 20 ms of imports per run.
_COLD_START = """\
import os, sys
os.write({fd}, b"S")
os.close({fd})
sys.path[0:0] = {paths!r}
"""

# A spare (spare.py) pays for its imports before there is a job: it says "S" when it came
# up and "R" once the preloaded modules are in, then blocks on the go pipe. The go message is
# b"G" and the run's CPU limit in seconds: the run gets that much on top of the whole seconds
# the start-up used, set here by lowering RLIMIT_CPU (the host may lack CAP_SYS_RESOURCE to
# set another uid's rlimits; lowering one's own needs no privilege). Then it acknowledges
# with "G" (the host's proof that a live guest took the job), closes both fds and runs the
# script. Anything else, EOF included (the host discarded it), ends it without running it.
_SPARE_START = """\
import os, sys, resource
os.write({fd}, b"S")
sys.path[0:0] = {paths!r}
for _name in {preload!r}:
    __import__(_name)
os.write({fd}, b"R")
_go = os.read({go_fd}, 32)
if not _go.startswith(b"G"):
    os._exit(0)
_used = resource.getrusage(resource.RUSAGE_SELF)
_limit = int(_go[1:]) + int(_used.ru_utime + _used.ru_stime) + 1
resource.setrlimit(resource.RLIMIT_CPU, (_limit, _limit + 1))
os.write({fd}, b"G")
os.close({go_fd})
os.close({fd})
"""

_RUN_SCRIPT = """\
del sys.argv[0]
def _main(path=sys.argv[0], main=sys.modules["__main__"], builtins=__builtins__):
    with open(path, "rb") as handle:
        code = compile(handle.read(), path, "exec")
    namespace = main.__dict__
    namespace.clear()
    namespace.update(__name__="__main__", __file__=path, __builtins__=builtins,
                     __doc__=None, __package__=None, __spec__=None, __loader__=None)
    exec(code, namespace)
_main()
"""


def python_command(python: str, script: str, args: list[str] | tuple[str, ...],
                   sys_path: list[str], started_fd: int, go_fd: int | None = None,
                   preload: tuple[str, ...] = ()) -> list[str]:
    """argv that runs `script` with `args` in an isolated interpreter (-I -S -B).

    With `go_fd`, the interpreter first imports `preload` and waits for the go byte there.
    """
    paths = [str(p) for p in sys_path]
    if go_fd is None:
        start = _COLD_START.format(fd=int(started_fd), paths=paths)
    else:
        start = _SPARE_START.format(fd=int(started_fd), go_fd=int(go_fd), paths=paths,
                                    preload=tuple(str(name) for name in preload))
    return [python, "-I", "-S", "-B", "-c", start + _RUN_SCRIPT, script, *args]
