"""The resident's current search, typed: what they need, where, the filters, where the list is.

It lives in `user_data["search"]` and is persisted as JSON (bot.persistence calls `to_json`).
The JSON keeps the short keys written before this class existed ("n", "cats", "loc", "any"…),
so searches stored by earlier versions load and continue, and rows written now stay readable.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, time, timedelta
from typing import Any

from catalogue.hours import PARIS
from catalogue.search import Query

KEY = "search"  # its place in user_data
EVENING = time(19)  # "le soir", "dimanche soir": open at 7 pm


@dataclass(frozen=True)
class When:
    """When the "open" filter looks, as said in words: a weekday (0 = Monday) and/or the
    evening; no `When` at all means open now."""

    day: int | None = None
    evening: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"day": self.day, "evening": self.evening}

    def opening(self, at: datetime) -> tuple[datetime | None, int | None]:
        """(open_at, open_day) of the query: a weekday alone, open some time that day; an
        evening, open at 19:00 that day (today when no day was said)."""
        if not self.evening:
            return None, self.day
        local = at.astimezone(PARIS)
        ahead = (self.day - local.weekday()) % 7 if self.day is not None else 0
        evening = datetime.combine(local.date() + timedelta(days=ahead), EVENING, tzinfo=PARIS)
        return max(evening, local), None


# Python field -> JSON key (the keys stored before this class existed; never rename them).
_KEYS = {
    "serial": "n",
    "text": "text",
    "categories": "cats",
    "filters": "filters",
    "offset": "offset",
    "started": "at",
    "place": "place",
    "location": "loc",
    "anywhere": "any",
    "danger": "danger",
    "when": "when",
    "age": "age",
    "gender": "gender",
    "audience": "aud",
    "heard": "heard",
    "asked": "asked",
    "maybe": "maybe",
    "strict": "strict",
    "text_place": "from_text_place",
    "offered": "offered",
    "said": "said",
}
_ALWAYS = {"n", "text", "cats", "filters", "offset", "at"}  # written even when empty


@dataclass
class SearchState:
    """One search, from the need to the cards. `serial` numbers the user's searches, so a
    button carrying another number belongs to an older one."""

    serial: int = 0
    text: str = ""  # the words of the need, "" when chosen with buttons
    categories: list[str] = field(default_factory=list)
    filters: list[str] = field(default_factory=list)  # refine buttons ticked: open, free, appt
    offset: int = 0  # first result of the page shown
    started: datetime | None = None  # when the search began (it expires after a while)
    place: str | None = None
    location: tuple[float, float] | None = None
    anywhere: bool = False  # the whole metropolis
    danger: list[str] = field(default_factory=list)  # kinds read: their numbers stay on top
    when: When | None = None  # the "open" filter's day/evening said in words
    age: int | None = None
    gender: str | None = None
    audience: str | None = None  # code of the "Who is it for?" button chosen
    heard: bool = False  # the filters said in words were read (once per need)
    asked: bool = False  # "which one?" was asked (once per need)
    maybe: str | None = None  # a place awaiting "did you mean…?"
    strict: bool = False  # a danger's own needs: no loosening of the search
    text_place: str | None = None  # the place typed with several needs, kept for the choice
    offered: list[str] = field(default_factory=list)  # "I think you need: …" buttons shown
    said: list[str] = field(default_factory=list)  # audience tags said with a danger ("family")

    @property
    def has_need(self) -> bool:
        return bool(self.text or self.categories)

    @property
    def has_place(self) -> bool:
        return bool(self.place or self.location or self.anywhere)

    def set_place(self, place: str) -> None:
        self.place, self.location, self.anywhere = place, None, False

    def expired(self, at: datetime, ttl_hours: float) -> bool:
        """Idle for longer than `ttl_hours` (a search with no start date is not)."""
        started = self.started or at
        return (at - started).total_seconds() > ttl_hours * 3600

    def to_query(self, lang: str, at: datetime, *, limit: int, offset: int = 0) -> Query:
        """The catalogue query this search asks, at time `at`."""
        if "open" in self.filters:
            open_at, open_day = self.when.opening(at) if self.when else (at, None)
        else:
            open_at, open_day = None, None
        return Query(
            text=self.text,
            categories=tuple(self.categories),
            place=self.place,
            location=self.location,
            anywhere=self.anywhere,
            lang=lang,
            open_at=open_at,
            open_day=open_day,
            free_only="free" in self.filters,
            no_appointment="appt" in self.filters,
            age=self.age,
            gender=self.gender,
            strict=self.strict,
            said=frozenset(self.said),
            limit=limit,
            offset=offset,
        )

    def __deepcopy__(self, memo: dict[int, Any]) -> SearchState:
        """PTB deep-copies user_data after every update before persisting it: copying the
        lists is enough (every other field is immutable), and takes 6 µs instead of 70."""
        copied = copy.copy(self)
        for name, value in vars(self).items():
            if isinstance(value, list):
                setattr(copied, name, list(value))
        return copied

    def but(self, **changes: Any) -> SearchState:
        """A copy with `changes` (to probe what another text or need would find)."""
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """The stored form: short keys, empty values left out."""
        out: dict[str, Any] = {}
        for f in fields(self):
            key, value = _KEYS[f.name], getattr(self, f.name)
            if isinstance(value, datetime):
                value = value.isoformat()
            elif isinstance(value, When):
                value = value.to_json()
            elif isinstance(value, tuple):
                value = list(value)
            if key in _ALWAYS or not (value is None or value is False or value in ([], "")):
                out[key] = value
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SearchState:
        """A stored search, from this version or an earlier one (unknown keys are ignored)."""
        values = {name: data[key] for name, key in _KEYS.items() if data.get(key) is not None}
        if "serial" in values:
            values["serial"] = int(values["serial"])
        if "started" in values:
            values["started"] = datetime.fromisoformat(values["started"])
        if "location" in values:
            lat, lon = values["location"]
            values["location"] = (float(lat), float(lon))
        if "when" in values:
            when = values["when"]
            values["when"] = When(day=when.get("day"), evening=bool(when.get("evening")))
        for name in ("categories", "filters", "danger", "said"):
            if name in values:
                values[name] = list(values[name])
        return cls(**values)


def stored(user_data: dict[Any, Any] | None) -> SearchState | None:
    """The user's current search; one loaded from the database as JSON becomes a
    SearchState in place, so changes made by handlers are kept."""
    if user_data is None:
        return None
    value = user_data.get(KEY)
    if isinstance(value, dict):
        value = user_data[KEY] = SearchState.from_json(value)
    return value if isinstance(value, SearchState) else None
