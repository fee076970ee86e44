"""Seccomp filters: kernel attack surface off in both modes, sockets off in the fallback."""

from __future__ import annotations

import errno
import logging
import os
import tempfile
from functools import cache
from types import ModuleType

log = logging.getLogger("grader.grading.sandbox")

# Syscalls a grading program never needs and that widen the kernel surface a hostile program
# can reach (io_uring can also create sockets behind a socket() filter's back).
_DENIED_EVERYWHERE = (
    "io_uring_setup", "io_uring_enter", "io_uring_register", "bpf", "perf_event_open",
    "userfaultfd", "keyctl", "add_key", "request_key", "ptrace", "process_vm_readv",
    "process_vm_writev", "unshare", "setns", "mount", "umount2", "pivot_root", "fsopen",
    "fsmount", "fspick", "move_mount", "open_tree", "open_by_handle_at", "name_to_handle_at",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "swapon", "swapoff", "reboot", "acct", "quotactl", "syslog", "vhangup",
)
_DENIED_IN_FALLBACK = ("socket", "socketpair")
_CLONE_NEWUSER = 0x10000000
_PR_SET_DUMPABLE = 4


class SeccompUnavailable(RuntimeError):
    """pyseccomp or the system libseccomp is missing."""


def _pyseccomp() -> ModuleType:
    try:
        import pyseccomp
    except (ImportError, RuntimeError, OSError) as error:
        raise SeccompUnavailable(f"pyseccomp/libseccomp unavailable: {error}") from error
    return pyseccomp


def build_filter(block_sockets: bool):
    """A libseccomp filter (pyseccomp.SyscallFilter) allowing all but the denied syscalls."""
    seccomp = _pyseccomp()
    deny = seccomp.ERRNO(errno.EPERM)
    syscall_filter = seccomp.SyscallFilter(seccomp.ALLOW)
    names = _DENIED_EVERYWHERE + (_DENIED_IN_FALLBACK if block_sockets else ())
    for name in names:
        try:
            syscall_filter.add_rule(deny, name)
        except (OSError, ValueError, RuntimeError):
            log.debug("syscall %s unknown on this architecture", name)
    # A new user namespace would hand the guest capabilities over fresh namespaces.
    syscall_filter.add_rule(deny, "clone",
                            seccomp.Arg(0, seccomp.MASKED_EQ, _CLONE_NEWUSER, _CLONE_NEWUSER))
    # A process that made itself non-dumpable stays so: its memory, descriptors and /proc
    # files stay closed to the other processes of its uid, and its peak-memory record can no
    # longer be reset through /proc/self/clear_refs (grader/grading/harness/warden.py).
    syscall_filter.add_rule(deny, "prctl", seccomp.Arg(0, seccomp.EQ, _PR_SET_DUMPABLE),
                            seccomp.Arg(1, seccomp.NE, 0))
    # clone3 passes its flags in memory where seccomp cannot look; ENOSYS makes libc use clone.
    syscall_filter.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    return syscall_filter


@cache
def compiled_filter(block_sockets: bool) -> bytes:
    """The filter as raw BPF, for `bwrap --seccomp FD`; built once per process."""
    syscall_filter = build_filter(block_sockets)
    with tempfile.TemporaryFile() as exported:
        syscall_filter.export_bpf(exported)
        exported.seek(0)
        return exported.read()


def filter_pipe(bpf: bytes) -> int:
    """A pipe read end preloaded with `bpf` (small enough to fit the pipe buffer)."""
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, bpf)
    finally:
        os.close(write_end)
    return read_end
