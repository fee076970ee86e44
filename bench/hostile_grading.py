"""How long each hostile file of tests/hostile holds a grader, graded as an autodiff submission.

Usage: .venv/bin/python bench/hostile_grading.py [--busy N] [--assignment SLUG]
Every file goes through the whole pipeline (sandbox, reruns, judging) under the default
grading budget; --busy N keeps N extra processes spinning on the CPU meanwhile, as at a
deadline. The worst time must stay within the budget plus a few seconds (docs/grading.md).
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
from collections import Counter
from pathlib import Path

from grader.grading.budget import Budget
from grader.grading.pipeline import calibrate, grade_submission

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "hostile"


def spin() -> None:
    while True:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=int, default=0, help="CPU-burning processes alongside")
    parser.add_argument("--assignment", default="autodiff")
    options = parser.parse_args()
    budget = Budget()
    calibrate(options.assignment)  # once per worker in production; not part of any file's time
    burners = [multiprocessing.Process(target=spin, daemon=True) for _ in range(options.busy)]
    for burner in burners:
        burner.start()
    print(f"budget {budget.describe()}, {options.busy} busy processes, "
          f"assignment {options.assignment}")
    print(f"{'file':24} {'wall s':>7} {'score':>9}  categories")
    worst = ("", 0.0)
    try:
        for path in sorted(CORPUS.glob("*.py")):
            started = time.perf_counter()
            document = grade_submission(options.assignment, path.read_text(), budget=budget)
            wall = time.perf_counter() - started
            worst = max(worst, (path.stem, wall), key=lambda item: item[1])
            categories = Counter(tag for test in document["tests"] for tag in test["tags"])
            print(f"{path.stem:24} {wall:7.1f} {document['score']:4g}/{document['max_score']:<4g}"
                  f"  {dict(categories)}", flush=True)
    finally:
        for burner in burners:
            burner.terminate()
    print(f"worst: {worst[0]} held the grader {worst[1]:.1f} s "
          f"(budget {budget.wall_seconds:g} s)")


if __name__ == "__main__":
    main()
