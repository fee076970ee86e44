"""Own the database's life: engine per app, session per app context, migrations, CLI."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import click
from flask import Flask, current_app, g
from flask.cli import with_appcontext
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# PostgreSQL's JSONB refuses NaN and infinities; refusing them on SQLite too keeps the
# suite's default database from hiding a document that a deployment could not store.
STRICT_JSON = functools.partial(json.dumps, allow_nan=False)


def make_engine(url: str, echo: bool = False) -> Engine:
    """Create an engine; SQLite gets WAL and a busy timeout so web and worker can share it."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30},
                               json_serializer=STRICT_JSON)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    # pre_ping: a worker that outlives a database restart reconnects instead of failing a task.
    return create_engine(url, echo=echo, pool_pre_ping=True, json_serializer=STRICT_JSON)


def session_factory(app: Flask | None = None) -> sessionmaker[Session]:
    """Return the app's session factory (for threads that live outside the app context)."""
    app = app or current_app
    return app.extensions["grader.sessionmaker"]


def get_session() -> Session:
    """Return this app context's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = session_factory()()
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    """Close the app context's session; uncommitted work is rolled back."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def alembic_config(url: str):
    """Build an Alembic config pointing at migrations/ and the given database."""
    from alembic.config import Config

    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logger"] = False  # leave the app's logging alone
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at url to revision."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or migrate the database to the newest schema."""
    upgrade(current_app.config["DATABASE_URL"])
    click.echo("Database is at the newest schema.")


def init_app(app: Flask) -> None:
    """Create the app's engine and register teardown and the CLI command."""
    engine = make_engine(app.config["DATABASE_URL"], echo=app.config.get("SQL_ECHO", False))
    app.extensions["grader.engine"] = engine
    app.extensions["grader.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(close_session)
    app.cli.add_command(init_db_command)
