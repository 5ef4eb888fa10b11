"""Alembic: the schema Relais creates is the models' schema, and a database made before Alembic
(today's main, created without migrations) is upgraded in place without losing a row."""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel

from catalogue.db import MIGRATIONS, make_engine, session_scope
from catalogue.models import Service


def _baseline():
    path = MIGRATIONS / "versions" / "0001_baseline.py"
    spec = importlib.util.spec_from_file_location("relais_baseline", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _head() -> str:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def _revision(engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def test_migrated_schema_is_the_models_schema(engine):
    """A revision is missing when a model changed without one (or the other way round)."""
    import bot.models
    import bot.report
    import bot.roles
    import bot.stats  # noqa: F401

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
    assert _revision(engine) == _head()


def _old_main_database(url: str, *, tables: list[str] | None = None) -> None:
    """A database as today's main made it: the baseline tables, no Alembic version table."""
    baseline = _baseline().metadata
    old = create_engine(url)
    chosen = None if tables is None else [baseline.tables[t] for t in tables]
    baseline.create_all(old, tables=chosen)
    with old.begin() as conn:
        conn.execute(text("INSERT INTO organization (id, name) VALUES ('asso', 'Asso')"))
        conn.execute(
            text(
                "INSERT INTO service (id, organization_id, name, status, languages, areas, "
                "source, verified_on, created_at, updated_at, email, free, fees) VALUES ("
                "'douches', 'asso', 'Douches', 'hidden', '[\"fr\"]', '[]', 'mairie', :day, :at, "
                ":at, 'a@b.fr', :free, 'Gratuit, adhésion annuelle 5 €')"
            ),
            {"day": date(2026, 3, 1), "at": datetime(2026, 3, 1, tzinfo=UTC), "free": True},
        )
        conn.execute(
            text("INSERT INTO service_category (service_id, key) VALUES ('douches', 'shower')")
        )
        conn.execute(
            text(
                "INSERT INTO audit_entry (at, actor, action, entity, entity_id) "
                "VALUES (:at, 'cli', 'create', 'service', 'douches')"
            ),
            {"at": datetime(2026, 3, 1, tzinfo=UTC)},
        )
        if tables is None:
            conn.execute(
                text('INSERT INTO bot_user_data (user_id, data) VALUES (42, \'{"lang": "uk"}\')')
            )
    old.dispose()


def test_upgrading_a_database_of_today_s_main_keeps_every_row(db_url):
    _old_main_database(db_url)
    engine = make_engine(db_url)
    assert _revision(engine) == _head()
    with session_scope(engine) as session:
        service = session.get(Service, "douches")
        assert (service.name, service.status, service.email) == ("Douches", "hidden", "a@b.fr")
        assert service.organization.name == "Asso"
        assert service.category_keys == ["shower"]
        assert service.verified_on == date(2026, 3, 1)
        assert service.free is False  # settled by its fees text (0007, catalogue.fees)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_entry")).scalar() == 1
        assert conn.execute(text("SELECT data FROM bot_user_data")).scalar() in (
            {"lang": "uk"},
            '{"lang": "uk"}',
        )
    # Opening it again changes nothing.
    engine.dispose()
    engine = make_engine(db_url)
    assert _revision(engine) == _head()
    engine.dispose()


def test_a_database_without_the_bot_tables_gets_them(db_url):
    """A catalogue made by `relais import` alone never had the bot's tables."""
    catalogue_only = ["organization", "location", "service", "service_category", "audit_entry"]
    _old_main_database(db_url, tables=catalogue_only)
    engine = make_engine(db_url)
    names = set(inspect(engine).get_table_names())
    assert {"bot_user_data", "admin_role", "search_stat", "phone"} <= names
    with session_scope(engine) as session:
        assert session.get(Service, "douches").name == "Douches"
    engine.dispose()


def _downgrade(engine, revision: str) -> None:
    """Alembic's downgrade to `revision` ("base", "-1") on `engine`'s database."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def test_downgrade_to_base_drops_everything(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'down.db'}")
    _downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_the_head_read_without_alembic_is_alembic_s(tmp_path):
    """`make_engine` skips Alembic for a database at the head it reads from the scripts; a
    database one revision behind is still upgraded."""
    from catalogue.db import schema_head

    assert schema_head() == ScriptDirectory(str(MIGRATIONS)).get_current_head()
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    engine = make_engine(url)
    _downgrade(engine, "-1")
    assert _revision(engine) != schema_head()
    engine.dispose()
    engine = make_engine(url)
    with engine.connect() as conn:
        assert (
            conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == schema_head()
        )
    engine.dispose()


def test_upgrading_reads_whom_each_stored_service_is_for(db_url):
    """0008 stores the reading of `catalogue.audience` for the rows written before it."""
    _old_main_database(db_url)
    old = create_engine(db_url)
    with old.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO service (id, name, status, languages, areas, eligibility, access, "
                "access_note, created_at, updated_at) VALUES ('accueil', 'Accueil de jour pour "
                "femmes', 'active', '[]', '[]', 'Étudiants, sans enfant.', 'appointment', "
                "'Sans rdv le mardi.', :at, :at)"
            ),
            {"at": datetime(2026, 3, 1, tzinfo=UTC)},
        )
    old.dispose()
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        accueil, douches = session.get(Service, "accueil"), session.get(Service, "douches")
        assert (accueil.gender, accueil.audience_gender) == (None, "women")
        assert accueil.reserved_for == ["student"]
        assert accueil.refuses_children is True and accueil.walk_in is True
        assert (douches.audience_gender, douches.reserved_for) == (None, [])
        assert douches.refuses_children is False and douches.walk_in is False
    engine.dispose()
