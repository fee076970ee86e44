"""Starting the guest: what both isolation modes hand to the supervisor."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

from .reaper import kill_uid


@dataclass
class Launch:
    """A started guest: its process, the read end of the started pipe, and how to kill it."""

    proc: subprocess.Popen
    started_fd: int
    kill_tree: Callable[[], None]


def started_pipe() -> tuple[int, int]:
    """(read end, write end); the guest's bootstrap writes one byte before guest code runs."""
    read_end, write_end = os.pipe()
    return read_end, write_end


def close_fds(*fds: int | None) -> None:
    """Close the given fds, skipping None."""
    for fd in fds:
        if fd is not None:
            os.close(fd)


def spawn(argv: list[str], *, started: tuple[int, int], uid: int,
          extra_fds: tuple[int, ...] = (), **popen_options) -> Launch:
    """Popen the launcher with piped output; the started pipe's write end goes to the guest."""
    read_end, write_end = started
    try:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            close_fds=True, pass_fds=(write_end, *extra_fds), start_new_session=True,
            **popen_options)
    except BaseException:
        os.close(read_end)
        raise
    finally:
        # Only the guest may hold the write end, so EOF means it is gone or done starting.
        for fd in (write_end, *extra_fds):
            os.close(fd)

    def kill_tree() -> None:
        # Until we reap the launcher its pid cannot be recycled, so this cannot hit a
        # stranger; the uid sweep then catches whatever left the process group.
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        kill_uid(uid)

    return Launch(proc, read_end, kill_tree)
