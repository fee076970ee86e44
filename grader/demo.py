"""Seed a demo course for `make run`: one instructor and two students with fresh passwords."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from grader.db import get_session
from grader.models import Role, User

DEMO_ACCOUNTS = [("instructor", Role.INSTRUCTOR), ("alice", Role.STUDENT), ("bob", Role.STUDENT)]


def accounts_file() -> Path:
    """Return where the demo passwords are kept (the instance folder, readable by you only)."""
    return Path(current_app.instance_path) / "demo-accounts.json"


def seed_demo() -> dict[str, str]:
    """Create the demo accounts if missing; return every demo username with its password."""
    path = accounts_file()
    known = json.loads(path.read_text()) if path.exists() else {}
    session = get_session()
    for username, role in DEMO_ACCOUNTS:
        if User.by_username(session, username) is not None:
            continue
        password = secrets.token_urlsafe(9)
        user = User(username=username, role=role)
        user.set_password(password)
        session.add(user)
        known[username] = password
    session.commit()
    path.touch(mode=0o600)
    path.write_text(json.dumps(known, indent=2))
    return known


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Create the demo course's accounts and print their passwords."""
    accounts = seed_demo()
    session = get_session()
    click.echo("Demo accounts (also in instance/demo-accounts.json):")
    for username, _role in DEMO_ACCOUNTS:
        user = User.by_username(session, username)
        password = accounts.get(username, "(set earlier; not known)")
        click.echo(f"  {user.role:<10} {username:<10} password: {password}")


def init_app(app: Flask) -> None:
    """Register the seed command."""
    app.cli.add_command(seed_demo_command)
