"""The `autograder` command: local grading, assignment checks, accounts and remote submission."""

import click

from . import accounts, local, lti, remote, scaffold


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli():
    """Grade autodiff assignments locally or talk to a grading server."""


cli.add_command(local.grade)
cli.add_command(local.check_assignment)
cli.add_command(local.assignments)
cli.add_command(scaffold.new_assignment)
cli.add_command(accounts.create_user)
cli.add_command(accounts.token)
cli.add_command(accounts.reset_password)
cli.add_command(remote.submit)
cli.add_command(lti.lti)


def main():
    cli()
