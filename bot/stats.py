"""Anonymous search statistics for administrators.

One row per search: the day and hour (Paris time), the need key, the commune and whether anything
was found. Never a user id or a message text: the figures must not tell who asked.
"""

from __future__ import annotations

import weakref
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Field, SQLModel

from catalogue.db import session_scope

PARIS = ZoneInfo("Europe/Paris")


class SearchStat(SQLModel, table=True):
    """One anonymous search."""

    __tablename__ = "search_stat"

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    hour: int
    need: str | None = None  # taxonomy key understood, None when no need was understood
    commune: str | None = None  # commune display name, None when no place was given
    found: bool


_ready: weakref.WeakSet[Engine] = weakref.WeakSet()


def ensure_table(engine: Engine) -> None:
    """Create the table once per engine (the bot may have built its schema before import)."""
    if engine not in _ready:
        SQLModel.metadata.create_all(engine, tables=[SearchStat.__table__])
        _ready.add(engine)


def record_search(
    engine: Engine, *, need: str | None, commune: str | None, found: bool, at: datetime
) -> None:
    """Count one search. `at` is aware (naive is taken as UTC); stored as Paris day and hour."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo("UTC"))
    local = at.astimezone(PARIS)
    ensure_table(engine)
    with session_scope(engine) as session:
        session.add(
            SearchStat(day=local.date(), hour=local.hour, need=need, commune=commune, found=found)
        )
