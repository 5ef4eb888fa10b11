"""The current index of each database, rebuilt when its catalogue changes."""

from __future__ import annotations

import threading
import weakref
from datetime import datetime

from sqlalchemy import Engine

from catalogue import version
from catalogue.search.index import SearchIndex
from catalogue.search.query import Query, SearchOutcome

_indexes: weakref.WeakKeyDictionary[Engine, tuple[int, SearchIndex]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def current_index(engine: Engine) -> SearchIndex:
    """The engine's index, rebuilt when the catalogue version row says the catalogue changed
    (read at most once a second: `catalogue.version`)."""
    stamp = version.current(engine)
    with _lock:
        cached = _indexes.get(engine)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    index = SearchIndex.from_engine(engine)
    with _lock:
        _indexes[engine] = (stamp, index)
    return index


def search_services(engine: Engine, query: Query, *, now: datetime | None = None) -> SearchOutcome:
    """Search the engine's catalogue (the index is built on first use and kept up to date);
    `now` decides "open now" on each result (the bot's clock, so tests can fix it)."""
    return current_index(engine).search(query, now=now)
