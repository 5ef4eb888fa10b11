"""Shared fixtures. Storage tests run on SQLite and, when RELAIS_TEST_DATABASE_URL is set, on
PostgreSQL too (each test in a schema of its own, so parallel runs never collide)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from catalogue.db import make_engine
from catalogue.search import saved

POSTGRES_URL = os.environ.get("RELAIS_TEST_DATABASE_URL")
# The fictional HSDS catalogue every test imports (see fixtures/README.md): the suite needs
# nothing outside the repository.
CATALOGUE = Path(__file__).resolve().parent / "fixtures" / "catalogue.json"
# The shared kit beside the clone: only the tests about it (the evaluation gate, the taxonomy's
# source check) read it, and they skip when it is absent.
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
EVAL_DIR = SHARED / "eval"


@pytest.fixture(autouse=True, scope="session")
def _index_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Indexes of PostgreSQL test databases are saved under the run's temporary directory, never
    in the user's cache (those of SQLite files are saved next to them, under tmp_path)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(saved.ENV, str(tmp_path_factory.mktemp("index-cache")))
        yield


def pytest_report_header() -> str:
    if POSTGRES_URL:
        return f"storage tests: SQLite and PostgreSQL ({POSTGRES_URL})"
    return "storage tests: SQLite only (set RELAIS_TEST_DATABASE_URL to add PostgreSQL)"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'relais.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL half not run: RELAIS_TEST_DATABASE_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine with the schema created, on each backend."""
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite engine, for tests whose subject is not the storage itself."""
    eng = make_engine(f"sqlite:///{tmp_path / 'relais.db'}")
    yield eng
    eng.dispose()
