"""Grading speed against the targets of docs/grading.md: references, typical bugs, every mutant.

Usage: .venv/bin/python bench/grading_speed.py [--repeats N] [--busy N]
It warms up as a worker does (calibration and reference answers, not timed), then times
whole gradings (sandbox included): each assignment's reference solution (median of N),
the typical buggy autodiff submissions (wrong order, not summed; median of N), and every
mutant of every assignment once (the worst is the figure to watch), checking on the way
that each reference keeps full marks and each mutant still gets the category its first
line expects. --busy N keeps N extra processes spinning on the CPU meanwhile, as at a
deadline.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time

from grader.grading.assignments import get_assignment, load_assignments, mutant_category
from grader.grading.pipeline import grade_submission
from grader.grading.warmup import warm_up

TYPICAL_BUGS = ("wrong_order", "not_summed")


def spin() -> None:
    while True:
        pass


def timed(slug: str, source: str) -> tuple[float, dict]:
    started = time.perf_counter()
    document = grade_submission(slug, source)
    return time.perf_counter() - started, document


def categories(document: dict) -> set[str]:
    return {tag for test in document["tests"] for tag in test["tags"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--busy", type=int, default=0, help="CPU-burning processes alongside")
    options = parser.parse_args()
    started = time.perf_counter()
    healthy = warm_up()
    print(f"warm-up {time.perf_counter() - started:.1f} s: {healthy}")
    burners = [multiprocessing.Process(target=spin, daemon=True) for _ in range(options.busy)]
    for burner in burners:
        burner.start()
    try:
        for slug, assignment in load_assignments().items():
            source = assignment.solution.read_text(encoding="utf-8")
            gradings = [timed(slug, source) for _ in range(options.repeats)]
            walls = [wall for wall, _document in gradings]
            lost = [f"{document['score']:g}/{document['max_score']:g}"
                    for _wall, document in gradings if document["score"] != document["max_score"]]
            print(f"reference {slug:10} median {statistics.median(walls):6.2f} s "
                  f"(min {min(walls):.2f}, max {max(walls):.2f}) "
                  f"{'full marks' if not lost else 'LOST POINTS: ' + ', '.join(lost)}",
                  flush=True)
        autodiff = get_assignment("autodiff")
        for name in TYPICAL_BUGS:
            source = (autodiff.folder / "mutants" / f"{name}.py").read_text(encoding="utf-8")
            walls = [timed("autodiff", source)[0] for _ in range(options.repeats)]
            print(f"typical bug {name:13} median {statistics.median(walls):6.2f} s",
                  flush=True)
        worst = (0.0, "")
        for slug, assignment in load_assignments().items():
            for path in assignment.mutants():
                wall, document = timed(slug, path.read_text(encoding="utf-8"))
                expected = mutant_category(path)
                caught = expected in categories(document)
                print(f"mutant {slug}/{path.stem:24} {wall:6.2f} s  expects {expected}: "
                      f"{'caught' if caught else 'MISSED'}", flush=True)
                worst = max(worst, (wall, f"{slug}/{path.stem}"))
        print(f"worst mutant: {worst[1]} {worst[0]:.2f} s")
    finally:
        for burner in burners:
            burner.terminate()


if __name__ == "__main__":
    main()
