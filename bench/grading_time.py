"""Per-submission grading time of each assignment's reference solution, split into phases.

Usage: .venv/bin/python bench/grading_time.py [--repeats N]
The first grading of each assignment in a process is cold (graphs built, reference
answers computed); the following ones are warm, as in a long-lived worker.
"""

from __future__ import annotations

import argparse
import statistics
import time

from grader.grading.assignments import load_assignments
from grader.grading.pipeline import grade_submission


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    print(f"{'assignment':12} {'run':6} {'wall s':>8} {'prepare':>8} {'sandbox':>8} "
          f"{'check':>8} {'score':>10}")
    for slug, assignment in load_assignments().items():
        source = assignment.solution.read_text()
        walls = []
        for run in range(options.repeats + 1):
            started = time.perf_counter()
            document = grade_submission(slug, source)
            wall = time.perf_counter() - started
            phases = document["extra_data"]["phases"]
            label = "cold" if run == 0 else f"warm{run}"
            if run:
                walls.append(wall)
            print(f"{slug:12} {label:6} {wall:8.2f} {phases['prepare']:8.2f} "
                  f"{phases['run']:8.2f} {phases['check']:8.2f} "
                  f"{document['score']:g}/{document['max_score']:g}".rjust(10), flush=True)
        print(f"{slug:12} median warm wall: {statistics.median(walls):.2f} s")


if __name__ == "__main__":
    main()
