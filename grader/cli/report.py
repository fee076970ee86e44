"""Print a result document for people: a per-test table, the diagnoses and the score."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table


def print_report(document: dict, console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title=document["output"].splitlines()[0], show_lines=False)
    for column in ("#", "test", "score", "result", "category"):
        table.add_column(column, justify="right" if column in ("#", "score") else "left")
    for test in document["tests"]:
        ok = test["status"] == "passed"
        table.add_row(test["number"], test["name"], f"{test['score']:g}/{test['max_score']:g}",
                      "[green]passed[/]" if ok else "[red]failed[/]", ", ".join(test["tags"]))
    console.print(table)
    for test in document["tests"]:
        if test["status"] == "passed" or not test.get("output"):
            continue
        console.print(f"\n[bold red]{test['number']}. {test['name']}[/]: ", end="")
        console.print(test["output"], markup=False, highlight=False)
        diagnosis = test.get("extra_data", {}).get("diagnosis", {})
        for key in ("node", "op", "expected", "received", "abs_error", "rel_error"):
            if key in diagnosis:
                console.print(f"    {key}: {_short(diagnosis[key])}", markup=False,
                              highlight=False)
        if diagnosis.get("traceback"):
            console.print("    " + str(diagnosis["traceback"]).rstrip().replace("\n", "\n    "),
                          markup=False, highlight=False)
        if diagnosis.get("hint"):
            console.print(f"    [cyan]hint[/]: {diagnosis['hint']}", highlight=False)
    load_problem = "\n".join(document["output"].splitlines()[1:])
    if load_problem:
        console.print(load_problem, markup=False, highlight=False)
    console.print(f"\n[bold]score: {document['score']:g} / {document['max_score']:g}[/]")


def _short(value) -> str:
    if isinstance(value, dict) and "values" in value:
        more = ", …" if value.get("truncated") else ""
        return f"shape {value['shape']}: {value['values']}{more}"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)
