"""Seed a demo course for `make run`: an instructor, two students with fresh passwords, and a
class of demo submissions graded on the first run."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from grader.db import get_session
from grader.models import Role, Status, Submission, User, utcnow

DEMO_ACCOUNTS = [("instructor", Role.INSTRUCTOR), ("alice", Role.STUDENT), ("bob", Role.STUDENT)]
# Classmates who only hand in work, so the instructor's dashboard has a class to show.
DEMO_CLASS = [("carol", "Carol Nguyen"), ("dave", "Dave Okafor"), ("erin", "Erin Svensson"),
              ("frank", "Frank Moreau"), ("grace", "Grace Iyer")]
# Mutants that only burn time or memory; the demo skips them to grade in a minute or two.
SLOW_MUTANTS = ("slow", "memory", "recursion", "exponential")


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
    seed_demo_submissions()
    return known


def demo_sources(assignment) -> list[str]:
    """Return the reference solution then the quick mutants of an assignment, as text."""
    sources = [assignment.solution.read_text(encoding="utf-8")]
    for path in assignment.mutants():
        if not any(word in path.stem for word in SLOW_MUTANTS):
            sources.append(path.read_text(encoding="utf-8"))
    return sources


def seed_demo_submissions() -> int:
    """Once: add the demo class and a few submissions each, to be graded on the first run.

    The rows are stored with no queue record (queued_at empty), exactly like a submission
    whose broker was down: the sweep hands them to the grading worker a few seconds after
    `make run` starts, so they are graded through the normal path.
    """
    from grader.grading.assignments import load_assignments

    session = get_session()
    names = [name for name, _ in DEMO_ACCOUNTS if name != "instructor"]
    names += [name for name, _ in DEMO_CLASS]
    if session.scalar(select(func.count(Submission.id)).join(Submission.user)
                      .where(User.username.in_(names))):
        return 0  # seeded already (or the demo students have work of their own)
    for username, name in DEMO_CLASS:
        if User.by_username(session, username) is None:
            user = User(username=username, name=name, email=f"{username}@example.edu",
                        role=Role.STUDENT)
            user.set_password(secrets.token_urlsafe(12))  # demo classmates never log in
            session.add(user)
    session.flush()
    now = utcnow()
    added = 0
    for offset, assignment in enumerate(load_assignments().values()):
        sources = demo_sources(assignment)
        for index, username in enumerate(names):
            # A mutant first (students rarely start right), the solution later for some.
            picks = [sources[1 + (index + offset) % (len(sources) - 1)]]
            if index % 3 != 2:
                picks.append(sources[1 + (index * 2 + offset + 1) % (len(sources) - 1)])
            if index % 2 == 0:
                picks.append(sources[0])
            for order, source in enumerate(picks):
                session.add(Submission(
                    user=User.by_username(session, username),
                    assignment_slug=assignment.slug,
                    filename=assignment.submit_file,
                    source=source,
                    status=Status.QUEUED,
                    submitted_at=now - timedelta(days=2, hours=index) + timedelta(hours=order),
                ))
                added += 1
    session.commit()
    return added


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
