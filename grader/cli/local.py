"""Commands that grade on this machine, in the sandbox: grade, check-assignment, assignments."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from grader.grading.assignments import (
    MisplacedTest,
    UnknownAssignment,
    get_assignment,
    load_assignments,
    mutant_category,
)
from grader.grading.submitted_file import RefusedFile, check_source

from .report import print_report


def _assignment(slug: str):
    try:
        return get_assignment(slug)
    except UnknownAssignment:
        known = ", ".join(load_assignments())
        raise click.UsageError(f"unknown assignment {slug!r} (known: {known})") from None


def _source(path: str, graded_as: str) -> str:
    """Read the file as the server takes an upload: the same check, the same refusals."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise click.UsageError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise click.UsageError(f"{path} is a folder, not a file") from None
    try:
        return check_source(data, graded_as)
    except RefusedFile as refusal:
        raise click.ClickException(f"the server would refuse {path}: {refusal.message}") from None


@click.command()
@click.argument("assignment")
@click.argument("file")
@click.option("--json", "as_json", is_flag=True, help="Print exactly one result document.")
@click.option("--public-only", is_flag=True, help="Run only the visible tests.")
def grade(assignment, file, as_json, public_only):
    """Grade FILE for ASSIGNMENT in the sandbox (exit 0 whenever grading completed)."""
    from grader.grading.pipeline import grade_submission

    spec = _assignment(assignment)
    source = _source(file, spec.submit_file)
    if as_json:
        document = grade_submission(spec.slug, source, public_only=public_only)
        json.dump(document, sys.stdout, allow_nan=False)  # Gradescope parses strict JSON
        sys.stdout.write("\n")
        return
    console = Console(stderr=True)
    with console.status(f"grading {file} for {spec.title}…") as status:
        document = grade_submission(spec.slug, source, public_only=public_only,
                                    progress=lambda message: status.update(message))
    print_report(document, Console())


@click.command("check-assignment")
@click.argument("assignment")
def check_assignment(assignment):
    """Check that the reference scores 100% and that every mutant loses points."""
    from grader.grading.pipeline import grade_submission

    spec = _assignment(assignment)
    console = Console()
    try:  # a test in the wrong file, before anything is graded
        spec.cases()
    except MisplacedTest as misplaced:
        console.print(f"[red]problem:[/] {escape(str(misplaced))}", highlight=False)
        raise SystemExit(1) from None
    runs = {"reference": spec.solution, **{p.stem: p for p in spec.mutants()}}
    documents = {}
    with console.status("grading…") as status:
        for name, path in runs.items():
            status.update(f"grading {name}")
            documents[name] = grade_submission(spec.slug, path.read_text(encoding="utf-8"))
    table = Table(title=f"{spec.slug}: which tests catch which mutants")
    table.add_column("test")
    for name in runs:
        table.add_column(name, justify="center")
    for index, case in enumerate(spec.cases()):
        cells = []
        for name in runs:
            test = documents[name]["tests"][index]
            cells.append("[green]✓[/]" if test["status"] == "passed" else "[red]✗[/]")
        table.add_row(case.name, *cells)
    table.add_row("score", *(f"{documents[n]['score']:g}" for n in runs))
    console.print(table)
    problems = []
    reference = documents["reference"]
    if reference["score"] != reference["max_score"]:
        problems.append(f"the reference scores {reference['score']:g} / {reference['max_score']:g}")
    for name, path in runs.items():
        if name == "reference":
            continue
        if documents[name]["score"] >= reference["max_score"]:
            problems.append(f"mutant {name} loses no points")
        expected = mutant_category(path)
        if expected and expected not in documents[name]["extra_data"]["categories"]:
            problems.append(f"mutant {name} is never diagnosed as {expected}")
    for problem in problems:
        console.print(f"[red]problem:[/] {problem}")
    if problems:
        raise SystemExit(1)
    console.print("[green]the reference scores 100% and every mutant is caught[/]")


@click.command()
def assignments():
    """List the assignments."""
    table = Table()
    for column in ("slug", "title", "file", "points", "due"):
        table.add_column(column)
    for spec in load_assignments().values():
        due = spec.due.strftime("%Y-%m-%d %H:%M %Z") if spec.due else "-"
        table.add_row(spec.slug, spec.title, spec.submit_file, f"{spec.points:g}", due)
    Console().print(table)
