"""SQL-backed PTB persistence: per-key rows in the catalogue database (SQLite or PostgreSQL).

A restart resumes every conversation where it was. Rows hold JSON values only; an empty
user_data or chat_data deletes its row, so a user who used /forget leaves nothing behind.
Objects that cannot be stored (the engine, the settings) are "live" bot_data: handed back by
`get_bot_data` on every start, never written.

Writes never block the event loop: PTB's `update_*` calls only note the new value; a writer task
writes everything noted so far in one transaction in a worker thread (with the search
statistics counted meanwhile), and loops while more arrives. `written()` waits for that.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Engine, delete, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel, col, select
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from bot import stats
from bot.models import BotChatData, BotConversation, BotUserData
from bot.models import BotData as BotDataRow
from catalogue.db import session_scope
from catalogue.models import table_of

log = logging.getLogger(__name__)


class BotData(dict[str, Any]):
    """bot_data whose deep copy (PTB copies it before persisting, after every update) leaves
    out live objects such as the engine, which cannot be copied or stored: those named in
    `live` without trying (a try on the engine cost 0.1 ms an update), any other that
    refuses."""

    live: frozenset[str] = frozenset()

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        copied = {}
        for key, value in self.items():
            if key in self.live:
                continue
            try:
                copied[key] = copy.deepcopy(value, memo)
            except TypeError:
                continue
        return copied


def _stored_form(value: object) -> object:
    """What json cannot write itself: an object that says its JSON form (bot.state)."""
    to_json = getattr(value, "to_json", None)
    if to_json is None:
        raise TypeError(f"{type(value).__name__} is not JSON-serialisable")
    return to_json()


def _jsonable(data: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON-storable part of `data` (keys that cannot be stored are skipped and logged)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        try:
            out[str(key)] = json.loads(json.dumps(value, default=_stored_form))
        except (TypeError, ValueError):
            log.warning("not persisting %r: not JSON-serialisable", key)
    return out


class SQLPersistence(BasePersistence[dict, dict, dict]):
    """BasePersistence writing rows of bot.models through SQLModel sessions."""

    def __init__(
        self,
        engine: Engine,
        *,
        live: Mapping[str, Any] | None = None,
        update_interval: float = 5.0,
    ) -> None:
        super().__init__(
            store_data=PersistenceInput(callback_data=False), update_interval=update_interval
        )
        self.engine = engine
        self.live = dict(live or {})
        self._pending: dict[tuple[type[SQLModel], Any], Any] = {}  # (table, key) -> value
        self._forgotten: set[int] = set()  # users whose rows go in the next write
        self._writer: asyncio.Task[None] | None = None
        self._bot_data: dict[str, Any] | None = None  # as last noted

    # -- reading (once, at Application.initialize) -------------------------------------------
    async def get_user_data(self) -> dict[int, dict]:
        with session_scope(self.engine) as s:
            return {row.user_id: dict(row.data) for row in s.exec(select(BotUserData))}

    async def get_chat_data(self) -> dict[int, dict]:
        with session_scope(self.engine) as s:
            return {row.chat_id: dict(row.data) for row in s.exec(select(BotChatData))}

    async def get_bot_data(self) -> dict:
        with session_scope(self.engine) as s:
            stored = {row.key: row.value for row in s.exec(select(BotDataRow))}
        data = BotData({**stored, **self.live})
        data.live = frozenset(self.live)
        return data

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        with session_scope(self.engine) as s:
            rows = s.exec(select(BotConversation).where(BotConversation.name == name))
            return {tuple(json.loads(row.key)): row.state for row in rows}

    # -- writing: noted here, written by `_write_out` -----------------------------------------
    async def update_user_data(self, user_id: int, data: dict) -> None:
        self._note((BotUserData, user_id), _jsonable(data))

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        self._note((BotChatData, chat_id), _jsonable(data))

    async def update_bot_data(self, data: dict) -> None:
        stored = _jsonable({k: v for k, v in data.items() if k not in self.live})
        if stored != self._bot_data:  # PTB hands bot_data over on every update
            self._bot_data = stored
            self._note((BotDataRow, None), stored)

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        self._note((BotConversation, (name, json.dumps(list(key)))), new_state)

    async def drop_user_data(self, user_id: int) -> None:
        self._note((BotUserData, user_id), {})

    async def drop_chat_data(self, chat_id: int) -> None:
        self._note((BotChatData, chat_id), {})

    async def forget_user(self, user_id: int) -> None:
        """Delete every row about a user now: data, private chat data, conversation states
        (values noted for them and not yet written are dropped too)."""
        self._pending = {k: v for k, v in self._pending.items() if not _about(k, user_id)}
        self._forgotten.add(user_id)
        self._start_writer()
        await self.written()

    def _note(self, key: tuple[type[SQLModel], Any], value: Any) -> None:
        self._pending[key] = value
        self._start_writer()

    def _start_writer(self) -> None:
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write_out())

    async def _write_out(self) -> None:
        """Write what was noted, in batches, until nothing is left. A failed batch is kept
        (newer values win) and written with the next one; the error is logged."""
        while self._pending or self._forgotten:
            batch, self._pending = self._pending, {}
            forgotten, self._forgotten = self._forgotten, set()
            try:
                await asyncio.to_thread(self._write, batch, forgotten)
            except Exception:
                log.exception("could not save the conversation state; will retry")
                self._pending = batch | self._pending
                self._forgotten |= forgotten
                return

    async def written(self) -> None:
        """Wait until everything noted so far is in the database (a failed batch is tried once
        more; if it fails again it stays noted for the next write-out)."""
        for _ in range(2):
            if self._pending or self._forgotten:
                self._start_writer()
            if self._writer is not None:
                await asyncio.shield(self._writer)
            if not (self._pending or self._forgotten):
                return

    def _write(self, batch: dict[tuple[type[SQLModel], Any], Any], forgotten: set[int]) -> None:
        """One transaction: forgotten users, then every noted value (one statement per table
        and kind, for all rows), then the statistics."""
        upserts: dict[type[SQLModel], list[dict[str, Any]]] = {}
        deletes: dict[type[SQLModel], list[Any]] = {}
        bot_data = None
        for (model, key), value in batch.items():
            if model is BotDataRow:
                bot_data = value
            elif model is BotConversation:
                name, row_key = key
                if value is None:
                    deletes.setdefault(model, []).append(key)
                else:
                    upserts.setdefault(model, []).append(
                        {"name": name, "key": row_key, "state": value}
                    )
            elif value:
                pk = "user_id" if model is BotUserData else "chat_id"
                upserts.setdefault(model, []).append({pk: key, "data": value})
            else:
                deletes.setdefault(model, []).append(key)
        with self.engine.begin() as connection:
            for user_id in forgotten:
                _delete_user(connection, user_id)
            for model, keys in deletes.items():
                if model is BotConversation:
                    for name, row_key in keys:
                        connection.execute(
                            delete(model).where(
                                BotConversation.name == name, BotConversation.key == row_key
                            )
                        )
                else:
                    column = BotUserData.user_id if model is BotUserData else BotChatData.chat_id
                    connection.execute(delete(model).where(col(column).in_(keys)))
            for model, rows in upserts.items():
                _upsert(connection, model, rows)
            if bot_data is not None:
                _write_bot_data(connection, bot_data)
            stats.write_pending(self.engine, connection)

    # -- PTB refresh hooks: the in-memory copy is authoritative between restarts -------------
    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict) -> None:
        return None

    async def flush(self) -> None:
        """Called by PTB when the Application shuts down (SIGTERM included): write it all."""
        await self.written()
        await asyncio.to_thread(stats.write_pending, self.engine)


def _about(key: tuple[type[SQLModel], Any], user_id: int) -> bool:
    model, value = key
    if model is BotConversation:
        return json.loads(value[1])[-1:] == [user_id]
    return model in (BotUserData, BotChatData) and value == user_id


def _delete_user(connection: Connection, user_id: int) -> None:
    """A user's data, private chat data and conversation states (keys ending with their id)."""
    connection.execute(delete(BotUserData).where(col(BotUserData.user_id) == user_id))
    connection.execute(delete(BotChatData).where(col(BotChatData.chat_id) == user_id))
    connection.execute(delete(BotConversation).where(or_(
        col(BotConversation.key) == f"[{user_id}]",
        col(BotConversation.key).endswith(f", {user_id}]"),
    )))  # fmt: skip


def _write_bot_data(connection: Connection, stored: dict[str, Any]) -> None:
    connection.execute(delete(BotDataRow).where(col(BotDataRow.key).not_in(list(stored))))
    _upsert(connection, BotDataRow, [{"key": k, "value": v} for k, v in stored.items()])


def _upsert(connection: Connection, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """Insert the rows or, for keys that exist, replace their other columns (SQLite,
    PostgreSQL): one statement executed for all rows."""
    if not rows:
        return
    table = table_of(model)
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    keys = [c.name for c in table.primary_key.columns]
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=keys, set_={k: statement.excluded[k] for k in rows[0] if k not in keys}
        ),
        rows,
    )
