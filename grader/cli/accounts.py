"""Account commands run beside the server's database: create-user and token."""

from __future__ import annotations

from contextlib import contextmanager

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

from grader.models import ApiToken, Role, User
from grader.passwords import random_password


@contextmanager
def database_session():
    """Open a session on the configured database (DATABASE_URL, else instance/grader.sqlite)."""
    from grader import create_app
    from grader.db import get_session

    app = create_app()
    try:
        with app.app_context():
            try:
                yield get_session()
            except (OperationalError, ProgrammingError) as error:
                raise click.ClickException(
                    f"the database is not ready ({error.orig}); "
                    "create it with: flask --app grader init-db"
                ) from None
    finally:
        app.extensions["grader.engine"].dispose()  # no connection left open behind the command


def find_user(session, name: str) -> User:
    """Return the account called name, or stop with an error."""
    user = User.by_username(session, name)
    if user is None:
        raise click.ClickException(f"no account called {name!r}")
    return user


@click.command("create-user")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.STUDENT.value,
              show_default=True, help="What the account may see.")
@click.option("--password", help="Its password; a random one is made and printed if omitted.")
def create_user(name: str, role: str, password: str | None) -> None:
    """Create the account NAME (a student unless --role instructor)."""
    name = name.strip().lower()
    if not name or len(name) > 64:
        raise click.UsageError("NAME must have 1 to 64 characters")
    generated = password is None
    password = password if password is not None else random_password()
    with database_session() as session:
        if User.by_username(session, name) is not None:
            raise click.ClickException(f"an account called {name!r} exists already")
        user = User(username=name, role=role)
        user.set_password(password)
        session.add(user)
        session.commit()
    click.echo(f"created {role} {name}" + (f" with password {password}" if generated else ""))


@click.command("token")
@click.argument("name")
@click.option("--label", default="command line", show_default=True, help="Name of the token.")
def token(name: str, label: str) -> None:
    """Print a new API token for the account NAME (shown once; only its hash is kept)."""
    with database_session() as session:
        row, plain = ApiToken.issue(find_user(session, name), label)
        session.add(row)
        session.commit()
    click.echo(plain)


@click.command("reset-password")
@click.argument("name")
def reset_password(name: str) -> None:
    """Give the account NAME a new random password and print it; its sessions end."""
    from grader.passwords import reset_password as give_new_password

    with database_session() as session:
        user = find_user(session, name)
        password = give_new_password(session, user)
        session.commit()
    click.echo(f"every session of {user.username} is ended (API tokens stay until revoked)")
    click.echo(f"new password for {user.username}: {password}")
