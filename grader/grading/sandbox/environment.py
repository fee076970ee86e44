"""The guest's environment: built from nothing, so no host variable can leak in."""

from __future__ import annotations

from .mounts import GUEST_IN, GUEST_OUT

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
