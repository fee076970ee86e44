"""The schema: Alembic migrations match the models on SQLite and PostgreSQL; CLI commands."""

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from grader.db import get_session, make_engine, upgrade
from grader.models import Base, User
from tests.support.live import create_database, require_postgres


def schema_differences(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()


def test_sqlite_migrations_match_models(migrated_sqlite):
    assert schema_differences(f"sqlite:///{migrated_sqlite}") == []


def test_postgres_migrations_match_models():
    require_postgres()
    url, drop = create_database()
    try:
        upgrade(url)
        upgrade(url)  # idempotent
        assert schema_differences(url) == []
    finally:
        drop()


def test_init_db_command(tmp_path, monkeypatch):
    from grader import create_app

    monkeypatch.setenv("GRADER_INSTANCE_PATH", str(tmp_path))
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite'}"})
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert "newest schema" in result.output
    assert schema_differences(app.config["DATABASE_URL"]) == []
    app.extensions["grader.engine"].dispose()


def test_seed_demo_is_repeatable(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["seed-demo"])
    assert first.output == second.output  # same accounts, same passwords printed
    with open(f"{app.instance_path}/demo-accounts.json") as handle:
        saved = json.load(handle)
    with app.app_context():
        session = get_session()
        for name in ("instructor", "alice", "bob"):
            user = User.by_username(session, name)
            assert user is not None
    # alice and bob existed before (test fixture): their passwords are not changed or invented.
    assert list(saved) == ["instructor"]
    assert "(set earlier; not known)" in first.output


def test_naive_datetimes_are_refused(app):
    from datetime import datetime

    with app.app_context():
        session = get_session()
        session.add(User(username="x", password_hash="x", role="student",
                         created_at=datetime(2026, 1, 1)))
        with pytest.raises(Exception, match="naive datetime"):
            session.commit()
