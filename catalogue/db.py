"""Engine and sessions from a database URL: a SQLite file by default, PostgreSQL by URL.

The URL comes from `--db`, else `RELAIS_DATABASE_URL`, else the SQLite file
`$RELAIS_HOME/relais.db` (default `~/.local/share/relais/relais.db`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, event, text
from sqlalchemy.exc import (
    ArgumentError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)
from sqlmodel import Session, create_engine

from catalogue import (
    models,  # noqa: F401  (registers the tables)
    version,
)

BUSY_TIMEOUT_MS = 60_000  # a writer waits this long for another one (a long import) to finish

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory
    from sqlalchemy.engine.interfaces import DBAPIConnection
    from sqlalchemy.pool import ConnectionPoolEntry

# Alembic's scripts: a baseline of the schema before Alembic, then one revision per change.
MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


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


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
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


@cache
def migration_scripts() -> ScriptDirectory:
    """Alembic's scripts, read once per process (each revision module is loaded once)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS))


@cache
def schema_head() -> str | None:
    """The head revision, read from the scripts' `revision`/`down_revision` lines without
    importing Alembic (a quarter of a second at each start); None when not a single head."""
    revisions, parents = set(), set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revisions.update(re.findall(r'^revision = "([^"]+)"', source, re.MULTILINE))
        parents.update(re.findall(r'^down_revision = "([^"]+)"', source, re.MULTILINE))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _at_head(engine: Engine) -> bool:
    """The database's `alembic_version` is the head (False if it has none yet)."""
    try:
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:  # a new database: no table yet
        return False
    return [row[0] for row in stored] == [schema_head()] and schema_head() is not None


def upgrade_schema(engine: Engine) -> None:
    """Bring the database to the latest schema: Alembic's `upgrade head`, in one transaction.

    A new database gets every table; one made before Alembic gets its missing tables, then the
    later revisions; one already at the head is left alone. (What `alembic upgrade head` does
    through migrations/env.py, without reading env.py and the revisions again for each engine:
    the tests open hundreds of databases.) Alembic is imported only when there is work.
    """
    if _at_head(engine):
        return
    from alembic.config import Config
    from alembic.migration import MigrationContext
    from alembic.runtime.environment import EnvironmentContext

    scripts = migration_scripts()

    def steps(revision: Any, _context: Any) -> Any:
        return scripts._upgrade_revs("head", revision)

    with engine.begin() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        if current == scripts.get_current_head():
            return
        with EnvironmentContext(Config(), scripts, fn=steps) as environment:
            environment.configure(connection=connection, render_as_batch=True)
            with environment.begin_transaction():
                environment.run_migrations()


def make_engine(url: str | None = None, *, create: bool = True) -> Engine:
    """Open the database at `url` and, with `create`, bring its schema up to date."""
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
            upgrade_schema(engine)
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
