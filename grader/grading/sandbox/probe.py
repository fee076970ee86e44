"""Choosing the isolation mode: bubblewrap when it works here, else the fallback (loudly)."""

from __future__ import annotations

import logging
import shutil
import subprocess
from functools import cache

from .bwrap import BWRAP, NAMESPACES
from .config import BUBBLEWRAP, FALLBACK, forced_mode
from .runtime import RuntimeNotFound, helper_binary, system_library_dirs

log = logging.getLogger("grader.grading.sandbox")

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
