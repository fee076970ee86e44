"""False deductions: every reference graded many times, idle and with the CPU saturated.

Usage: .venv/bin/python bench/false_deductions.py [--gradings N] [--busy N] [--spare]
It warms up as a worker does, then grades each assignment's reference solution N times
(default 200) back to back and counts the gradings short of full marks, naming the tests
that lost points (a false deduction: correct code failed); then grades every mutant once
and checks it still gets the category its first line expects. --busy N keeps N processes
spinning on the CPU throughout (2 on this 2-core machine: saturated, as at a deadline);
--spare grades on pre-started sandboxes, as workers do. Prints one summary line per
assignment and exits 1 on any false deduction or missed mutant.
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import os
import statistics
import sys
import time

from grader.grading.assignments import load_assignments, mutant_category
from grader.grading.pipeline import SPARE_SANDBOX_ENV, grade_submission
from grader.grading.warmup import warm_up


def spin() -> None:
    while True:
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gradings", type=int, default=200)
    parser.add_argument("--busy", type=int, default=0, help="CPU-burning processes alongside")
    parser.add_argument("--spare", action="store_true", help="pre-started sandboxes")
    parser.add_argument("slugs", nargs="*", help="assignments (default: all)")
    options = parser.parse_args()
    if options.spare:
        os.environ[SPARE_SANDBOX_ENV] = "1"
    print(f"warm-up: {warm_up()}", flush=True)
    burners = [multiprocessing.Process(target=spin, daemon=True) for _ in range(options.busy)]
    for burner in burners:
        burner.start()
    bad = 0
    try:
        for slug, assignment in load_assignments().items():
            if options.slugs and slug not in options.slugs:
                continue
            source = assignment.solution.read_text(encoding="utf-8")
            walls, short, lost = [], 0, collections.Counter()
            for _ in range(options.gradings):
                started = time.perf_counter()
                document = grade_submission(slug, source)
                walls.append(time.perf_counter() - started)
                if document["score"] != document["max_score"]:
                    short += 1
                    lost.update(f"{t['name']} ({', '.join(t['tags'])})"
                                for t in document["tests"] if t["status"] != "passed")
            bad += short
            print(f"{slug:10} {options.gradings} gradings, busy {options.busy}: "
                  f"{short} short of full marks {dict(lost) or ''}; median "
                  f"{statistics.median(walls):.2f} s, max {max(walls):.2f} s", flush=True)
            missed = [path.stem for path in assignment.mutants()
                      if mutant_category(path) not in
                      {tag for test in grade_submission(slug, path.read_text())["tests"]
                       for tag in test["tags"]}]
            bad += len(missed)
            print(f"{slug:10} mutants: {len(list(assignment.mutants())) - len(missed)} caught"
                  + (f", MISSED {missed}" if missed else ""), flush=True)
    finally:
        for burner in burners:
            burner.terminate()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
