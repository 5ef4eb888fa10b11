"""SQL-backed PTB persistence: per-key rows in the catalogue database (SQLite or PostgreSQL).

A restart resumes every conversation where it was. Rows hold JSON values only; an empty
user_data or chat_data deletes its row, so a user who used /forget leaves nothing behind.
Objects that cannot be stored (the engine, the settings) are "live" bot_data: handed back by
`get_bot_data` on every start, never written.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, delete
from sqlmodel import SQLModel, select
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from bot.models import BotChatData, BotConversation, BotUserData
from bot.models import BotData as BotDataRow
from catalogue.db import session_scope

log = logging.getLogger(__name__)
TABLES = [m.__table__ for m in (BotUserData, BotChatData, BotDataRow, BotConversation)]


class BotData(dict):
    """bot_data whose deep copy (PTB copies it before persisting) leaves out live objects
    such as the engine, which cannot be copied or stored."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        copied = {}
        for key, value in self.items():
            try:
                copied[key] = copy.deepcopy(value, memo)
            except TypeError:
                continue
        return copied


def _jsonable(data: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON-storable part of `data` (keys that cannot be stored are skipped and logged)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        try:
            out[str(key)] = json.loads(json.dumps(value))
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
        SQLModel.metadata.create_all(engine, tables=TABLES)

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
        return BotData({**stored, **self.live})

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        with session_scope(self.engine) as s:
            rows = s.exec(select(BotConversation).where(BotConversation.name == name))
            return {tuple(json.loads(row.key)): row.state for row in rows}

    # -- writing -----------------------------------------------------------------------------
    async def update_user_data(self, user_id: int, data: dict) -> None:
        self._put(BotUserData, {"user_id": user_id}, _jsonable(data))

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        self._put(BotChatData, {"chat_id": chat_id}, _jsonable(data))

    def _put(self, model: type[SQLModel], key: dict[str, int], data: dict[str, Any]) -> None:
        with session_scope(self.engine) as s:
            row = s.get(model, next(iter(key.values())))
            if not data:
                if row is not None:
                    s.delete(row)
            elif row is None:
                s.add(model(**key, data=data))
            else:
                row.data = data

    async def update_bot_data(self, data: dict) -> None:
        stored = _jsonable({k: v for k, v in data.items() if k not in self.live})
        with session_scope(self.engine) as s:
            s.exec(delete(BotDataRow).where(BotDataRow.key.not_in(list(stored))))
            for key, value in stored.items():
                s.merge(BotDataRow(key=key, value=value))

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        row_key = json.dumps(list(key))
        with session_scope(self.engine) as s:
            row = s.get(BotConversation, (name, row_key))
            if new_state is None:
                if row is not None:
                    s.delete(row)
            elif row is None:
                s.add(BotConversation(name=name, key=row_key, state=new_state))
            else:
                row.state = new_state

    async def drop_user_data(self, user_id: int) -> None:
        self._put(BotUserData, {"user_id": user_id}, {})

    async def drop_chat_data(self, chat_id: int) -> None:
        self._put(BotChatData, {"chat_id": chat_id}, {})

    async def forget_user(self, user_id: int) -> None:
        """Delete every row about a user now: data, private chat data, conversation states."""
        await self.drop_user_data(user_id)
        await self.drop_chat_data(user_id)
        with session_scope(self.engine) as s:
            for row in s.exec(select(BotConversation)):
                if json.loads(row.key)[-1:] == [user_id]:
                    s.delete(row)

    # -- PTB refresh hooks: the in-memory copy is authoritative between restarts -------------
    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict) -> None:
        return None

    async def flush(self) -> None:
        return None
