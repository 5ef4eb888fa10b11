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
_building = threading.Lock()


def current_index(engine: Engine) -> SearchIndex:
    """The engine's index, rebuilt when the catalogue version row says the catalogue changed
    (read at most once a second: `catalogue.version`).

    One build at a time, the superseded index let go first: an index is most of the process's
    memory (about 240 MB at 100k services), and two at once (an old one kept while its
    successor is built, or two threads building the same) would double the peak."""
    stamp = version.current(engine)
    cached = _indexes.get(engine)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _building:
        cached = _indexes.get(engine)  # built by another thread while this one waited?
        if cached is not None and cached[0] == stamp:
            return cached[1]
        del cached
        _indexes.pop(engine, None)
        index = SearchIndex.from_engine(engine)
        _indexes[engine] = (stamp, index)
    return index


def search_services(engine: Engine, query: Query, *, now: datetime | None = None) -> SearchOutcome:
    """Search the engine's catalogue (the index is built on first use and kept up to date);
    `now` decides "open now" on each result (the bot's clock, so tests can fix it)."""
    return current_index(engine).search(query, now=now)
