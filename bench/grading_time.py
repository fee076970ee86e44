"""Per-submission grading time of each assignment's reference solution, split into phases.

Usage: .venv/bin/python bench/grading_time.py [--repeats N]
"first" is the first verdict: from grade_submission's start to the partial document of the
public tests (what a student sees first); "wall" is the whole grading.
The first grading of each assignment in a process is cold (graphs built, reference
answers computed); the following ones are warm, as in a long-lived worker.
"""

from __future__ import annotations

import argparse
import statistics
import time

from grader.grading.assignments import load_assignments
from grader.grading.pipeline import grade_submission


def timed_grading(slug: str, source: str) -> tuple[float, float, dict]:
    """Seconds to the first verdict (the whole grading when there is one stage), in all."""
    started = time.perf_counter()
    first_verdict: list[float] = []
    document = grade_submission(slug, source, on_public_result=lambda partial: (
        first_verdict.append(time.perf_counter() - started)))
    wall = time.perf_counter() - started
    return (first_verdict[0] if first_verdict else wall), wall, document


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
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
