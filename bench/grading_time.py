"""Per-submission grading time of each assignment's reference solution, split into phases.

Usage: .venv/bin/python bench/grading_time.py [--repeats N]
       .venv/bin/python bench/grading_time.py --spare N [--gap SECONDS] [SLUG ...]
"first" is the first verdict: from grade_submission's start to the partial document of the
public tests (what a student sees first); "wall" is the whole grading.
The first grading of each assignment in a process is cold (graphs built, reference
answers computed); the following ones are warm, as in a long-lived worker. With --spare,
each assignment (after one warm-up grading) is graded N times with a cold sandbox start and
N times on pre-started sandboxes (GRADER_SPARE_SANDBOX), `--gap` seconds apart (a worker
between jobs; 0 = back to back), and the medians are compared.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time

from grader.grading.assignments import load_assignments
from grader.grading.pipeline import SPARE_SANDBOX_ENV, grade_submission
from grader.grading.sandbox.spare import shutdown_spares
from grader.grading.warmup import keep_for_life


def cpu_so_far() -> float:
    """CPU seconds of this process and of every child it has reaped (the sandboxes)."""
    return sum(usage.ru_utime + usage.ru_stime for usage in (
        resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)))


def timed_gradings(slug: str, source: str, repeats: int,
                   gap: float) -> tuple[list, list, list, list]:
    """(wall seconds, sandbox-phase seconds, CPU seconds, scores) of `repeats` gradings, `gap`
    s apart. The CPU is the machine's work for one grading, what bounds a burst: the host's
    and the sandbox's (a pre-started sandbox's start-up is charged to the grading after the
    one that started it, which in a series is one start-up per grading)."""
    walls, runs, cpus, scores = [], [], [], []
    for _ in range(repeats):
        time.sleep(gap)
        started, cpu_started = time.perf_counter(), cpu_so_far()
        document = grade_submission(slug, source)
        walls.append(time.perf_counter() - started)
        cpus.append(cpu_so_far() - cpu_started)
        runs.append(document["extra_data"]["phases"]["run"])
        scores.append(f"{document['score']:g}/{document['max_score']:g}")
    return walls, runs, cpus, scores


def compare_spare(slugs: list[str], repeats: int, gap: float) -> None:
    """Median grading time of each reference: cold sandbox starts vs pre-started ones."""
    print(f"{'assignment':12} {'sandbox':8} {'wall p50':>9} {'run p50':>9} {'wall min':>9} "
          f"{'cpu p50':>9} scores")
    for slug, assignment in load_assignments().items():
        if slugs and slug not in slugs:
            continue
        source = assignment.solution.read_text()
        for label, spare in (("cold", "0"), ("spare", "1")):
            os.environ[SPARE_SANDBOX_ENV] = spare
            grade_submission(slug, source)  # warm caches; with spares, starts the first one
            keep_for_life()  # as a worker does after its warm-up
            walls, runs, cpus, scores = timed_gradings(slug, source, repeats, gap)
            print(f"{slug:12} {label:8} {statistics.median(walls):9.3f} "
                  f"{statistics.median(runs):9.3f} {min(walls):9.3f} "
                  f"{statistics.median(cpus):9.3f} {sorted(set(scores))}", flush=True)
            shutdown_spares()


def timed_grading(slug: str, source: str) -> tuple[float, float, dict]:
    """Seconds to the first verdict (the whole grading when there is no partial one), in all."""
    started = time.perf_counter()
    first_verdict: list[float] = []
    document = grade_submission(slug, source, on_public_result=lambda partial: (
        first_verdict.append(time.perf_counter() - started)))
    wall = time.perf_counter() - started
    return (first_verdict[0] if first_verdict else wall), wall, document


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--spare", type=int, metavar="N",
                        help="compare N cold-start gradings with N on pre-started sandboxes")
    parser.add_argument("--gap", type=float, default=0.5)
    parser.add_argument("slugs", nargs="*")
    options = parser.parse_args()
    if options.spare:
        compare_spare(options.slugs, options.spare, options.gap)
        return
    print(f"{'assignment':12} {'run':6} {'first s':>8} {'wall s':>8} {'prepare':>8} "
          f"{'sandbox':>8} {'check':>8} {'score':>10}")
    for slug, assignment in load_assignments().items():
        source = assignment.solution.read_text()
        walls, firsts = [], []
        for run in range(options.repeats + 1):
            first, wall, document = timed_grading(slug, source)
            phases = document["extra_data"]["phases"]
            label = "cold" if run == 0 else f"warm{run}"
            if run:
                walls.append(wall)
                firsts.append(first)
            print(f"{slug:12} {label:6} {first:8.2f} {wall:8.2f} {phases['prepare']:8.2f} "
                  f"{phases['run']:8.2f} {phases['check']:8.2f} "
                  f"{document['score']:g}/{document['max_score']:g}".rjust(10), flush=True)
        print(f"{slug:12} median warm: first verdict {statistics.median(firsts):.2f} s, "
              f"wall {statistics.median(walls):.2f} s")


if __name__ == "__main__":
    main()
