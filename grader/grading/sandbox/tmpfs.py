"""Size-capped tmpfs mounts on the host (via libc mount(2)), used when we are allowed to mount."""

from __future__ import annotations

import os

from .libc import libc

_MS_NOSUID = 0x2
_MS_NODEV = 0x4
_MS_NOEXEC = 0x8
_MNT_DETACH = 0x2


def mount_tmpfs(target: str, *, size: int, owner: int, inodes: int = 4096) -> bool:
    """Mount a private tmpfs of `size` bytes on `target` owned by `owner`; False if refused."""
    options = f"size={size},nr_inodes={inodes},mode=0700,uid={owner},gid={owner}"
    flags = _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
    result = libc().mount(b"tmpfs", os.fsencode(target), b"tmpfs", flags, options.encode())
    return result == 0


def unmount(target: str) -> None:
    """Lazily detach whatever is mounted on `target`; nothing mounted is fine."""
    libc().umount2(os.fsencode(target), _MNT_DETACH)
