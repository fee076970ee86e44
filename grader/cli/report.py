"""Print a result document for people: a per-test table, the diagnoses and the score.

The words and numbers are the submission page's (grader.grading.feedback_text): a test the
reader may not see in full is marked as on the page, and a diagnosis reads line by line as
the page lays it out. The student package ships this module.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from grader.grading.feedback_text import (
    diagnosis_lines,
    diagnosis_of,
    late_text,
    score_text,
    withheld_label,
)


def test_title(test: dict) -> str:
    """The test's name, with the page's mark when its details are withheld from the reader."""
    label = withheld_label(test)
    return f"{test['name']} ({label})" if label else test["name"]


def print_report(document: dict, console: Console | None = None) -> None:
    console = console or Console()
    summary, *load_problem = document.get("output", "").splitlines() or [""]
    table = Table(title=summary, show_lines=False)
    for column in ("#", "test", "score", "result", "category"):
        table.add_column(column, justify="right" if column in ("#", "score") else "left")
    for test in document["tests"]:
        ok = test["status"] == "passed"
        table.add_row(test["number"], test_title(test),
                      score_text(test["score"], test["max_score"]),
                      "[green]passed[/]" if ok else "[red]failed[/]", ", ".join(test["tags"]))
    console.print(table)
    for test in document["tests"]:
        found = diagnosis_of(test)
        if test["status"] == "passed" or not (test.get("output") or found):
            continue
        console.print(f"\n[bold red]{test['number']}. {test['name']}[/]: ", end="")
        console.print(test.get("output") or "", markup=False, highlight=False)
        for line in diagnosis_lines(found):
            text = line.text.rstrip().replace("\n", "\n        ")
            if line.kind == "hint":
                console.print(f"    [cyan]{line.label}[/]: ", end="", highlight=False)
                console.print(text, markup=False, highlight=False)
            else:
                console.print(f"    {line.label}: {text}", markup=False, highlight=False)
    if load_problem:
        console.print("\n".join(load_problem), markup=False, highlight=False)
    console.print(f"\n[bold]score: {score_text(document['score'], document['max_score'])}[/]")


def late_day_line(status: dict) -> str | None:
    """The late days the grade spends on the assignment and those left, as the page says."""
    if not status.get("late_days"):
        return None
    days = status["late_days"]
    line = f"late days: your grade on this assignment spends {days} late day{'s' * (days != 1)}"
    if status.get("late_days_left") is not None:
        line += f"; {status['late_days_left']} left for the term"
    return line


def counted_line(status: dict) -> str | None:
    """The counted score beside the raw one, as the page gives it, when a penalty applies."""
    if not status.get("late_penalty") or status.get("raw_score") is None:
        return None
    return (f"counted: {score_text(status['score'], status['max_score'])} "
            f"(raw {score_text(status['raw_score'], status['max_score'])}, "
            f"{late_text(status['late_penalty'])})")
