"""Catalogue change notification that costs nothing per search.

The `catalogue_version` row is bumped in the same transaction as every change to a catalogue
table, whatever writes it (the bot, the CLI, another replica): session events note the change
(objects flushed, or INSERT/UPDATE/DELETE statements on catalogue tables) and the commit adds
`version = version + 1`. A reader learns of a change by one primary-key read, done at most once
per `MAX_AGE` seconds per engine, or at once after a commit of this process changed it.
"""

from __future__ import annotations

import time
import weakref
from itertools import chain

from sqlalchemy import Engine, event, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import ORMExecuteState, Session
from sqlmodel import col

from catalogue.models import (
    CatalogueVersion,
    HoursException,
    Location,
    OpeningHours,
    Organization,
    Phone,
    Service,
    ServiceCategory,
    ServiceLocationLink,
    ServiceTranslation,
    TaughtSynonym,
)

MAX_AGE = 1.0  # seconds a version read is trusted: a change elsewhere shows within this
# TaughtSynonym: phrases taught with /teach, which the search index reads too.
MODELS = (Service, Organization, Location, ServiceLocationLink, ServiceCategory, Phone,
          OpeningHours, HoursException, ServiceTranslation, TaughtSynonym)  # fmt: skip
TABLES = frozenset(m.__tablename__ for m in MODELS)
_CHANGED = "relais_catalogue_changed"
_BUMPED = "relais_catalogue_bumped"
clock = time.monotonic  # tests replace it
_known: weakref.WeakKeyDictionary[Engine, tuple[float, int]] = weakref.WeakKeyDictionary()


def read(engine: Engine) -> int:
    """The stored version (0 before any write), read now."""
    with engine.connect() as connection:
        value = connection.execute(
            select(col(CatalogueVersion.version)).where(col(CatalogueVersion.id) == 1)
        ).scalar()
    return int(value or 0)


def current(engine: Engine) -> int:
    """The version, read again only when the last read is older than `MAX_AGE` seconds or a
    commit in this process changed the catalogue."""
    now = clock()
    known = _known.get(engine)
    if known is not None and now - known[0] < MAX_AGE:
        return known[1]
    value = read(engine)
    _known[engine] = (now, value)
    return value


def ensure_row(engine: Engine) -> None:
    """Create the version row if missing (a new database)."""
    with engine.begin() as connection:
        exists = connection.execute(
            select(col(CatalogueVersion.id)).where(col(CatalogueVersion.id) == 1)
        ).first()
        if exists is None:
            try:
                with connection.begin_nested():
                    connection.execute(insert(CatalogueVersion).values(id=1, version=0))
            except IntegrityError:  # another process created it in between
                pass


def mark_changed(session: Session) -> None:
    """Note that this session's transaction changes the catalogue (bulk writes call it)."""
    session.info[_CHANGED] = True


@event.listens_for(Session, "before_flush")
def _note_flush(session: Session, _context: object, _instances: object) -> None:
    objects = chain(session.new, session.deleted,
                    (o for o in session.dirty if session.is_modified(o)))  # fmt: skip
    if any(isinstance(o, MODELS) for o in objects):
        mark_changed(session)


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in TABLES:
            mark_changed(state.session)


@event.listens_for(Session, "before_commit")
def _bump(session: Session) -> None:
    session.flush()
    if not session.info.pop(_CHANGED, False):
        return
    connection = session.connection()
    bumped = connection.execute(
        update(CatalogueVersion).where(col(CatalogueVersion.id) == 1)
        .values(version=col(CatalogueVersion.version) + 1)
    )  # fmt: skip
    if not bumped.rowcount:
        connection.execute(insert(CatalogueVersion).values(id=1, version=1))
    session.info[_BUMPED] = connection.engine


@event.listens_for(Session, "after_commit")
def _see_own_change(session: Session) -> None:
    engine = session.info.pop(_BUMPED, None)
    if engine is not None:
        _known.pop(engine, None)  # this process sees its own change at once


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_CHANGED, None)
    session.info.pop(_BUMPED, None)
