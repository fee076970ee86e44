"""Per-run cost of the sandbox: a small numpy script bare vs inside run_python.

Usage: .venv/bin/python bench/sandbox_overhead.py [--runs 30] [--mode bubblewrap|fallback]
Must run as root (the sandbox switches to its slot uids). Bare runs use the same interpreter,
the same flags (-I -S -B) and the same bootstrap, without any sandbox around them.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader.grading.sandbox import Limits, run_python  # noqa: E402
from grader.grading.sandbox.guest import python_command  # noqa: E402
from grader.grading.sandbox.host import host_runtime  # noqa: E402

SCRIPT = b"""\
import json, os
import numpy as np
a = np.arange(1000.0)
with open(os.path.join(os.environ["SANDBOX_OUT"], "result.json"), "w") as handle:
    json.dump({"dot": float(a @ a)}, handle)
"""
GUEST_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
             "PYTHONHASHSEED": "0", "LANG": "C.UTF-8"}


def cpu_now() -> float:
    """CPU seconds used so far by this process and its reaped children (load-independent)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measured(run, *args) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one call."""
    cpu, wall = cpu_now(), time.perf_counter()
    run(*args)
    return time.perf_counter() - wall, cpu_now() - cpu


def bare_run(workdir: Path) -> float:
    """One run of the script with the sandbox's interpreter command line, unsandboxed."""
    runtime = host_runtime()
    read_end, write_end = os.pipe()
    argv = python_command(str(runtime.executable), str(workdir / "main.py"), [],
                          [str(runtime.numpy_dir.parent)], started_fd=write_end)
    started = time.perf_counter()
    subprocess.run(argv, check=True, pass_fds=(write_end,), cwd=workdir,
                   env={**GUEST_ENV, "SANDBOX_OUT": str(workdir), "HOME": str(workdir)})
    elapsed = time.perf_counter() - started
    os.close(read_end)
    os.close(write_end)
    return elapsed


def sandbox_run() -> float:
    """One run of the same script through run_python."""
    started = time.perf_counter()
    result = run_python("/sandbox/in/main.py", mounts=[], files={"main.py": SCRIPT},
                        limits=Limits())
    elapsed = time.perf_counter() - started
    if result.reason is not None or "result.json" not in result.files:
        raise SystemExit(f"sandbox run failed: {result.reason} {result.stderr[-500:]!r}")
    return elapsed


def summary(name: str, samples: list[tuple[float, float]]) -> str:
    wall, cpu = [s[0] for s in samples], [s[1] for s in samples]
    return (f"{name:<10} wall mean {statistics.fmean(wall) * 1000:6.1f} ms  "
            f"p50 {statistics.median(wall) * 1000:6.1f} ms   "
            f"cpu mean {statistics.fmean(cpu) * 1000:6.1f} ms  "
            f"p50 {statistics.median(cpu) * 1000:6.1f} ms")


def ratio_line(what: str, index: int, bare: list, boxed: list) -> str:
    bare_p50 = statistics.median(s[index] for s in bare)
    boxed_p50 = statistics.median(s[index] for s in boxed)
    return (f"{what} p50: ratio {boxed_p50 / bare_p50:.2f}x, "
            f"overhead {(boxed_p50 - bare_p50) * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--mode", choices=["bubblewrap", "fallback"], default=None)
    options = parser.parse_args()
    if options.mode:
        os.environ["AUTOGRADER_SANDBOX"] = options.mode
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        (workdir / "main.py").write_bytes(SCRIPT)
        for _ in range(3):  # warm caches, the mode probe and (fallback) the staged runtime
            bare_run(workdir)
            sandbox_run()
        bare, boxed = [], []
        for _ in range(options.runs):  # interleaved so that machine load hits both alike
            bare.append(measured(bare_run, workdir))
            boxed.append(measured(sandbox_run))
    mode = options.mode or "auto"
    print(f"{options.runs} runs each, mode {mode}, python {sys.version.split()[0]}")
    print(summary("bare", bare))
    print(summary("sandboxed", boxed))
    print(ratio_line("wall", 0, bare, boxed))
    print(ratio_line("cpu ", 1, bare, boxed))
    print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cpus")


if __name__ == "__main__":
    main()
