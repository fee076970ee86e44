"""Benchmark: the reference autodiff engine against PyTorch's CPU autograd, side by side.

Three cases, each defined once and built twice (engine nodes, torch tensors) from the
same model function, so both sides run the same computation in float64:

1. ``logistic``: the lecture's unit f = 1 / (1 + exp(-(w0 + w1*x1 + w2*x2))) chained
   100 times (each unit's output is the next unit's x1; shared weights, one x2 per unit),
   a scalar graph of about 1,000 nodes;
2. ``mlp``: an MLP 784-256-10, batch 64, relu hidden layer, softmax cross-entropy built
   from elementary ops (log of a sum of exps minus the target logit), gradients of the
   four parameters;
3. ``tanh``: a 10,000-node elementwise chain x <- tanh(x) * 0.9 + x * 0.1 on a vector
   of 16, summed; gradient of the first x. (With ``+ 0.1`` instead of ``+ x * 0.1`` the
   chain's derivative, about 0.675 per step, underflows to exactly 0 long before step
   2,500, and the gradient check would compare zeros.)

Per iteration, torch runs eager forward + ``torch.autograd.grad``. The engine runs in
two modes: ``autodiff`` builds the gradient graph once (the reference ``autodiff``
solution, outside the timed loop) and then evaluates the output and the gradient nodes
in one ``ad.evaluate`` call per iteration; ``backprop`` runs the reference ``backprop``
solution (forward values, then vjp adjoints) per iteration.

Times are medians over ``--repeats`` iterations after warm-up, the implementations
interleaved round by round so that load from other processes hits all of them alike.
Everything runs single-threaded (OPENBLAS_NUM_THREADS=1 and friends, set below before
numpy loads, plus torch.set_num_threads(1)); one extra MLP row runs in a fresh process
with the libraries' default threads. If OPENBLAS_CORETYPE or OPENBLAS_L2_SIZE are set,
the whole table is measured again in a fresh process with both unset.

Run from the repository root:
    .venv/bin/pip install torch==2.13.0 threadpoolctl  # the CPU wheel, from this machine's disk
    .venv/bin/python bench/engine_vs_torch.py          # --quick, --repeats N, --profile
(threadpoolctl is optional: it names the BLAS kernel in use.)
"""

from __future__ import annotations

import os
import sys

# Thread counts must be fixed before numpy and torch load their BLAS / OpenMP runtimes.
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
BLAS_TUNING_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
DEFAULT_THREADS = "--default-threads" in sys.argv
if not DEFAULT_THREADS:
    for _var in THREAD_VARS:
        os.environ[_var] = "1"

import argparse  # noqa: E402
import cProfile  # noqa: E402
import gc  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import pstats  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from types import SimpleNamespace  # noqa: E402

import numpy as np  # noqa: E402

try:
    import torch  # noqa: E402
except ImportError:  # pragma: no cover - depends on the optional extra
    sys.exit("PyTorch is missing: .venv/bin/pip install -e '.[bench]' (torch==2.13.0 is on disk)")

import autodiff as ad  # noqa: E402
from grader.grading.harness.measure.memory import measure_memory  # noqa: E402
from reference import solutions  # noqa: E402

AUTODIFF = solutions.load("autodiff")
BACKPROP = solutions.load("backprop")
IMPLS = ("torch", "autodiff", "backprop")
TARGETS = {"logistic": 1.0, "mlp": 1.5, "tanh": 1.0}  # engine ms / torch ms, from the issue

# ---------------------------------------------------------------------------
# The three models, written once against a small op namespace.


def _sum(x, axis=None):
    return ad.reduce_sum(x, axis=axis)


def _torch_sum(x, axis=None):
    return x.sum() if axis is None else x.sum(dim=axis)


ENGINE_OPS = SimpleNamespace(exp=ad.exp, log=ad.log, relu=ad.relu, tanh=ad.tanh, sum=_sum)
TORCH_OPS = SimpleNamespace(exp=torch.exp, log=torch.log, relu=torch.relu, tanh=torch.tanh,
                            sum=_torch_sum)

LOGISTIC_UNITS = 100
MLP_SIZES = (64, 784, 256, 10)  # batch, input, hidden, classes
TANH_STEPS, TANH_WIDTH = 2500, 16


def logistic_model(v, ops):
    h = v["x1"]
    for k in range(LOGISTIC_UNITS):
        h = 1 / (1 + ops.exp(-(v["w0"] + v["w1"] * h + v["w2"] * v[f"x2_{k}"])))
    return h


def mlp_model(v, ops):
    batch = MLP_SIZES[0]
    hidden = ops.relu(v["X"] @ v["W1"] + v["b1"])
    logits = hidden @ v["W2"] + v["b2"]
    log_sum_exp = ops.log(ops.sum(ops.exp(logits), axis=1))
    return (ops.sum(log_sum_exp) - ops.sum(v["Y"] * logits)) * (1.0 / batch)


def tanh_model(v, ops):
    x = v["x0"]
    for _ in range(TANH_STEPS):
        x = ops.tanh(x) * 0.9 + x * 0.1
    return ops.sum(x)


def logistic_values(rng):
    values = {name: rng.normal() for name in ("w0", "w1", "w2", "x1")}
    values.update({f"x2_{k}": rng.normal() for k in range(LOGISTIC_UNITS)})
    return {name: np.asarray(value) for name, value in values.items()}, list(values)


def mlp_values(rng):
    batch, n_in, n_hidden, n_out = MLP_SIZES
    values = {
        "X": rng.normal(size=(batch, n_in)),
        "Y": np.eye(n_out)[rng.integers(0, n_out, size=batch)],
        "W1": rng.normal(scale=np.sqrt(2.0 / n_in), size=(n_in, n_hidden)),
        "b1": rng.normal(scale=0.01, size=n_hidden),
        "W2": rng.normal(scale=np.sqrt(1.0 / n_hidden), size=(n_hidden, n_out)),
        "b2": rng.normal(scale=0.01, size=n_out),
    }
    return values, ["W1", "b1", "W2", "b2"]


def tanh_values(rng):
    return {"x0": rng.normal(size=TANH_WIDTH)}, ["x0"]


CASES = {
    "logistic": ("logistic chain, scalar", logistic_model, logistic_values),
    "mlp": ("MLP 784-256-10, batch 64", mlp_model, mlp_values),
    "tanh": ("tanh chain, vector of 16", tanh_model, tanh_values),
}


@dataclass
class Case:
    key: str
    title: str
    model: Callable
    values: dict[str, np.ndarray]
    wrt: list[str]
    variables: dict[str, ad.Node]
    out: ad.Node

    @property
    def feed(self):
        return {self.variables[name]: value for name, value in self.values.items()}


def build_case(key: str) -> Case:
    title, model, make_values = CASES[key]
    values, wrt = make_values(np.random.default_rng(0))
    values = {name: np.asarray(value, dtype=np.float64) for name, value in values.items()}
    variables = {name: ad.variable(name, value.shape) for name, value in values.items()}
    return Case(key, title, model, values, wrt, variables, model(variables, ENGINE_OPS))


# ---------------------------------------------------------------------------
# One iteration of each implementation.


def torch_step(case: Case):
    tensors = {name: torch.tensor(value, dtype=torch.float64, requires_grad=name in case.wrt)
               for name, value in case.values.items()}
    leaves = [tensors[name] for name in case.wrt]

    def step():
        out = case.model(tensors, TORCH_OPS)
        return out, torch.autograd.grad(out, leaves)

    return step


def autodiff_step(case: Case, stats: dict | None = None):
    started = time.perf_counter()
    node_to_grad = AUTODIFF.gradient(case.out)
    nodes = [case.out] + [node_to_grad[case.variables[name]] for name in case.wrt]
    if stats is not None:
        stats["build_ms"] = (time.perf_counter() - started) * 1e3
        stats["eval_nodes"] = len(ad.topological_sort(nodes))
    feed = case.feed

    def step():
        return ad.evaluate(nodes, feed)

    return step


def backprop_step(case: Case):
    feed = case.feed

    def step():
        return BACKPROP.gradient(case.out, feed)

    return step


def make_step(case: Case, impl: str, stats: dict | None = None):
    if impl == "torch":
        return torch_step(case)
    if impl == "autodiff":
        return autodiff_step(case, stats)
    return backprop_step(case)


def results_of(case: Case, impl: str, result) -> tuple[np.ndarray | None, list[np.ndarray]]:
    """(output, gradients in case.wrt order) of one step's result."""
    if impl == "torch":
        out, grads = result
        return out.detach().numpy(), [g.numpy() for g in grads]
    if impl == "autodiff":
        return result[0], list(result[1:])
    return None, [result[case.variables[name]] for name in case.wrt]


def verify(case: Case, steps: dict[str, Callable]) -> float:
    """Check that the three implementations agree; return the largest relative difference."""
    got = {impl: results_of(case, impl, steps[impl]()) for impl in IMPLS}
    ref_out, ref_grads = got["torch"]
    worst = 0.0
    for impl in ("autodiff", "backprop"):
        out, grads = got[impl]
        pairs = list(zip(grads, ref_grads, strict=True))
        if out is not None:
            pairs.append((out, ref_out))
        for mine, theirs in pairs:
            if not np.allclose(mine, theirs, rtol=1e-9, atol=1e-12):
                sys.exit(f"{case.key}: {impl} disagrees with torch; the benchmark would be void")
            scale = max(float(np.max(np.abs(theirs))), 1e-300)
            worst = max(worst, float(np.max(np.abs(mine - theirs))) / scale)
    return worst


# ---------------------------------------------------------------------------
# Timing and memory.


def time_cases(keys, repeats: int, warmup: int) -> dict:
    """Median ms per iteration of each implementation on each case, after a check."""
    if not DEFAULT_THREADS:
        torch.set_num_threads(1)
    results = {}
    for key in keys:
        case = build_case(key)
        stats: dict = {"nodes": len(ad.topological_sort([case.out]))}
        steps = {impl: make_step(case, impl, stats) for impl in IMPLS}
        stats["max_rel_diff"] = verify(case, steps)
        for _ in range(warmup):
            for impl in IMPLS:
                steps[impl]()
        times: dict[str, list[float]] = {impl: [] for impl in IMPLS}
        gc.collect()
        for _ in range(repeats):
            for impl in IMPLS:
                started = time.perf_counter()
                steps[impl]()
                times[impl].append(time.perf_counter() - started)
        stats["ms"] = {impl: statistics.median(t) * 1e3 for impl, t in times.items()}
        stats["min_ms"] = {impl: min(t) * 1e3 for impl, t in times.items()}
        results[key] = stats
    return results


def tracemalloc_sees_torch() -> bool:
    report = measure_memory(lambda: torch.ones(1_000_000, dtype=torch.float64))
    return report.peak_bytes >= 8_000_000


def traced_peaks(keys) -> dict:
    """Peak bytes of one iteration under tracemalloc (grader.grading.harness.measure.memory)."""
    peaks = {}
    for key in keys:
        case = build_case(key)
        peaks[key] = {}
        for impl in IMPLS:
            step = make_step(case, impl)
            step()  # warm: lazy imports and caches do not count as the iteration's memory
            peaks[key][impl] = measure_memory(step).peak_bytes
    return peaks


def _proc_status(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def child_rss(key: str, impl: str) -> dict:
    """In a fresh process: the rise of peak RSS over one (first) iteration of ``impl``."""
    torch.set_num_threads(1)
    # Initialise each library on a tiny unrelated graph, so one-time set-up is not counted.
    x = torch.ones(3, dtype=torch.float64, requires_grad=True)
    torch.autograd.grad((torch.tanh(x) @ x).exp(), [x])
    v = ad.variable("v", (3,))
    ad.evaluate([ad.exp(v)], {v: np.ones(3)})
    BACKPROP.gradient(ad.exp(v), {v: np.ones(3)})
    case = build_case(key)
    step = make_step(case, impl)
    gc.collect()
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # reset VmHWM to the current RSS
    before = _proc_status("VmRSS")
    result = step()
    peak = _proc_status("VmHWM")
    del result
    return {"rss_delta": peak - before}


def run_child(args: list[str], env: dict) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def rss_peaks(keys) -> dict:
    env = dict(os.environ)
    return {key: {impl: run_child(["--child-rss", key, impl], env)["rss_delta"]
                  for impl in IMPLS} for key in keys}


def blas_info() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed: kernel unknown"
    parts = []
    for pool in threadpool_info():
        words = [pool["internal_api"], pool.get("version"), pool.get("architecture"),
                 f"threads={pool['num_threads']}"]
        parts.append(" ".join(word for word in words if word))
    return "; ".join(parts)


def environment() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info
                       if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {
        "python": platform.python_version(), "numpy": np.__version__,
        "torch": torch.__version__, "cores": os.cpu_count(), "cpu": cpu,
        "torch_threads": torch.get_num_threads(), "blas": blas_info(),
        "blas_tuning": {var: os.environ.get(var) for var in BLAS_TUNING_VARS},
    }


# ---------------------------------------------------------------------------
# Profiling (--profile): where the engine's time goes.


def profile_cases(keys, iterations: int) -> None:
    for key in keys:
        case = build_case(key)
        for impl in ("autodiff", "backprop"):
            step = make_step(case, impl)
            step()
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(iterations):
                step()
            profiler.disable()
            buffer = io.StringIO()
            pstats.Stats(profiler, stream=buffer).sort_stats("tottime").print_stats(12)
            print(f"\n### cProfile: {case.title}, engine {impl}, {iterations} iterations")
            print("\n".join(buffer.getvalue().splitlines()[3:]))


# ---------------------------------------------------------------------------
# Report.


def _size(nbytes: int | None) -> str:
    if nbytes is None:
        return "-"
    for unit, scale in (("MiB", 2**20), ("KiB", 2**10)):
        if abs(nbytes) >= scale:
            return f"{nbytes / scale:.1f} {unit}"
    return f"{nbytes} B"


def timing_table(timing: dict, extra_rows: dict | None = None) -> str:
    lines = ["| case | nodes (forward / autodiff evaluates) | torch ms/iter | "
             "autodiff ms/iter | autodiff / torch | backprop ms/iter | backprop / torch | "
             "target (autodiff) | autodiff build ms (once) |",
             "|---|---|---|---|---|---|---|---|---|"]
    rows = list(timing.items()) + list((extra_rows or {}).items())
    for label, stats in rows:
        key = label.split(",")[0]
        ms, best = stats["ms"], stats["min_ms"]
        ratio_a, ratio_b = ms["autodiff"] / ms["torch"], ms["backprop"] / ms["torch"]
        target = TARGETS[key]
        verdict = "met" if ratio_a <= target else "missed"
        title = CASES[key][0] + (label[len(key):] if label != key else "")
        lines.append(
            f"| {title} | {stats['nodes']:,} / {stats['eval_nodes']:,} | "
            f"{ms['torch']:.2f} ({best['torch']:.2f}) | "
            f"{ms['autodiff']:.2f} ({best['autodiff']:.2f}) | {ratio_a:.2f}x | "
            f"{ms['backprop']:.2f} ({best['backprop']:.2f}) | {ratio_b:.2f}x | "
            f"<= {target}x: {verdict} | {stats['build_ms']:.1f} |")
    lines.append("\nms/iter: median (minimum) of the timed iterations; ratios are of medians.")
    return "\n".join(lines)


def memory_table(traced: dict, rss: dict | None, torch_traced: bool) -> str:
    torch_note = "" if torch_traced else " (n/c)"
    lines = ["| case | autodiff tracemalloc | backprop tracemalloc | "
             f"torch tracemalloc{torch_note} | autodiff RSS | backprop RSS | torch RSS |",
             "|---|---|---|---|---|---|---|"]
    for key, peaks in traced.items():
        r = (rss or {}).get(key, {})
        lines.append(f"| {CASES[key][0]} | {_size(peaks['autodiff'])} | "
                     f"{_size(peaks['backprop'])} | {_size(peaks['torch'])} | "
                     f"{_size(r.get('autodiff'))} | {_size(r.get('backprop'))} | "
                     f"{_size(r.get('torch'))} |")
    return "\n".join(lines)


def print_environment(env: dict, title: str) -> None:
    print(f"{title}: Python {env['python']}, numpy {env['numpy']}, torch {env['torch']}, "
          f"{env['cores']} cores ({env['cpu']}), torch threads {env['torch_threads']}")
    print(f"  BLAS: {env['blas']}")
    tuning = ", ".join(f"{k}={v}" for k, v in env["blas_tuning"].items() if v is not None)
    print(f"  {tuning or 'OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are not set'}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=None,
                        help="timed iterations per implementation and case (default 30)")
    parser.add_argument("--quick", action="store_true",
                        help="5 repeats, no subprocess measurements (RSS, threads, BLAS env)")
    parser.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument("--profile", action="store_true",
                        help="also print cProfile's top functions for the engine")
    parser.add_argument("--default-threads", action="store_true",
                        help="leave BLAS / torch threads at the libraries' defaults")
    parser.add_argument("--child-timing", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-rss", nargs=2, metavar=("CASE", "IMPL"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    repeats = args.repeats or (5 if args.quick else 30)
    warmup = 1 if args.quick else 3

    if args.child_rss:
        print(json.dumps(child_rss(*args.child_rss)))
        return
    if args.child_timing:
        print(json.dumps({"env": environment(),
                          "timing": time_cases(args.cases, repeats, warmup)}))
        return

    threads = "library defaults" if DEFAULT_THREADS else "1 (OPENBLAS/OMP/MKL_NUM_THREADS=1)"
    print("# Benchmark: reference autodiff engine vs PyTorch CPU autograd (float64)")
    print(f"threads: {threads}; median of {repeats} iterations after {warmup} warm-up")
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    timing = time_cases(args.cases, repeats, warmup)
    print_environment(environment(), "environment")
    for key, stats in timing.items():
        print(f"  {key}: engine and torch agree (max relative difference "
              f"{stats['max_rel_diff']:.1e})")

    extra = {}
    if not args.quick and "mlp" in args.cases and not DEFAULT_THREADS:
        env = {k: v for k, v in os.environ.items() if k not in THREAD_VARS}
        child = run_child(["--child-timing", "--default-threads", "--cases", "mlp",
                           "--repeats", str(repeats)], env)
        extra["mlp, default threads"] = child["timing"]["mlp"]
        print(f"  default-threads row: torch threads {child['env']['torch_threads']}, "
              f"BLAS {child['env']['blas']}")
    print()
    print(timing_table(timing, extra))

    torch_traced = tracemalloc_sees_torch()
    traced = traced_peaks(args.cases)
    rss = None if args.quick else rss_peaks(args.cases)
    print()
    print(memory_table(traced, rss, torch_traced))
    print("\nmemory: peak above the start of one iteration. tracemalloc sees numpy's buffers "
          "and Python objects;"
          + (" it also sees torch's." if torch_traced else
             " it does NOT see torch's C++ allocations (n/c: not comparable)."))
    if rss is not None:
        print("RSS: rise of the kernel's peak RSS (VmHWM) over the first iteration of that case "
              "in a fresh process, libraries initialised first on a tiny graph; page-grained, "
              "includes allocator slack, comparable across the three.")

    tuned = [var for var in BLAS_TUNING_VARS if var in os.environ]
    if tuned and not args.quick:
        env = {k: v for k, v in os.environ.items() if k not in BLAS_TUNING_VARS}
        child = run_child(["--child-timing", "--cases", *args.cases,
                           "--repeats", str(repeats)], env)
        print(f"\n## With {' and '.join(BLAS_TUNING_VARS)} unset (fresh process)")
        print_environment(child["env"], "environment")
        print()
        print(timing_table(child["timing"]))
    elif not tuned:
        print(f"\n{' and '.join(BLAS_TUNING_VARS)} are not set here: the default environment "
              "is already the unset one.")

    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    if args.profile:
        profile_cases(args.cases, iterations=max(3, repeats // 3))

    gc.collect()
    if tracemalloc.is_tracing():
        tracemalloc.stop()


if __name__ == "__main__":
    main()
