"""Reliability: what the catalogue's storage guarantees under concurrent writes and failures.

Each test runs on SQLite and, with RELAIS_TEST_DATABASE_URL set, on PostgreSQL (`engine`).
"""

from __future__ import annotations

import logging
import threading
from datetime import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.models import BotUserData
from catalogue.db import session_scope
from catalogue.models import Location, OpeningHours, Service, ServiceCategory
from catalogue.services import ConcurrentEditError, get_service, history, save_service

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
