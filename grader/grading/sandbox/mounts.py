"""Read-only mounts requested by the caller and the guest paths the sandbox reserves."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

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
