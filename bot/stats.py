"""Anonymous search statistics for administrators.

One row per search: the day and hour (Paris time), the need key, the commune and whether anything
was found. Never a user id or a message text: the figures must not tell who asked.

Words the search did not understand are counted privately, so admins can `/teach` them: per day,
in memory only, each word keeps the set of people who used it as hashes of their user ids salted
with a random key made for that day and never written anywhere (next day, new key: nobody can be
followed from day to day). A word reaches the database (`unknown_word`: day, word, how many
people) only once `UNKNOWN_MIN_PEOPLE` different people used it that day; no text, no user id.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, case, func, insert, update
from sqlmodel import Field, Session, SQLModel, col, select

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


class UnknownWord(SQLModel, table=True):
    """A word the search did not understand, used by `people` different people on `day`
    (stored only from UNKNOWN_MIN_PEOPLE on)."""

    __tablename__ = "unknown_word"

    day: date = Field(primary_key=True)
    word: str = Field(primary_key=True)
    people: int


UNKNOWN_MIN_PEOPLE = 5
MAX_TRACKED_WORDS = 20_000  # a day's words kept in memory at most (gibberish must not pile up)


class WordCounter:
    """Distinct people per word, for one day at a time, in memory only."""

    def __init__(self) -> None:
        self.day: date | None = None
        self._salt = b""
        self._people: dict[str, set[bytes]] = {}

    def note(self, words: Sequence[str], user_id: int, day: date) -> list[tuple[str, int]]:
        """Count `user_id` for each word; (word, people) of those used by enough people."""
        if day != self.day:  # a new day: forget everything, new salt
            self.day, self._salt, self._people = day, secrets.token_bytes(16), {}
        person = hashlib.blake2b(str(user_id).encode(), key=self._salt, digest_size=8).digest()
        reached = []
        for word in dict.fromkeys(words):
            people = self._people.get(word)
            if people is None:
                if len(self._people) >= MAX_TRACKED_WORDS:
                    continue
                people = self._people[word] = set()
            if person not in people:
                people.add(person)
                if len(people) >= UNKNOWN_MIN_PEOPLE:
                    reached.append((word, len(people)))
        return reached


def countable(word: str) -> bool:
    """A word worth counting: letters (Arabizi digits allowed), not a number or a code."""
    return (
        3 <= len(word) <= 30
        and sum(ch.isalpha() for ch in word) >= len(word) - 2
        and not word[0].isdigit()
    )


# Searches counted but not yet written, per engine: the bot's persistence writes them in its
# next write-out (one transaction, off the event loop), not one commit per search.
_pending: weakref.WeakKeyDictionary[Engine, list[dict[str, Any]]] = weakref.WeakKeyDictionary()
_pending_lock = threading.Lock()
_counters: weakref.WeakKeyDictionary[Engine, WordCounter] = weakref.WeakKeyDictionary()
# Words that reached UNKNOWN_MIN_PEOPLE, (day, word) -> people, written with the searches.
_pending_words: weakref.WeakKeyDictionary[Engine, dict[tuple[date, str], int]] = (
    weakref.WeakKeyDictionary()
)


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


def record_unknown(engine: Engine, words: Sequence[str], *, user_id: int, at: datetime) -> None:
    """Count the words a search did not understand (kept in memory until `write_pending`
    once enough people used one today)."""
    words = [w for w in words if countable(w)]
    if not words:
        return
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo("UTC"))
    day = at.astimezone(PARIS).date()
    with _pending_lock:
        counter = _counters.get(engine)
        if counter is None:
            counter = _counters[engine] = WordCounter()
        pending = _pending_words.setdefault(engine, {})
        for word, people in counter.note(words, user_id, day):
            pending[(day, word)] = max(people, pending.get((day, word), 0))


def write_pending(engine: Engine, connection: Connection | None = None) -> int:
    """Write the searches counted so far (and the words not understood that enough people
    used), in `connection`'s transaction when given; returns how many searches. Put back if
    the write fails, so none is lost."""
    with _pending_lock:
        rows = _pending.pop(engine, [])
        words = _pending_words.pop(engine, {})
    if not rows and not words:
        return 0
    try:
        if connection is None:
            with engine.begin() as own:
                _write(own, rows, words)
        else:
            _write(connection, rows, words)
    except BaseException:
        with _pending_lock:
            _pending.setdefault(engine, [])[:0] = rows
            kept = _pending_words.setdefault(engine, {})
            for key, people in words.items():
                kept[key] = max(people, kept.get(key, 0))
        raise
    return len(rows)


def _write(connection: Connection, rows: list[dict[str, Any]],
           words: dict[tuple[date, str], int]) -> None:  # fmt: skip
    if rows:
        connection.execute(insert(SearchStat), rows)
    for (day, word), people in words.items():
        raised = connection.execute(
            update(UnknownWord)
            .where(col(UnknownWord.day) == day, col(UnknownWord.word) == word)
            .values(
                people=case(
                    (col(UnknownWord.people) < people, people), else_=col(UnknownWord.people)
                )
            )
        )
        if not raised.rowcount:
            connection.execute(insert(UnknownWord).values(day=day, word=word, people=people))


@dataclass(frozen=True)
class StatsSummary:
    """Figures over [since, until]: most asked first. `None` keys mean "not understood/given"."""

    since: date
    until: date
    total: int
    per_need: list[tuple[str | None, int]]
    per_commune: list[tuple[str | None, int]]
    unmet: list[tuple[str | None, int]]  # needs asked for where no service was found
    unknown: list[tuple[str, int]] = field(default_factory=list)  # word, people-days

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

    def grouped(column: Any, *extra: Any) -> list[tuple[str | None, int]]:
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
            unmet=grouped(SearchStat.need, col(SearchStat.found).is_(False)),
            unknown=_unknown_words(session, since, until),
        )


def _unknown_words(session: Session, since: date, until: date) -> list[tuple[str, int]]:
    """Words not understood in the period, by people counted over its days, most first."""
    people = func.sum(UnknownWord.people)
    query = (
        select(UnknownWord.word, people)
        .where(UnknownWord.day >= since, UnknownWord.day <= until)
        .group_by(UnknownWord.word)
        .order_by(people.desc(), UnknownWord.word)
        .limit(20)
    )
    return [(word, int(n)) for word, n in session.exec(query)]


def chart_png(
    bars: Sequence[tuple[str, int, int]], *, title: str, found_label: str, unmet_label: str
) -> bytes:
    """A horizontal stacked bar chart (label, found, not found) as PNG bytes.

    Uses matplotlib's Agg backend on a Figure object: no display, no global pyplot state, safe in
    the bot's event loop thread.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    labels = [label for label, _, _ in bars][::-1]
    found = [n for _, n, _ in bars][::-1]
    unmet = [n for _, _, n in bars][::-1]
    figure = Figure(figsize=(7, 0.45 * max(len(bars), 3) + 1.2), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.barh(labels, found, color="#2a7ab9", label=found_label)
    axes.barh(labels, unmet, left=found, color="#e07b39", label=unmet_label)
    axes.set_title(title)
    locator = axes.xaxis.get_major_locator()
    if isinstance(locator, MaxNLocator):  # the default AutoLocator is one
        locator.set_params(integer=True)
    axes.legend(loc="lower right")
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
