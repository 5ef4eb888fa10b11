"""Alembic environment of Relais.

Relais runs the migrations itself at start-up (`catalogue.db.upgrade_schema`, on the connection it
passes in `config.attributes["connection"]`). Run from the `alembic` command (to write a revision
with --autogenerate), it opens the database Relais would open and compares it with every table
the code defines.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import MetaData

from catalogue.db import database_url, make_engine


def target_metadata() -> MetaData:
    """Every table of Relais, the catalogue's and the bot's (imported here, not at start-up)."""
    from sqlmodel import SQLModel

    import bot.models
    import bot.report
    import bot.roles
    import bot.stats  # noqa: F401
    import catalogue.models  # noqa: F401

    return SQLModel.metadata


def run(connection, metadata: MetaData | None) -> None:  # noqa: ANN001
    # render_as_batch: SQLite alters a table by copying it, which batch mode writes for us.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection, None)
else:
    engine = make_engine(database_url(), create=False)
    with engine.begin() as conn:
        run(conn, target_metadata())
    engine.dispose()
