"""Tables of the bot's conversation persistence: one row per user, per chat, per bot_data key
and per conversation key, so a restart resumes every conversation and /forget deletes rows.

Values are JSON: language, settings and the current search only, never message history.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Column
from sqlmodel import Field, SQLModel


class BotUserData(SQLModel, table=True):
    __tablename__ = "bot_user_data"

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class BotChatData(SQLModel, table=True):
    __tablename__ = "bot_chat_data"

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class BotData(SQLModel, table=True):
    """One key of the application-wide bot_data."""

    __tablename__ = "bot_data"

    key: str = Field(primary_key=True)
    value: Any = Field(default=None, sa_column=Column(JSON))


class BotConversation(SQLModel, table=True):
    """The state of one ConversationHandler key, e.g. name "resident", key "[chat_id, user_id]"."""

    __tablename__ = "bot_conversation"

    name: str = Field(primary_key=True)
    key: str = Field(primary_key=True)  # JSON list of the conversation key parts
    state: Any = Field(default=None, sa_column=Column(JSON))
