"""A process the student's code runs in, forked by the warden (warden.py).

Before anything of the student's runs, the process confines itself: it keeps only its two
pipes to the warden and one for its output, may start no process or thread (RLIMIT_NPROC
0: a helper's CPU time would escape the warden's clock) and write no file (RLIMIT_FSIZE 0:
no state handed from one process to the next). It inherits the warden's non-dumpable mark,
which the sandbox's seccomp filter lets no process undo: its /proc files, among them the
peak-memory record the warden reads, stay closed to its own writes.

Then it waits for "go", imports the submission and answers the warden's requests, one
line each way (wire.py), each reply carrying the request's nonce. It measures nothing: the
warden reads its CPU clock and its peak memory from outside.
"""

from __future__ import annotations

import fcntl
import gc
import json
import os
import resource
import sys

from . import kinds, wire
from .student_code import guarded, import_submission, install_alarm

REQUESTS_FD, REPLIES_FD = 3, 4


def start(requests: int, replies: int, output: int, job: dict, submission_dir: str) -> None:
    """In the child right after fork: confine, then serve; never returns."""
    code = 0
    try:
        # Out of the way first: a pipe may already sit on a number another one is going to.
        requests, replies, output = (fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
                                     for fd in (requests, replies, output))
        os.dup2(requests, REQUESTS_FD)
        os.dup2(replies, REPLIES_FD)
        os.dup2(output, 1)
        os.dup2(output, 2)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.closerange(REPLIES_FD + 1, os.sysconf("SC_OPEN_MAX"))  # the warden's fds too
        for limit in (resource.RLIMIT_NPROC, resource.RLIMIT_FSIZE):
            resource.setrlimit(limit, (0, 0))
        sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
        sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)
        # Its size before anything of the student's runs, sent while it is still trusted:
        # its peak so far, which a fork starts afresh, so its resident size now (getrusage
        # needs no /proc, which the fallback's Landlock rules keep closed to it).
        _reply({"ready": {"resident_bytes":
                          resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}})
        serve(job, submission_dir)
    except BaseException:  # noqa: BLE001 (the student's code may raise anything, SystemExit too)
        code = 1
    finally:
        os._exit(code)


def _requests():
    with os.fdopen(REQUESTS_FD, "rb", buffering=1 << 16) as lines:
        for line in lines:
            yield json.loads(line)


def _reply(message: dict) -> None:
    wire.write_all(REPLIES_FD, wire.encode(message))


def serve(job: dict, submission_dir: str) -> None:
    requests = _requests()
    go = next(requests, None)
    if go is None:
        return  # never used: the warden closed the pipe
    install_alarm()
    runner = kinds.runner(job["kind"])  # before the student's code runs
    entry, import_record = import_submission(submission_dir, job["submit_file"], job["entry"],
                                             float(job.get("load_time_limit", 10)))
    _reply({"nonce": go["nonce"], "body": import_record})
    if entry is None:
        return
    gc.freeze()  # what lives for the whole run is out of the collector's sight (timing.py)
    steps = {
        "case": lambda request: runner.run_case(entry, request["case"]),
        "growth-call": lambda request: runner.growth_call(entry, request["graph"]),
        "memory-call": lambda request: runner.memory_call(entry, request["case"]),
        "call": lambda request: runner.run_call(entry, request["call"]),  # one of a case's
    }
    for request in requests:
        step = steps[request["op"]]
        body = guarded(lambda step=step, request=request: step(request), submission_dir,
                       float(request["time_limit"]), request.get("timeout_category", "timeout"))
        _reply({"nonce": request["nonce"], "body": body})
