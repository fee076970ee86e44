"""The C library, for the few syscalls the os module does not wrap (mount, prctl)."""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache


@cache
def libc() -> ctypes.CDLL:
    """The process's libc with errno reporting."""
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
