"""The grader's harness: a trusted parent that never runs the student's code.

Usage (in the sandbox): python warden.py JOB_JSON SUBMISSION_DIR

The warden is the program the sandbox starts. It makes itself non-dumpable (its memory,
descriptors and /proc files closed to every other process of its uid, a mark the sandbox's
seccomp filter lets no process undo) and runs the submission only in confined processes it
forks (confined.py), to which it sends each case over a pipe. Everything that decides a
verdict is made here, where the student's code cannot write:

- the records go to the warden's stdout, a pipe to the grader that no other process holds;
  a confined process's own output is a separate pipe, read here and never parsed as records;
- time is the confined process's CPU clock, read from outside (``clock_gettime`` of its
  process clock) at each reply: every CPU second it uses after its import is charged to the
  request it is answering, so no work can hide between requests;
- peak memory is the kernel's high-water mark of a process that ran nothing but the
  measured call (``wait4``'s ``ru_maxrss``), above its resident size before the student's
  code ran;
- a case's CPU limit is enforced here by killing the process.

Hidden cases stay hidden: the grader hands them over in read-once files (the
after-due-date cases in one, the hidden ones in another), which the warden opens and deletes
before it starts any process, and reads one at a time: the after-due-date cases once every
public case is done, the hidden ones once every after-due-date case is done. So the process
that runs the public cases (whose messages and output a student reads) never holds an input
of a case the student may not see, in a file or in memory; the process that runs the
after-due-date cases (whose messages open after the due date) never holds a hidden one;
neither do the processes that run a measured case (forked before any read, and sent their
case in the request: there is nothing to precompute at import). The processes forked after
the last read run only hidden cases, whose messages and output the student never sees.

Records are the run.py ones, in the vocabulary of harness/protocol.py: {"import": ...},
{"case": id, ...}, plus {"output": text} (what the public cases' process printed),
{"budget_spent": true} (the run's CPU budget ended it before its last case) and
{"system_error": text} (the harness failed).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import os
import resource
import selectors
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the harness is the package `harness`

from harness import confined, kinds, protocol, wire  # noqa: E402
from harness.measure.timing import time_growth  # noqa: E402
from harness.protocol import untrusted_fields  # noqa: E402

# Read once each, in this order, each by processes of its own (grader/grading/pipeline.py).
AFTER_DUE_FILE, HIDDEN_FILE = "after_due.json", "hidden.json"
OUTPUT_CAP = 64 << 10      # bytes of the public process's output kept for the student
KILL_GRACE = 1.0           # CPU seconds past a case's limit before the process is killed
RUN_LIMIT_MARGIN = 0.1     # stop a process this long before the run's RLIMIT_CPU would
WALL_FACTOR, WALL_EXTRA = 3.0, 5.0  # a request waits at most this much wall time (a sleep)
_PR_SET_DUMPABLE = 4


class HarnessFailure(RuntimeError):
    """The harness itself cannot go on (not the student's doing)."""


def make_non_dumpable() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise HarnessFailure(f"prctl(PR_SET_DUMPABLE, 0): errno {ctypes.get_errno()}")


def cpu_seconds(pid: int) -> float:
    """The CPU time of process ``pid`` (all its threads), from the kernel's process clock."""
    return time.clock_gettime(((~pid) << 3) | 2)  # MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED)


class Emitter:
    """The records, one JSON line each, on the warden's own stdout."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __call__(self, record: dict) -> None:
        wire.write_all(self.fd, wire.encode(record))


@dataclass
class Reply:
    body: dict | None          # None: the process died, misbehaved or ran out of time
    cpu_seconds: float         # charged to this request
    error: dict | None = None  # why body is None


@dataclass
class Confined:
    """One confined process, seen from the warden."""

    pid: int
    requests: int
    replies: wire.LineReader
    output: int
    keep_output: bool
    captured: bytearray = field(default_factory=bytearray)
    baseline_rss: int = 0
    mark: float = 0.0          # its CPU clock at the last reply: what the next one is charged
    run_cpu_left: Callable[[], float] = lambda: float("inf")  # the whole run's CPU budget
    alive: bool = True
    status: int | None = None
    max_rss: int = 0

    def _keep(self, data: bytes) -> None:
        """Keep what it printed, up to the cap, when its output is the student's to read."""
        if self.keep_output and len(self.captured) < OUTPUT_CAP:
            self.captured.extend(data[:OUTPUT_CAP - len(self.captured)])

    def _drain_output(self) -> None:
        try:
            self._keep(os.read(self.output, 1 << 16))
        except BlockingIOError:
            return

    def ready(self, seconds: float = 10.0) -> bool:
        """Read the line a confined process sends before anything of the student's runs: its
        resident size then. False when it never came (the process is gone)."""
        deadline = time.monotonic() + seconds
        selector = selectors.DefaultSelector()
        selector.register(self.replies.fd, selectors.EVENT_READ)
        try:
            while time.monotonic() < deadline and not self.replies.closed:
                if not selector.select(deadline - time.monotonic()):
                    continue
                lines = self.replies.read_available()
                if lines:
                    self.baseline_rss = int(json.loads(lines[0])["ready"]["resident_bytes"])
                    return len(lines) == 1
        except (ValueError, KeyError, TypeError, wire.MessageTooLong):
            pass
        finally:
            selector.close()
        return False

    def ask(self, message: dict, cpu_limit: float) -> Reply:
        """Send ``message`` and wait for its reply, killing the process past the limit."""
        nonce = os.urandom(8).hex()  # unguessable: a reply written ahead cannot carry it
        try:
            wire.write_all(self.requests, wire.encode({**message, "nonce": nonce}))
        except OSError:
            return self._dead(0.0, cpu_limit)
        started_wall = time.monotonic()
        wall_limit = WALL_FACTOR * cpu_limit + WALL_EXTRA
        # Past the run's CPU budget (what the sandbox's RLIMIT_CPU would have allowed one
        # process running everything) the process is stopped too, whatever its case allows.
        stop_at = self.mark + min(cpu_limit + KILL_GRACE,
                                  max(self.run_cpu_left() - RUN_LIMIT_MARGIN, 0.0))
        selector = selectors.DefaultSelector()
        selector.register(self.replies.fd, selectors.EVENT_READ)
        selector.register(self.output, selectors.EVENT_READ)
        try:
            while True:
                now = self.cpu()
                if now >= stop_at or time.monotonic() - started_wall > wall_limit:
                    return self._killed(cpu_limit, now - self.mark)
                # CPU time cannot pass faster than the wall clock on one thread.
                wait = max(0.005, min(stop_at - now, 0.25))
                for key, _ in selector.select(wait):
                    if key.fd == self.output:
                        self._drain_output()
                        continue
                    try:
                        lines = self.replies.read_available()
                    except wire.MessageTooLong:
                        return self._broken("a reply was longer than the harness accepts")
                    if lines:
                        return self._answer(lines, nonce)
                    if self.replies.closed:
                        return self._dead(self.cpu() - self.mark, cpu_limit)
        finally:
            selector.close()

    def _answer(self, lines: list[bytes], nonce: str) -> Reply:
        now = self.cpu()
        charged, self.mark = now - self.mark, now
        if len(lines) != 1:
            return self._broken("the process replied to a request it was not sent")
        try:
            reply = json.loads(lines[0])
            ok = isinstance(reply, dict) and reply.get("nonce") == nonce \
                and isinstance(reply.get("body"), dict)
        except ValueError:
            ok = False
        if not ok:
            return self._broken("the process's reply was not the harness's")
        return Reply(reply["body"], charged)

    def cpu(self) -> float:
        try:
            return cpu_seconds(self.pid)
        except OSError:
            return self.mark  # gone: it used nothing more that we can see

    def _killed(self, limit: float, used: float) -> Reply:
        self.kill()
        return Reply(None, used, {"category": "timeout", "limit": limit})

    def _broken(self, why: str) -> Reply:
        self.kill()
        return Reply(None, 0.0, {"category": "forbidden",
                                 "message": f"{why}: the test's result was tampered with"})

    def _dead(self, used: float, limit: float | None = None) -> Reply:
        self.reap()
        if limit is not None and self.status is not None and os.WIFSIGNALED(self.status) \
                and os.WTERMSIG(self.status) == signal.SIGXCPU:
            # Its own RLIMIT_CPU (the run's) ran out before the warden, scheduled late on a
            # loaded machine, stopped it: a timeout like any other.
            return Reply(None, used, {"category": "timeout", "limit": limit})
        return Reply(None, used, death_error(self.status))

    def kill(self) -> None:
        if self.alive:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        self.reap()

    def reap(self) -> None:
        if not self.alive:
            return
        for fd in (self.requests, self.replies.fd):
            with contextlib.suppress(OSError):
                os.close(fd)
        _, self.status, usage = os.wait4(self.pid, 0)
        self.max_rss = usage.ru_maxrss * 1024
        self.alive = False
        try:
            while True:  # what it printed before it went
                data = os.read(self.output, 1 << 16)
                if not data:
                    break
                self._keep(data)
        except OSError:
            pass
        os.close(self.output)


def death_error(status: int | None) -> dict:
    """The error of a case whose process ended while running it."""
    if status is not None and os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return {"category": "crash", "message": f"the process ended (killed by {name})"}
    code = os.WEXITSTATUS(status) if status is not None else None
    return {"category": "crash", "message": f"the process ended (exit code {code})"}


class Warden:
    def __init__(self, job: dict, submission_dir: str, emit: Emitter) -> None:
        self.job, self.submission_dir, self.emit = job, submission_dir, emit
        self.runner = kinds.runner(job["kind"])
        self.load_limit = float(job.get("load_time_limit", 10))
        self.children: list[Confined] = []
        self.measuring: dict[int, list[Confined]] = {}  # by case id: forked before the hidden read
        soft, _hard = resource.getrlimit(resource.RLIMIT_CPU)
        self.cpu_budget = float("inf") if soft == resource.RLIM_INFINITY else float(soft)

    def cpu_left(self) -> float:
        """CPU seconds the run may still use: its RLIMIT_CPU (what the grading budget leaves
        this run) less what the warden and every process it ran have used."""
        reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
        used = time.process_time() + reaped.ru_utime + reaped.ru_stime
        self.children = [child for child in self.children if child.alive]
        used += sum(child.cpu() for child in self.children)
        return self.cpu_budget - used

    def budget_spent(self) -> bool:
        return self.cpu_left() <= RUN_LIMIT_MARGIN

    def fork(self, keep_output: bool) -> Confined:
        """A confined process, waiting for "go" before it imports anything of the student's."""
        requests_r, requests_w = os.pipe()
        replies_r, replies_w = os.pipe()
        output_r, output_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            confined.start(requests_r, replies_w, output_w, self.job, self.submission_dir)
        for fd in (requests_r, replies_w, output_w):
            os.close(fd)
        for fd in (requests_w, replies_r, output_r):
            os.set_inheritable(fd, False)
        os.set_blocking(replies_r, False)
        os.set_blocking(output_r, False)
        child = Confined(pid, requests_w, wire.LineReader(replies_r), output_r, keep_output,
                         run_cpu_left=self.cpu_left)
        self.children.append(child)
        return child

    def start(self, child: Confined) -> dict:
        """Have ``child`` import the submission; the import record's body."""
        if not child.ready():
            child.kill()
            return death_error(child.status)
        child.mark = child.cpu()
        started = time.perf_counter()
        reply = child.ask({"go": True}, self.load_limit)
        if reply.body is None:
            error = reply.error
            if error.get("category") == "timeout":
                return {"category": "timeout", "limit": self.load_limit,
                        "message": f"importing {self.job['submit_file']} did not finish "
                                   f"within {self.load_limit:g} s of CPU time"}
            return error
        body = {key: reply.body.get(key) for key in ("category", "message", "limit")
                if key in reply.body}
        if not body.get("category"):
            body = {"category": None, "seconds": time.perf_counter() - started}
        return body

    # -- cases -----------------------------------------------------------------------------

    def run_cases(self, cases: list[dict], public: bool, first: Confined | None = None) -> str:
        """Run ``cases`` in order, each record emitted as it ends: the measured ones in the
        processes set aside for them, the others in one process (``first``, or one forked
        now), replaced when a case ends it. What that process printed, when ``public``."""
        process, output, broken = first, bytearray(), None
        for case in cases:
            if self.budget_spent():
                self.emit({protocol.BUDGET_SPENT: True})  # the grader tells the cases left so
                break
            if case.get("check") in kinds.MEASURED_CHECKS:
                self.emit(self.run_measured(case, public))
                continue
            if process is None and broken is None:
                process = self.fork(keep_output=public)
                imported = self.start(process)
                if imported.get("category"):  # it imported before: nothing more to try
                    process.kill()
                    if self.budget_spent():  # stopped by the budget, not by its own import
                        self.emit({protocol.BUDGET_SPENT: True})
                        break
                    process, broken = None, imported if public else hide_message(imported)
            if broken is not None:
                self.emit({"case": case["id"], "error": broken, "cpu_seconds": 0.0})
                continue
            record, usable = self.run_plain(process, case)
            self.emit(record)
            if not usable:
                output.extend(process.captured)
                process = None
        if process is not None:
            process.kill()
            output.extend(process.captured)
        return bytes(output[:OUTPUT_CAP]).decode("utf-8", "replace") if public else ""

    def run_measured(self, case: dict, public: bool) -> dict:
        children = self.measuring.pop(case["id"], [])
        if not children:
            return {protocol.CASE: case["id"],
                    protocol.SYSTEM_ERROR: "no process was set aside for this test"}
        if case["check"] == "growth":
            return self.run_growth(children, case)
        for extra in children[1:]:
            extra.kill()
        return self.run_memory(children[0], case, public)

    def run_plain(self, child: Confined, case: dict) -> tuple[dict, bool]:
        """(the record, whether the process is still usable) of a case run by ``child``."""
        calls_of = getattr(self.runner, "calls_of", None)
        if calls_of is not None:
            return self.run_calls(child, case, calls_of(case))
        limit = float(case.get("time_limit", 10))
        started = time.perf_counter()
        reply = child.ask({"op": "case", "case": case, "time_limit": limit,
                           "timeout_category": case.get("timeout_category", "timeout")}, limit)
        record = {"case": case["id"]}
        if reply.body is None:
            record["error"] = self._case_error(reply.error, case)
            record["ended_process"] = True
        else:
            record.update(self._answered(reply.body, case))
        record["wall_seconds"] = time.perf_counter() - started
        record["cpu_seconds"] = reply.cpu_seconds
        return record, reply.body is not None

    def run_calls(self, child: Confined, case: dict, calls: list) -> tuple[dict, bool]:
        """A case made of calls (the tests kind: each call an instructor's test makes), sent
        one request each, so that each call's CPU time is measured here: the record's
        ``call_seconds``. The case's time limit is for all its calls together."""
        limit = float(case.get("time_limit", 10))
        record, results, seconds, peaks = {"case": case["id"]}, [], [], {}
        started, usable = time.perf_counter(), True
        measuring = self.measuring.pop(case["id"], [])  # forked before the hidden read
        for number, call in enumerate(calls):
            left = limit - sum(seconds)
            if left <= 0:
                record["error"] = self._case_error({"category": "timeout", "limit": limit}, case)
                break
            process = child
            if call.get("memory"):  # alone in a process: its peak is the call's
                process = measuring.pop(0) if measuring else None
                imported = self.start(process) if process is not None else \
                    {"category": "crash", "message": "no process was set aside for this call"}
                if imported.get("category"):
                    if process is not None:
                        process.kill()
                    record["error"] = hide_message(imported)
                    break
            request = {"op": "call", "call": call, "time_limit": left,
                       "timeout_category": case.get("timeout_category", "timeout")}
            reply = process.ask(request, left)
            if process is not child:
                process.kill()  # reaped: its rusage holds the peak of its whole life
                peaks[str(number)] = max(process.max_rss - process.baseline_rss, 0)
            seconds.append(reply.cpu_seconds)
            if reply.body is None:
                record["error"] = self._case_error(reply.error, case)
                record["ended_process"] = process is child
                usable = process is not child
                break
            answer = self._answered(reply.body, case)
            if "error" in answer or "key_error" in answer:  # the student's code raised
                record.update({key: answer[key] for key in ("error", "key_error")
                               if key in answer})
                break
            results.append(answer)
        else:
            record["results"] = results
        for spare in measuring:
            spare.kill()
        record.update({protocol.CALL_SECONDS: seconds, "cpu_seconds": sum(seconds),
                       "wall_seconds": time.perf_counter() - started})
        if peaks:
            record[protocol.CALL_PEAKS] = {"method": protocol.RSS, "bytes": peaks}
        return record, usable

    def _answered(self, body: dict, case: dict) -> dict:
        """What a confined process answered, without what it may not speak for; a timeout
        its own alarm reported is worded with the case's limit (the alarm was set to what
        the case had left)."""
        answer = untrusted_fields(body)
        error = answer.get("error")
        if isinstance(error, dict) and "limit" in error:
            answer["error"] = self._case_error({"category": "timeout",
                                                "limit": float(case.get("time_limit", 10))},
                                               case)
        return answer

    def _case_error(self, error: dict, case: dict) -> dict:
        if error.get("category") == "timeout" and "limit" in error:
            limit = float(case.get("time_limit", 10))
            category = case.get("timeout_category", "timeout")
            return {"category": category, "limit": limit,
                    "message": f"stopped after {limit:g} s of CPU time"}
        return error

    def run_growth(self, children: list[Confined], case: dict) -> dict:
        """A growth case. Each timed call of the graph the judge checks runs in a fresh
        confined process (nothing of an earlier call can be replayed: what a call hands back
        is what it built); the other graphs' calls share one (a faster call there can only
        count against the submission)."""
        limit = float(case.get("time_limit", 10))
        spent = {"cpu": 0.0}
        failure: dict = {}
        shared: dict[int, Confined] = {}

        def process_for(number: int) -> Confined | None:
            if number in shared and shared[number].alive:
                return shared[number]
            if not children:
                return None
            child = children.pop(0)
            imported = self.start(child)
            if imported.get("category"):
                child.kill()
                failure.update(error=hide_message(imported))
                return None
            if not case["graphs"][number].get("checked", True):
                shared[number] = child
            return child

        def timed_calls(number: int):
            graph = case["graphs"][number]

            def timed_call(_attempt: int):
                left = limit - spent["cpu"]
                if left <= 0 and not failure:  # the earlier calls spent the case's limit
                    failure.update(error=self._case_error({"category": "timeout",
                                                           "limit": limit}, case))
                child = None if failure else process_for(number)
                if child is None:
                    return {"not_measured": True}, float("inf")
                reply = child.ask({"op": "growth-call", "graph": graph, "time_limit": left,
                                   "timeout_category": case.get("timeout_category",
                                                                "timeout")},
                                  left)
                if number not in shared:
                    child.kill()
                spent["cpu"] += reply.cpu_seconds
                if reply.body is None:
                    failure.update(error=self._case_error(reply.error, case))
                    return {"not_measured": True}, float("inf")
                if "error" in reply.body or "key_error" in reply.body:
                    failure.update(self._answered(reply.body, case))
                    return {"not_measured": True}, float("inf")
                return untrusted_fields(reply.body), reply.cpu_seconds

            return timed_call

        result = time_growth(case, timed_calls,
                             failed=lambda kept: bool(failure) or self.runner.growth_failed(kept))
        record = {"case": case["id"], **(failure or result), "cpu_seconds": spent["cpu"]}
        for child in [*children, *shared.values()]:
            child.kill()
        return record

    def run_memory(self, child: Confined, case: dict, public: bool) -> dict:
        """A memory case in a process of its own: its peak above its size before the import."""
        limit = float(case.get("time_limit", 10))
        record = {"case": case["id"]}
        imported = self.start(child)
        if imported.get("category"):
            child.kill()
            return {**record, "error": imported if public else hide_message(imported)}
        reply = child.ask({"op": "memory-call", "case": case, "time_limit": limit,
                           "timeout_category": case.get("timeout_category", "timeout")}, limit)
        child.kill()  # reaped: its rusage holds the peak of its whole life
        record["cpu_seconds"] = reply.cpu_seconds
        if reply.body is None:
            return {**record, "error": self._case_error(reply.error, case)}
        record.update(self._answered(reply.body, case))
        if "error" not in record and "key_error" not in record:
            record["memory"] = {"gradient_peak": max(child.max_rss - child.baseline_rss, 0),
                                "method": protocol.RSS}
        return record


def hide_message(error: dict) -> dict:
    """An error of a process that may hold hidden inputs: its category, not its words."""
    return {"category": error.get("category", "exception"),
            "message": "importing your file failed in the process that runs this test"}


def run(job_path: str, submission_dir: str) -> int:
    make_non_dumpable()
    # Python's SIGINT handler would let any process of the uid raise KeyboardInterrupt here.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    emit = Emitter(os.dup(1))
    out_dir = Path(os.environ.get("SANDBOX_OUT", "/sandbox/out"))
    later = [fd for fd in (_open_read_once(out_dir / AFTER_DUE_FILE),
                           _open_read_once(out_dir / HIDDEN_FILE)) if fd is not None]
    job = json.loads(Path(job_path).read_text())
    warden = Warden(job, submission_dir, emit)
    # Everything alive now (numpy, the kit, the job) is left out of every collection, here
    # and in each child: a collection walking it would write to every object's header and
    # copy each page a forked child shares with the warden.
    gc.freeze()
    # Every process that will run a measured case is forked now, before the hidden cases
    # are read: none of them holds a case it has not been sent.
    warden.measuring = {int(case_id): [warden.fork(keep_output=False) for _ in range(count)]
                        for case_id, count in job.get("measured", {}).items()}
    try:
        public = warden.fork(keep_output=True)
        import_record = warden.start(public)
        emit({protocol.IMPORT: import_record})
        if import_record.get("category"):
            public.kill()
            return 0
        emit({protocol.OUTPUT: warden.run_cases(job["cases"], public=True, first=public)})
        # The after-due-date cases, then the hidden ones: each file read only once the cases
        # before it are done, by processes forked after the read, so the process whose
        # messages open after the due date never held a hidden input.
        for fd in later:
            with os.fdopen(fd, "rb") as cases_file:
                cases = json.loads(cases_file.read())["cases"]
            warden.run_cases(cases, public=False)
    finally:
        for children in warden.measuring.values():
            for child in children:
                child.kill()
    return 0


def _open_read_once(path: Path) -> int | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    os.unlink(path)
    return fd


def main(job_path: str, submission_dir: str) -> int:
    try:
        return run(job_path, submission_dir)
    except BaseException as failure:  # noqa: BLE001 (the grader must hear of any failure here)
        text = "".join(traceback.format_exception(failure))[-4000:]
        wire.write_all(1, wire.encode({protocol.SYSTEM_ERROR: text}))
        return 70


if __name__ == "__main__":
    sys.setrecursionlimit(1000)  # the default, stated: deep graphs must not need recursion
    # Everything it says went out unbuffered; tearing down the interpreter (numpy, the kit,
    # the job) would only add to the student's wait.
    os._exit(main(*sys.argv[1:3]))
