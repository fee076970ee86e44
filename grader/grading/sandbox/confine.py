"""The kernel's confinement interfaces that the os module does not wrap.

libc (mount, prctl and the Landlock syscalls); seccomp filters (kernel attack surface off in
both modes, sockets off in the fallback); Landlock rulesets (the fallback's file confinement).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import logging
import os
import tempfile
from functools import cache
from pathlib import Path
from types import ModuleType

log = logging.getLogger("grader.grading.sandbox")

# The C library, for the few syscalls the os module does not wrap (mount, prctl).

@cache
def libc() -> ctypes.CDLL:
    """The process's libc with errno reporting."""
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


# Seccomp filters: kernel attack surface off in both modes, sockets off in the fallback.

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


# Landlock for the fallback: without a mount namespace, confine what the guest may open.
#
# The ruleset is built in the parent (as root, from O_PATH handles) and only enforced in the
# child between fork and exec, so the worker itself is never restricted. Where the kernel has no
# Landlock the fallback goes on without it, as documented.


# Landlock syscall numbers are shared by every architecture.
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_MAKE_AND_REMOVE = sum(1 << bit for bit in (4, 5, 7, 8, 10, 12))  # dirs, files, fifos, links
_REFER, _TRUNCATE, _IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1

READ_ONLY = READ_FILE | READ_DIR
READ_EXEC = READ_ONLY | EXECUTE
READ_WRITE = READ_ONLY | WRITE_FILE | _MAKE_AND_REMOVE | _TRUNCATE
DEVICE = READ_FILE | WRITE_FILE
_FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | _TRUNCATE | _IOCTL_DEV


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _syscall(number: int, *args) -> int:
    result = libc().syscall(number, *args)
    if result < 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))
    return result


@cache
def abi_version() -> int:
    """The kernel's Landlock ABI version, 0 when Landlock is unavailable."""
    try:
        return _syscall(_CREATE_RULESET, None, ctypes.c_size_t(0),
                        ctypes.c_uint32(_CREATE_RULESET_VERSION))
    except OSError:
        return 0


def _handled_fs(abi: int) -> int:
    handled = (1 << 13) - 1  # every right of ABI 1
    if abi >= 2:
        handled |= _REFER
    if abi >= 3:
        handled |= _TRUNCATE
    if abi >= 5:
        handled |= _IOCTL_DEV
    return handled


def build_ruleset(rules: list[tuple[Path, int]]) -> int | None:
    """A ruleset fd allowing only `rules` (path, rights) and no TCP at all; None without
    Landlock."""
    abi = abi_version()
    if abi == 0:
        log.warning("Landlock is unavailable: the fallback guest can read world-readable files")
        return None
    handled = _handled_fs(abi)
    attr = _RulesetAttr(handled, (_NET_BIND_TCP | _NET_CONNECT_TCP) if abi >= 4 else 0)
    size = ctypes.sizeof(attr) if abi >= 4 else 8
    ruleset = _syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size),
                       ctypes.c_uint32(0))
    try:
        for path, rights in rules:
            allow(ruleset, path, rights)
    except BaseException:
        os.close(ruleset)
        raise
    return ruleset


def allow(ruleset: int, path: Path, rights: int) -> None:
    """Add `rights` beneath `path` (resolved now, in the calling process) to the ruleset."""
    rights &= _handled_fs(abi_version())
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    try:
        if not os.path.isdir(f"/proc/self/fd/{fd}"):
            rights &= _FILE_RIGHTS  # directory rights on a file are an error
        beneath = _PathBeneathAttr(rights, fd)
        _syscall(_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(beneath),
                 ctypes.c_uint32(0))
    finally:
        os.close(fd)


def enforce(ruleset: int) -> None:
    """Restrict the calling process (needs no_new_privs, set by the seccomp filter first)."""
    _syscall(_RESTRICT_SELF, ruleset, ctypes.c_uint32(0))
