"""SQLPersistence on SQLite and PostgreSQL: rows per key, round trips, deletion."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlmodel import select

from bot.config import Settings
from bot.models import BotConversation, BotUserData
from bot.persistence import SQLPersistence
from bot.stats import SearchStat, record_search
from catalogue.db import make_engine, session_scope
from catalogue.importer import import_file
from tests.bot.conftest import Harness, data_starting, sent, start_harness
from tests.conftest import CATALOGUE


async def test_user_chat_bot_data_round_trip(engine):
    live = {"engine": engine}
    p = SQLPersistence(engine, live=live)
    await p.update_user_data(5, {"lang": "uk", "search": {"cats": ["food"], "loc": [50.6, 3.1]}})
    await p.update_user_data(6, {"lang": "ar"})
    await p.update_chat_data(5, {"x": 1})
    await p.update_bot_data({"engine": engine, "counter": 3, "opaque": object()})
    await p.written()

    again = SQLPersistence(engine, live=live)
    assert await again.get_user_data() == {
        5: {"lang": "uk", "search": {"cats": ["food"], "loc": [50.6, 3.1]}},
        6: {"lang": "ar"},
    }
    assert await again.get_chat_data() == {5: {"x": 1}}
    bot_data = await again.get_bot_data()
    assert bot_data["counter"] == 3 and bot_data["engine"] is engine and "opaque" not in bot_data


async def test_empty_data_leaves_no_row(engine):
    p = SQLPersistence(engine)
    await p.update_user_data(5, {"lang": "fr"})
    await p.update_user_data(5, {})
    with session_scope(engine) as s:
        assert s.exec(select(BotUserData)).all() == []


async def test_conversations_per_name_and_key(engine):
    p = SQLPersistence(engine)
    await p.update_conversation("resident", (10, 10), 2)
    await p.update_conversation("resident", (11, 11), 4)
    await p.update_conversation("admin", (10, 10), 1)
    await p.update_conversation("resident", (10, 10), 3)
    await p.written()
    assert await p.get_conversations("resident") == {(10, 10): 3, (11, 11): 4}
    await p.update_conversation("resident", (11, 11), None)
    await p.written()
    assert await p.get_conversations("resident") == {(10, 10): 3}


async def test_forget_user_deletes_every_row_about_them(engine):
    p = SQLPersistence(engine)
    await p.update_user_data(10, {"lang": "fr"})
    await p.update_user_data(11, {"lang": "en"})
    await p.update_chat_data(10, {"x": 1})
    await p.update_conversation("resident", (10, 10), 2)
    await p.update_conversation("resident", (11, 11), 2)
    await p.forget_user(10)
    assert set(await p.get_user_data()) == {11}
    assert await p.get_chat_data() == {}
    with session_scope(engine) as s:
        keys = [row.key for row in s.exec(select(BotConversation))]
    assert keys == ["[11, 11]"]


async def test_writes_are_noted_then_written_together_off_the_event_loop(engine):
    """PTB's calls return at once; one write-out writes them all, with the statistics."""
    p = SQLPersistence(engine)
    threads = []
    write = p._write
    p._write = lambda *args: (threads.append(threading.get_ident()), write(*args))[1]
    for user_id in range(50):
        await p.update_user_data(user_id, {"lang": "fr"})
        await p.update_conversation("resident", (user_id, user_id), 2)
    record_search(engine, need="shower", commune="Lille", found=True, at=datetime.now(UTC))
    await p.written()
    assert len(threads) == 1 and threads[0] != threading.get_ident()
    assert len(await p.get_user_data()) == 50
    assert len(await p.get_conversations("resident")) == 50
    with session_scope(engine) as s:
        assert len(s.exec(select(SearchStat)).all()) == 1


async def test_forget_drops_what_was_noted_and_not_yet_written(engine):
    p = SQLPersistence(engine)
    await p.update_user_data(10, {"lang": "fr"})
    await p.written()
    await p.update_user_data(10, {"lang": "fr", "search": {"text": "douche"}})
    await p.update_conversation("resident", (10, 10), 2)
    await p.forget_user(10)
    await p.written()
    assert await p.get_user_data() == {}
    assert await p.get_conversations("resident") == {}


async def test_large_telegram_ids_fit(engine):
    """User ids go beyond 32 bits."""
    p = SQLPersistence(engine)
    await p.update_user_data(7_123_456_789, {"lang": "fr"})
    await p.written()
    assert await p.get_user_data() == {7_123_456_789: {"lang": "fr"}}


async def test_restart_resumes_on_each_backend(db_url):
    """The same mid-conversation restart as the e2e test, on SQLite and PostgreSQL."""
    engine = make_engine(db_url)
    assert import_file(engine, CATALOGUE).ok()
    engine.dispose()
    harness: Harness = await start_harness(Settings(database_url=db_url))
    try:
        user = harness.user(lang="en")
        await user.send("/start")
        assert "Where are you?" in sent(await user.send("shower"))[-1].text
        await harness.restart()
        results = sent(await user.send("Roubaix"))[-1]
        assert data_starting([results], "d:")
    finally:
        await harness.app.shutdown()
