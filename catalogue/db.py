"""Engine and sessions from a database URL: a SQLite file by default, PostgreSQL by URL.

The URL comes from `--db`, else `RELAIS_DATABASE_URL`, else the SQLite file
`$RELAIS_HOME/relais.db` (default `~/.local/share/relais/relais.db`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, event
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlmodel import Session, SQLModel, create_engine

from catalogue import (
    models,  # noqa: F401  (registers the tables)
    version,
)

BUSY_TIMEOUT_MS = 60_000  # a writer waits this long for another one (a long import) to finish


class DatabaseError(Exception):
    """The database URL is wrong or the database cannot be reached."""


def default_database_path() -> Path:
    home = os.environ.get("RELAIS_HOME") or Path.home() / ".local" / "share" / "relais"
    return Path(home) / "relais.db"


def database_url(explicit: str | None = None) -> str:
    """The URL to use: explicit value, then RELAIS_DATABASE_URL, then the default SQLite file."""
    url = explicit or os.environ.get("RELAIS_DATABASE_URL")
    if url:
        return url
    path = default_database_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
    """Foreign keys on; WAL so that readers (the bot's searches) never wait for a writer (a CLI
    import) and writers wait for each other (busy timeout) instead of failing with "database is
    locked"; synchronous=NORMAL: a commit survives a killed process, only an OS crash may lose
    the last ones."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def make_engine(url: str | None = None, *, create: bool = True) -> Engine:
    """Open the database at `url` and create the tables that are missing."""
    url = database_url(url)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    try:
        # Errors and logs show statements without their values: those hold user ids and what
        # people typed ("douche Roubaix"), and logs keep errors, not messages.
        engine = create_engine(url, hide_parameters=True)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise DatabaseError(f"invalid database URL {url!r}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if create:
        try:
            SQLModel.metadata.create_all(engine)
            version.ensure_row(engine)
        except OperationalError as exc:
            raise DatabaseError(f"cannot open database {url!r}: {exc.orig}") from exc
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
