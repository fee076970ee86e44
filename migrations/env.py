"""Alembic environment: migrate the grader's database (URL from the caller or the environment)."""

from logging.config import fileConfig
from pathlib import Path

from alembic import context

from grader.config import database_url
from grader.db import make_engine
from grader.models import Base

config = context.config
# Configure logging only from the command line; inside the app or tests, keep their loggers.
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata
INSTANCE = Path(__file__).resolve().parent.parent / "instance"


def url() -> str:
    """Return the database to migrate: the one passed in, else the app's default."""
    return config.get_main_option("sqlalchemy.url") or database_url(str(INSTANCE))


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it."""
    context.configure(url=url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations against the database."""
    engine = make_engine(url())
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
