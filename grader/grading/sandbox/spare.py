"""Pre-started ("spare") sandboxes: the fixed cost of a run paid before its job exists.

A cold run spends about 0.3 s before the guest's own code starts: bwrap, the interpreter,
`import numpy`, the preloaded modules. A spare is a guest launched exactly like a cold one (its
own bwrap, its own slot uid and workspace, its own tmpfs and rlimits) whose bootstrap has
done those imports and blocks on a go pipe. A run whose launch parameters match (GuestSpec)
writes its input files into the spare's workspace, sends the go byte and is then supervised
like a cold run: the wall limit counts from go, RLIMIT_CPU gets the start-up CPU on top (set
by the guest's bootstrap at go, see bootstrap.py) and the reported CPU time is the run's own.
A spare serves exactly one run: it is a fresh process tree, torn down with its slot like any
other.

Each process keeps at most one spare (SparePool), made lazily on first use and replaced in
the background as soon as it is taken. A pool belongs to the process that made it: a forked
child (Celery's prefork pool) starts without one and only closes its copies of the parent's
descriptors. Without bubblewrap there is no spare: the fallback keeps cold starts.
"""

from __future__ import annotations

import atexit
import dataclasses
import logging
import os
import queue
import selectors
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .config import BUBBLEWRAP, slot_uids
from .confine import SeccompUnavailable
from .guest import Mount
from .host import RuntimeNotFound, host_runtime
from .launch import Launch, launch_bubblewrap
from .limits import Limits
from .result import SandboxResult
from .slots import (
    NoFreeSlot,
    Slot,
    Workspace,
    clear_workspace,
    kill_uid,
    prepare_workspace,
    processes_of_uid,
    release_slot,
    reserve_slot,
    runs_as,
    write_inputs,
    write_read_once,
)
from .supervise import OutputWatch, build_result, supervise_to_the_end

log = logging.getLogger("grader.grading.sandbox")

# A spare starts with RLIMIT_CPU this far above the run limit it was made for: room for the
# start-up, which the bootstrap then adds (in whole seconds) to the run's limit at go. It
# can only lower its own limit, so it serves runs whose CPU limit is at most that run limit.
START_UP_CPU_SECONDS = 10
READY_SECONDS = 20.0  # a spare not ready by then (a machine in trouble) is given up
MAX_FAILED_STARTS = 3  # in a row: then this process stops pre-starting and runs cold
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_START_FAILURES = (NoFreeSlot, RuntimeNotFound, SeccompUnavailable, OSError)


class SpareNotReady(RuntimeError):
    """A spare died or hung before its preloaded imports were done."""


@dataclass(frozen=True)
class GuestSpec:
    """Everything a guest is launched with. A spare serves a run only when these are equal.

    Of the limits, the wall clock and the output cap are the supervisor's and RLIMIT_CPU is
    set at go (up to the spare's `cpu_seconds`), so they may differ between the spare and the
    run; every other limit is fixed at launch (rlimits, tmpfs sizes).
    """

    script: str
    args: tuple[str, ...]
    mounts: tuple[Mount, ...]
    python_path: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    preload: tuple[str, ...]
    launch_limits: Limits

    @classmethod
    def of(cls, *, script: str, args: list[str], mounts: list[Mount], python_path: list[str],
           env: dict[str, str], preload: tuple[str, ...], limits: Limits) -> GuestSpec:
        return cls(script, tuple(args), tuple(mounts), tuple(python_path),
                   tuple(sorted(env.items())), tuple(preload),
                   dataclasses.replace(limits, wall_seconds=1.0, cpu_seconds=1, output_bytes=1))


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of `pid` (all its threads) so far."""
    with open(f"/proc/{pid}/stat", "rb") as handle:
        fields = handle.read().rpartition(b")")[2].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime, stime


def _await_ready(started_fd: int, timeout: float) -> None:
    """Read the start pipe until the bootstrap's "R"; SpareNotReady on EOF or timeout."""
    deadline = time.monotonic() + timeout
    seen = b""
    with selectors.DefaultSelector() as selector:
        selector.register(started_fd, selectors.EVENT_READ)
        while b"R" not in seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise SpareNotReady(f"not ready after {timeout:g} s")
            if selector.select(left):
                data = os.read(started_fd, 16)
                if not data:
                    raise SpareNotReady("the guest ended during its start-up")
                seen += data


class SpareSandbox:
    """One guest launched ahead of its run and blocked on its go pipe."""

    def __init__(self, spec: GuestSpec, cpu_seconds: int, slot: Slot, workspace: Workspace,
                 launch: Launch, go_fd: int) -> None:
        self.spec, self.slot, self.workspace, self.launch = spec, slot, workspace, launch
        self.cpu_seconds = cpu_seconds  # the largest run CPU limit it can take
        self.go_fd: int | None = go_fd
        self.guest_pid: int | None = None
        self.ready_at: float | None = None

    @classmethod
    def start(cls, spec: GuestSpec, limits: Limits, state: Path) -> SpareSandbox:
        """Launch a spare and return it once its preloaded imports are done."""
        # A spare never waits for a uid: when the pool is short, the runs need them more.
        slot = reserve_slot(state, slot_uids(), wait_seconds=0)
        try:
            if not slot.was_clean:
                kill_uid(slot.uid)  # whatever a crashed worker left running under this uid
            workspace = prepare_workspace(state, slot, {}, limits, private_tmp=False)
            launch_limits = dataclasses.replace(
                limits, cpu_seconds=limits.cpu_seconds + START_UP_CPU_SECONDS)
        except BaseException:
            release_slot(slot)
            raise
        try:
            go_read, go_write = os.pipe()
            try:
                launch = launch_bubblewrap(
                    host_runtime(), list(spec.mounts), workspace, launch_limits, slot,
                    dict(spec.env),
                    spec.script, list(spec.args), list(spec.python_path), go_fd=go_read,
                    preload=spec.preload)
            except BaseException:
                os.close(go_write)
                raise
        except BaseException:
            clear_workspace(workspace.root)
            release_slot(slot)
            raise
        spare = cls(spec, limits.cpu_seconds, slot, workspace, launch, go_write)
        try:
            _await_ready(launch.started_fd, READY_SECONDS)
            # Before go the guest does not fork: the slot's only process is the interpreter.
            guests = processes_of_uid(slot.uid)
            if len(guests) != 1:
                raise SpareNotReady(f"expected one process of uid {slot.uid}, found {guests}")
        except BaseException:
            stderr = spare.discard()
            log.warning("spare sandbox failed to start: %s", stderr[-2000:])
            raise
        spare.guest_pid, spare.ready_at = guests[0], time.monotonic()
        return spare

    def run(self, files: dict[str, bytes], limits: Limits, watch: OutputWatch | None = None,
            read_once: dict[str, bytes] | None = None) -> SandboxResult | None:
        """Give the job to the guest and supervise it; None if the spare was found dead
        before the guest took the job (nothing of it ran: the caller starts a cold run)."""
        pid = self.guest_pid
        try:
            write_inputs(self.workspace.input_dir, files, self.slot.gid)
            write_read_once(self.workspace.output_dir, read_once or {}, self.slot.uid)
            if self.launch.proc.poll() is not None or not runs_as(pid, self.slot.uid):
                raise ProcessLookupError(f"spare guest {pid} is gone")
            start_up = _cpu_seconds(pid)  # blocked on the go pipe: it uses no more
            started_at = time.monotonic()
            os.write(self.go_fd, b"G%d" % limits.cpu_seconds)
        except OSError as error:
            log.warning("spare sandbox unusable, starting cold: %s", error)
            self.discard()
            return None
        finally:
            self._close_go()
        try:
            seen, outputs = supervise_to_the_end(self.launch, self.slot, self.workspace, limits,
                                                 started_at, watch)
        finally:
            release_slot(self.slot)
        if not seen.started:  # the guest never acknowledged go: it was dead already
            log.warning("spare sandbox died before its run began; starting cold")
            return None
        seen.cpu_seconds = max(0.0, seen.cpu_seconds - start_up)
        return dataclasses.replace(build_result(seen, outputs, BUBBLEWRAP, limits), spare=True)

    def discard(self) -> bytes:
        """Kill the guest, empty its slot and workspace; return what it wrote to stderr."""
        self._close_go()  # EOF on the go pipe: a live guest exits without running anything
        launch = self.launch
        launch.kill_tree()
        launch.proc.wait()
        reaped = kill_uid(self.slot.uid)
        os.set_blocking(launch.proc.stderr.fileno(), False)
        stderr = launch.proc.stderr.read() or b""
        for stream in (launch.proc.stdout, launch.proc.stderr):
            stream.close()
        os.close(launch.started_fd)
        clear_workspace(self.workspace.root)
        if reaped:
            self.slot.mark_clean()
        release_slot(self.slot)
        return stderr

    def _close_go(self) -> None:
        if self.go_fd is not None:
            os.close(self.go_fd)
            self.go_fd = None

    def forget_inherited(self) -> None:
        """In a forked child: close our copies of the parent's descriptors, touch nothing else."""
        self._close_go()
        self.launch.proc.stdout.close()
        self.launch.proc.stderr.close()
        os.close(self.launch.started_fd)
        os.close(self.slot.lock_fd)  # the parent's flock lives on in the parent's own fd


class SparePool:
    """This process's spare (at most one) and the thread that starts and discards spares."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.changed = threading.Condition()
        self.spare: SpareSandbox | None = None
        self.starting: GuestSpec | None = None
        self.failed_starts = 0
        self.closed = False
        self.jobs: queue.SimpleQueue[Callable[[], object] | None] = queue.SimpleQueue()
        # bwrap's --die-with-parent is PR_SET_PDEATHSIG, which fires when the *thread* that
        # spawned it ends. So every spare is spawned here, on one thread as long-lived as
        # the process: the spare dies with the process, never with a short-lived thread.
        threading.Thread(target=self._work, name="sandbox-spares", daemon=True).start()

    def _work(self) -> None:
        while (job := self.jobs.get()) is not None:  # None: the pool was closed
            try:
                job()
            except Exception:
                log.exception("spare sandbox housekeeping failed")

    def take(self, spec: GuestSpec, cpu_seconds: int) -> SpareSandbox | None:
        """The ready spare if it was launched with `spec` and can give a run `cpu_seconds`
        of CPU (waiting for it if it is being started); None otherwise."""
        with self.changed:
            self.changed.wait_for(lambda: self.starting != spec, timeout=READY_SECONDS)
            spare, self.spare = self.spare, None
        if spare is not None and (spare.spec != spec or spare.cpu_seconds < cpu_seconds):
            self.jobs.put(spare.discard)
            return None
        return spare

    def replenish(self, spec: GuestSpec, limits: Limits, state: Path) -> None:
        """Start a spare for `spec` in the background unless one exists or is on its way."""
        with self.changed:
            if (self.closed or self.spare is not None or self.starting is not None
                    or self.failed_starts >= MAX_FAILED_STARTS):
                return
            self.starting = spec
        self.jobs.put(lambda: self._start(spec, limits, state))

    def _start(self, spec: GuestSpec, limits: Limits, state: Path) -> None:
        spare = None
        try:
            spare = SpareSandbox.start(spec, limits, state)
        except (*_START_FAILURES, SpareNotReady) as error:
            log.warning("could not pre-start a spare sandbox: %s", error)
        with self.changed:
            self.starting = None
            self.failed_starts = 0 if spare is not None else self.failed_starts + 1
            if self.failed_starts == MAX_FAILED_STARTS:
                log.error("%d spare sandboxes in a row failed to start; this process runs "
                          "every sandbox cold from now on", MAX_FAILED_STARTS)
            keep = spare is not None and not self.closed
            if keep:
                self.spare = spare
            self.changed.notify_all()
        if spare is not None and not keep:
            spare.discard()

    def close(self) -> None:
        """Discard the waiting spare (at exit); later requests get none."""
        if os.getpid() != self.pid:
            return  # a forked child's atexit: the spare is the parent's
        with self.changed:
            self.closed = True
            # One being started is discarded by _start; wait, so that none outlives the call.
            self.changed.wait_for(lambda: self.starting is None, timeout=READY_SECONDS)
            spare, self.spare = self.spare, None
        if spare is not None:
            spare.discard()
        self.jobs.put(None)


_pool: SparePool | None = None
_pool_lock = threading.Lock()
_inherited: list[SparePool] = []  # kept referenced so that nothing of them runs in a child


def process_pool() -> SparePool:
    """This process's pool, made on first use (so after any fork)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool.pid != os.getpid():
            _pool = SparePool()
            atexit.register(_pool.close)
        return _pool


def shutdown_spares() -> None:
    """Discard this process's spare now (tests, benchmarks, a child about to os._exit); a
    later run that asks for one starts a new pool."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None and pool.pid == os.getpid():
        pool.close()


def _forget_after_fork() -> None:
    global _pool, _pool_lock
    inherited, _pool, _pool_lock = _pool, None, threading.Lock()
    if inherited is not None:
        _inherited.append(inherited)
        # The keeper thread did not survive the fork; a spare it was starting just then
        # leaks only descriptors into this child, never a run.
        if inherited.spare is not None:
            inherited.spare.forget_inherited()


os.register_at_fork(after_in_child=_forget_after_fork)


def run_on_spare(state: Path, spec: GuestSpec, files: dict[str, bytes],
                 limits: Limits, watch: OutputWatch | None = None,
                 read_once: dict[str, bytes] | None = None) -> SandboxResult | None:
    """Run on this process's spare if it matches `spec` (None: run cold); either way, have
    the next spare, launched with `spec`, start in the background."""
    pool = process_pool()
    spare = pool.take(spec, limits.cpu_seconds)
    pool.replenish(spec, limits, state)
    if spare is None:
        return None
    return spare.run(files, limits, watch, read_once)
