"""The `autograder` command of the student package: test, submit, assignments."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from . import local
from .grading.submitted_file import RefusedFile, check_source
from .remote import submit
from .report import print_report


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli():
    """Run an assignment's visible tests locally, or submit to the grading server."""


@cli.command()
@click.argument("assignment")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def test(assignment: str, file: Path) -> None:
    """Run ASSIGNMENT's visible tests on FILE here, with the grader's diagnosis.

    Exits 0 when every test passed, 1 otherwise. Your code runs on your own machine, not
    in the grader's sandbox; the hidden tests run only on the server.
    """
    try:
        spec = local.load_assignment(assignment)
    except local.UnknownAssignment as exc:
        raise click.UsageError(str(exc)) from None
    try:  # the server's own check, so that what passes here is what it accepts
        check_source(file.read_bytes(), spec.submit_file)
    except RefusedFile as refusal:
        raise click.ClickException(f"the server would refuse {file}: {refusal.message}") from None
    console = Console(stderr=True)
    with console.status(f"running the visible tests of {spec.slug} on {file}…") as status:
        document = local.run_tests(spec, file, progress=status.update)
    print_report(document, Console())
    click.echo(f"\n{how_these_tests_differ(spec)}")
    sys.exit(0 if document["score"] == document["max_score"] else 1)


def how_these_tests_differ(spec: local.LocalAssignment) -> str:
    """Say what these tests are, beside the starter's pytest file and the site's hidden tests."""
    text = (f"These are the grader's {len(spec.cases)} visible tests of {spec.slug}, judged as "
            "on the site; its hidden tests run only there.")
    if spec.public_tests:
        files = " and ".join(spec.public_tests)
        text += (f" The starter's {files} is a separate pytest check with tests of its own, "
                 "so pytest counts differently: both should pass before you submit.")
    return text


@cli.command()
def assignments() -> None:
    """List the assignments this package can test."""
    table = Table()
    for column in ("assignment", "title", "file", "visible tests"):
        table.add_column(column)
    for spec in local.all_assignments():
        table.add_row(spec.slug, spec.title, spec.submit_file, str(len(spec.cases)))
    Console().print(table)


cli.add_command(submit)


def main():
    cli()
