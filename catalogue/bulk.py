"""Many services at once, in time linear in their number: an import's read and write path.

`stored_snapshots` reads services as snapshots from a few column queries per 5,000 ids (no ORM
objects, no lazy loads); `write_snapshots` writes created and changed services with one
multi-row statement per table, in the caller's transaction: organisations and places upserted,
a changed service's categories, phones, hours, closures, translations and places replaced.
The result is what `services.write_snapshot` gives one by one, audit included, except that a
creation's audit entry names the service instead of copying it: its content is the service
itself, or the `before` of the next change (an undo of a creation only needs to know it was one).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel

from catalogue import audience, version
from catalogue.models import (
    AuditEntry,
    HoursException,
    Location,
    OpeningHours,
    Organization,
    Phone,
    Service,
    ServiceCategory,
    ServiceHsds,
    ServiceLocationLink,
    ServiceTranslation,
    table_of,
)
from catalogue.services import (
    EXCEPTION_FIELDS,
    HOURS_FIELDS,
    LOCATION_FIELDS,
    ORGANIZATION_FIELDS,
    PHONE_FIELDS,
    SERVICE_FIELDS,
    STAMPS,
    _json_value,
    _parse_value,
    normalise_snapshot,
)

CHUNK = 5_000  # ids per IN (...) list, rows per statement
# Children replaced with the service: (model, fields of a snapshot entry).
_CHILDREN: tuple[tuple[type[SQLModel], tuple[str, ...]], ...] = (
    (Phone, PHONE_FIELDS),
    (OpeningHours, HOURS_FIELDS),
    (HoursException, EXCEPTION_FIELDS),
)
_OWNED: tuple[type[SQLModel], ...] = (
    ServiceCategory,
    Phone,
    OpeningHours,
    HoursException,
    ServiceTranslation,
    ServiceLocationLink,
    ServiceHsds,
)


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _rows(session: Session, model: type[SQLModel], column: str, ids: list[str],
          fields: Iterable[str]) -> list[dict[str, Any]]:  # fmt: skip
    table = table_of(model)
    statement = select(*(table.c[f] for f in fields)).where(table.c[column].in_(ids))
    return [dict(row._mapping) for row in session.execute(statement)]


def stored_snapshots(session: Session, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The stored services among `ids` (any status) as normalised snapshots, by id."""
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(list(dict.fromkeys(ids))):
        services = {
            row["id"]: row
            for row in _rows(
                session, Service, "id", chunk, (*SERVICE_FIELDS, *STAMPS, "organization_id")
            )
        }
        if not services:
            continue
        for row in services.values():
            row.update(locations=[], categories=[], phones=[], hours=[], exceptions=[],
                       translations={}, organization=None)  # fmt: skip
        here = list(services)
        orgs = {o["id"]: o for o in _rows(
            session, Organization, "id",
            list({r["organization_id"] for r in services.values() if r["organization_id"]}),
            ORGANIZATION_FIELDS)}  # fmt: skip
        for row in services.values():
            row["organization"] = orgs.get(row.pop("organization_id"))
        links = _rows(
            session, ServiceLocationLink, "service_id", here, ("service_id", "location_id")
        )
        places = {p["id"]: p for p in _rows(
            session, Location, "id", list({link["location_id"] for link in links}),
            LOCATION_FIELDS)}  # fmt: skip
        for link in links:
            services[link["service_id"]]["locations"].append(places[link["location_id"]])
        for cat in _rows(session, ServiceCategory, "service_id", here, ("service_id", "key")):
            services[cat["service_id"]]["categories"].append(cat["key"])
        for (model, fields), kind in zip(_CHILDREN, ("phones", "hours", "exceptions"), strict=True):
            for child in _rows(session, model, "service_id", here, ("service_id", *fields)):
                services[child.pop("service_id")][kind].append(child)
        for tr in _rows(session, ServiceTranslation, "service_id", here,
                        ("service_id", "lang", "field", "text")):  # fmt: skip
            services[tr["service_id"]]["translations"].setdefault(tr["lang"], {})[tr["field"]] = tr[
                "text"
            ]
        for kept in _rows(session, ServiceHsds, "service_id", here, ("service_id", "data")):
            services[kept["service_id"]]["hsds"] = kept["data"]
        found.update((sid, normalise_snapshot(row)) for sid, row in services.items())
    return found


def _typed(model: type[SQLModel], data: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    return {f: _parse_value(model, f, data.get(f)) for f in fields}


def _upsert(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """Insert rows or, for ids already stored, overwrite them (organisations, places)."""
    if not rows:
        return
    table = table_of(model)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for chunk in _chunks(rows):
        statement = dialect.insert(table)
        columns = [c for c in chunk[0] if c != "id"]
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["id"], set_={c: statement.excluded[c] for c in columns}
            ),
            chunk,
        )


def _insert(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        session.execute(insert(table_of(model)), chunk)


def write_snapshots(
    session: Session,
    snapshots: list[dict[str, Any]],
    stored: dict[str, dict[str, Any]],
    *,
    actor: str,
    at: datetime,
    action: str | None = None,
) -> None:
    """Create or update services from normalised snapshots, in the session's transaction, with
    one audit entry each (`stored`: the current snapshots of those that exist). `action` names
    the entries of changed services (a sync's "hide"); default "import". Rows are made and
    written `CHUNK` services at a time: a 100k import never holds every table's rows at once."""
    version.mark_changed(session)
    for chunk in _chunks(snapshots):
        _write_chunk(session, chunk, stored, actor=actor, at=at, action=action)
    _drop_unlinked_places(session, snapshots, stored)


def _write_chunk(session: Session, snapshots: list[dict[str, Any]],
                 stored: dict[str, dict[str, Any]], *, actor: str, at: datetime,
                 action: str | None) -> None:  # fmt: skip
    """`write_snapshots` for at most `CHUNK` services (a place or organisation shared with an
    earlier chunk is written again, with the same values)."""
    stamp = _json_value(at)
    orgs = {s["organization"]["id"]: s["organization"] for s in snapshots if s["organization"]}
    _upsert(session, Organization, [_typed(Organization, o, ORGANIZATION_FIELDS)
                                    for o in orgs.values()])  # fmt: skip
    places = {loc["id"]: loc for s in snapshots for loc in s["locations"]}
    _upsert(session, Location, [_typed(Location, p, LOCATION_FIELDS) for p in places.values()])
    changed = [s["id"] for s in snapshots if s["id"] in stored]
    for model in _OWNED:
        if changed:
            session.execute(
                delete(table_of(model)).where(table_of(model).c.service_id.in_(changed))
            )
    rows = []
    for s in snapshots:
        row = _typed(Service, s, SERVICE_FIELDS) | audience.columns(s)
        row["organization_id"] = s["organization"]["id"] if s["organization"] else None
        row["updated_at"] = at
        rows.append(row)
    _insert(session, Service, [r | {"created_at": at} for r in rows if r["id"] not in stored])
    old = [{f"b_{k}": v for k, v in r.items()} for r in rows if r["id"] in stored]
    if old:
        table = table_of(Service)
        columns = [k for k in rows[0] if k != "id"]
        statement = (update(table).where(table.c.id == bindparam("b_id"))
                     .values({c: bindparam(f"b_{c}") for c in columns}))  # fmt: skip
        session.connection().execute(statement, old)
    _insert(session, ServiceLocationLink, [{"service_id": s["id"], "location_id": loc["id"]}
                                           for s in snapshots for loc in s["locations"]])  # fmt: skip
    _insert(session, ServiceCategory, [{"service_id": s["id"], "key": key}
                                       for s in snapshots for key in s["categories"]])  # fmt: skip
    for (model, fields), kind in zip(_CHILDREN, ("phones", "hours", "exceptions"), strict=True):
        _insert(session, model, [_typed(model, c, fields) | {"service_id": s["id"]}
                                 for s in snapshots for c in s[kind]])  # fmt: skip
    _insert(session, ServiceTranslation, [
        {"service_id": s["id"], "lang": lang, "field": field, "text": text}
        for s in snapshots for lang, fields in s["translations"].items()
        for field, text in fields.items()])  # fmt: skip
    _insert(session, ServiceHsds, [{"service_id": s["id"], "data": s["hsds"]}
                                   for s in snapshots if s.get("hsds")])  # fmt: skip
    _insert(session, AuditEntry, [_audit(s, stored.get(s["id"]), actor, at, stamp, action)
                                  for s in snapshots])  # fmt: skip


def _audit(snap: dict[str, Any], before: dict[str, Any] | None, actor: str, at: datetime,
           stamp: str, action: str | None = None) -> dict[str, Any]:  # fmt: skip
    if before is None:
        after: dict[str, Any] = {"id": snap["id"], "name": snap["name"]}
    else:
        after = dict(snap, created_at=before.get("created_at"), updated_at=stamp)
    return {
        "at": at,
        "actor": actor,
        "action": "create" if before is None else action or "import",
        "entity": "service",
        "entity_id": snap["id"],
        "before": before,
        "after": after,
    }


def _drop_unlinked_places(session: Session, snapshots: list[dict[str, Any]],
                          stored: dict[str, dict[str, Any]]) -> None:  # fmt: skip
    """Places changed services left that no service is given at, nor hours name (as
    `services._drop_unlinked_places` does for one service)."""
    kept = {loc["id"] for s in snapshots for loc in s["locations"]}
    left = list({loc["id"] for s in snapshots for loc in (stored.get(s["id"]) or {}).get(
        "locations", []) if loc["id"] not in kept})  # fmt: skip
    links, hours, places = (
        table_of(ServiceLocationLink),
        table_of(OpeningHours),
        table_of(Location),
    )
    for chunk in _chunks(left):
        session.execute(delete(places).where(
            places.c.id.in_(chunk),
            places.c.id.not_in(select(links.c.location_id).where(links.c.location_id.in_(chunk))),
            places.c.id.not_in(select(hours.c.location_id).where(hours.c.location_id.in_(chunk))),
        ))  # fmt: skip
