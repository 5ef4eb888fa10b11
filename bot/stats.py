"""Anonymous search statistics for administrators.

One row per search: the day and hour (Paris time), the need key, the commune and whether anything
was found. Never a user id or a message text: the figures must not tell who asked.
"""

from __future__ import annotations

import io
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, func, insert
from sqlmodel import Field, Session, SQLModel, select

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


# Searches counted but not yet written, per engine: the bot's persistence writes them in its
# next write-out (one transaction, off the event loop), not one commit per search.
_pending: weakref.WeakKeyDictionary[Engine, list[dict[str, Any]]] = weakref.WeakKeyDictionary()
_pending_lock = threading.Lock()


def record_search(
    engine: Engine, *, need: str | None, commune: str | None, found: bool, at: datetime
) -> None:
    """Count one search (kept in memory until `write_pending`). `at` is aware (naive is taken
    as UTC); stored as Paris day and hour."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo("UTC"))
    local = at.astimezone(PARIS)
    row = {"day": local.date(), "hour": local.hour, "need": need, "commune": commune,
           "found": found}  # fmt: skip
    with _pending_lock:
        _pending.setdefault(engine, []).append(row)


def write_pending(engine: Engine, connection: Connection | None = None) -> int:
    """Write the searches counted so far, in `connection`'s transaction when given; returns
    how many. Put back if the write fails, so none is lost."""
    with _pending_lock:
        rows = _pending.pop(engine, [])
    if not rows:
        return 0
    try:
        if connection is None:
            with engine.begin() as own:
                own.execute(insert(SearchStat), rows)
        else:
            connection.execute(insert(SearchStat), rows)
    except BaseException:
        with _pending_lock:
            _pending.setdefault(engine, [])[:0] = rows
        raise
    return len(rows)


@dataclass(frozen=True)
class StatsSummary:
    """Figures over [since, until]: most asked first. `None` keys mean "not understood/given"."""

    since: date
    until: date
    total: int
    per_need: list[tuple[str | None, int]]
    per_commune: list[tuple[str | None, int]]
    unmet: list[tuple[str | None, int]]  # needs asked for where no service was found

    def need_bars(self, limit: int = 12) -> list[tuple[str | None, int, int]]:
        """(need, searches that found something, searches that found nothing), most asked first."""
        unmet = dict(self.unmet)
        return [(need, n - unmet.get(need, 0), unmet.get(need, 0)) for need, n in self.per_need][
            :limit
        ]


def summarise(engine: Engine, *, since: date, until: date) -> StatsSummary:
    """Count the searches between two days, inclusive, grouped in the database."""
    write_pending(engine)
    period = (SearchStat.day >= since) & (SearchStat.day <= until)

    def grouped(column: Any, *extra: Any) -> list[tuple[str | None, int]]:  # noqa: ANN401
        count = func.count()
        query = (
            select(column, count)
            .where(period, *extra)
            .group_by(column)
            .order_by(count.desc(), column)
        )
        return [(key, int(n)) for key, n in session.exec(query)]

    with Session(engine) as session:
        total = session.exec(select(func.count()).select_from(SearchStat).where(period)).one()
        return StatsSummary(
            since=since,
            until=until,
            total=int(total),
            per_need=grouped(SearchStat.need),
            per_commune=grouped(SearchStat.commune),
            unmet=grouped(SearchStat.need, SearchStat.found == False),  # noqa: E712 (SQL)
        )


def chart_png(
    bars: Sequence[tuple[str, int, int]], *, title: str, found_label: str, unmet_label: str
) -> bytes:
    """A horizontal stacked bar chart (label, found, not found) as PNG bytes.

    Uses matplotlib's Agg backend on a Figure object: no display, no global pyplot state, safe in
    the bot's event loop thread.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = [label for label, _, _ in bars][::-1]
    found = [n for _, n, _ in bars][::-1]
    unmet = [n for _, _, n in bars][::-1]
    figure = Figure(figsize=(7, 0.45 * max(len(bars), 3) + 1.2), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.barh(labels, found, color="#2a7ab9", label=found_label)
    axes.barh(labels, unmet, left=found, color="#e07b39", label=unmet_label)
    axes.set_title(title)
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.legend(loc="lower right")
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
