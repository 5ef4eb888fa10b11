"""Reading and changing services, with an audit entry for every change.

A service and everything hanging off it (organisation, places, categories, phones, hours,
closures, translations) has one plain JSON form, the *snapshot*. Snapshots are what the audit
table stores before and after each change, what `undo_last` restores, and the pivot between the
database and the HSDS / CSV files (parse → snapshot → `apply_snapshot`, and back).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as _field
from datetime import UTC, date, datetime, time
from functools import cache, partial
from typing import Any, get_args

from rapidfuzz import fuzz, process
from sqlalchemy import update
from sqlalchemy.orm import selectinload
from sqlmodel import Session, SQLModel, col, select

from catalogue import audience
from catalogue.fees import settle_free
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
    Status,
    utcnow,
)
from catalogue.text import normalise


@dataclass
class Problem:
    """Something wrong in catalogue data: where (1-based item or CSV line, field) and what."""

    item: int | None
    field: str | None
    message: str  # English msgid marked with N_; its {names} are filled from `params`
    params: dict[str, Any] = _field(default_factory=dict)

    def text(self, gettext: Callable[[str], str] = str, say: Callable[[Any], str] = str) -> str:
        """The message with its parameters, in the language of `gettext` (English without):
        catalogue/ stays language-free, the bot passes the admin's translator, and `say` for
        each parameter (day codes named, a value kept apart in a right-to-left text). A
        parameter that is itself a Problem (the error inside one rule of several) is said the
        same way."""
        params = {k: v.text(gettext, say) if isinstance(v, Problem) else say(v)
                  for k, v in self.params.items()}  # fmt: skip
        return gettext(self.message).format(**params)

    def __str__(self) -> str:
        where = [f"item {self.item}" if self.item is not None else None, self.field]
        place = ", ".join(w for w in where if w)
        return f"{place}: {self.text()}" if place else self.text()


class ConcurrentEditError(Exception):
    """Someone else changed the service since it was read: nothing was written."""


class NotFoundError(LookupError):
    """No service with that id."""


SERVICE_FIELDS = (
    "id", "name", "alternate_name", "description", "status", "min_age", "max_age", "gender",
    "eligibility", "access", "access_note", "free", "fees", "languages", "areas", "email",
    "website", "source", "verified_on", "opening_hours_osm", "hours_note",
)  # fmt: skip
ORGANIZATION_FIELDS = ("id", "name", "description", "website", "email")
LOCATION_FIELDS = (
    "id", "name", "address", "postcode", "city", "insee_code", "latitude", "longitude",
    "approximate", "description",
)  # fmt: skip
PHONE_FIELDS = ("id", "number", "kind", "description")
HOURS_FIELDS = (
    "id", "location_id", "freq", "byday", "opens_at", "closes_at", "valid_from", "valid_to", "note",
    "recurrence",
)  # fmt: skip
EXCEPTION_FIELDS = ("id", "starts_on", "ends_on", "opens_at", "closes_at", "note")
STAMPS = ("created_at", "updated_at")
# Fields of a service that can be given in other languages (ServiceTranslation.field).
TRANSLATABLE = ("description", "eligibility", "access_note", "fees")

_RELATIONS = (
    selectinload(Service.organization),  # type: ignore[arg-type]
    selectinload(Service.locations),  # type: ignore[arg-type]
    selectinload(Service.categories),  # type: ignore[arg-type]
    selectinload(Service.phones),  # type: ignore[arg-type]
    selectinload(Service.hours),  # type: ignore[arg-type]
    selectinload(Service.exceptions),  # type: ignore[arg-type]
    selectinload(Service.translations),  # type: ignore[arg-type]
    selectinload(Service.sources),  # type: ignore[arg-type]
    selectinload(Service.hsds),  # type: ignore[arg-type]
)


# --- snapshots ---------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    """Dates as YYYY-MM-DD, times as HH:MM, stamps as ISO UTC: a JSON-able, comparable form."""
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    if isinstance(value, list):
        return list(value)
    return value


def _pick(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    get = obj.get if isinstance(obj, dict) else lambda f, d=None: getattr(obj, f, d)
    return {f: _json_value(get(f, None)) for f in fields}


def location_values(location: Location | dict[str, Any]) -> dict[str, Any]:
    """A place as a snapshot holds it (also what an import's place is compared with)."""
    values = _pick(location, LOCATION_FIELDS)
    values["approximate"] = bool(values["approximate"])
    return values


def organization_values(organization: Organization | dict[str, Any]) -> dict[str, Any]:
    """An organisation as a snapshot holds it."""
    return _pick(organization, ORGANIZATION_FIELDS)


def as_utc(value: datetime) -> datetime:
    """Databases hand back naive datetimes (SQLite) or aware ones (PostgreSQL): compare in UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def normalise_snapshot(data: dict[str, Any]) -> dict[str, Any]:
    """The canonical snapshot of a service given as a (possibly partial) dict or a `Service`.

    Lists of children are sorted by id (categories by key) so that two snapshots of the same
    service compare equal whatever order the database or a file gave them in.
    """
    src = data if isinstance(data, dict) else _service_dict(data)
    snap = _pick(src, SERVICE_FIELDS)
    snap["status"] = snap["status"] or Status.active.value
    snap["free"] = settle_free(snap["free"], snap["fees"])
    snap["languages"] = list(src.get("languages") or [])
    snap["areas"] = list(src.get("areas") or [])
    org = src.get("organization")
    snap["organization"] = organization_values(org) if org else None
    locations = [location_values(loc) for loc in src.get("locations") or []]
    snap["locations"] = sorted(locations, key=lambda loc: loc["id"])
    snap["categories"] = sorted(dict.fromkeys(src.get("categories") or []))
    snap["phones"] = sorted(
        (_pick(p, PHONE_FIELDS) for p in src.get("phones") or []), key=lambda p: p["id"]
    )
    hours = [_pick(h, HOURS_FIELDS) for h in src.get("hours") or []]
    for h in hours:
        h["freq"] = h["freq"] or "WEEKLY"
    snap["hours"] = sorted(hours, key=lambda h: h["id"])
    snap["exceptions"] = sorted(
        (_pick(e, EXCEPTION_FIELDS) for e in src.get("exceptions") or []), key=lambda e: e["id"]
    )
    translations = src.get("translations") or {}
    snap["translations"] = {
        lang: dict(sorted((f, t) for f, t in fields.items() if t))
        for lang, fields in sorted(translations.items())
        if any(fields.values())
    }
    snap["hsds"] = dict(src.get("hsds") or {})  # what an HSDS file held that Relais does not model
    for stamp in STAMPS:
        if src.get(stamp) is not None:
            snap[stamp] = _json_value(src[stamp])
    return snap


def settle_audience(service: Service) -> None:
    """Store whom the service is for, read from its fields (`catalogue.audience`)."""
    for column, value in audience.columns(
        {f: getattr(service, f) for f in audience.INPUTS}
    ).items():
        setattr(service, column, value)


def _service_dict(service: Service) -> dict[str, Any]:
    translations: dict[str, dict[str, str]] = {}
    for tr in service.translations:
        translations.setdefault(tr.lang, {})[tr.field] = tr.text
    data = {f: getattr(service, f) for f in (*SERVICE_FIELDS, *STAMPS)}
    data.update(
        organization=service.organization,
        locations=service.locations,
        categories=service.category_keys,
        phones=service.phones,
        hours=service.hours,
        exceptions=service.exceptions,
        translations=translations,
        hsds=service.hsds.data if service.hsds else {},
    )
    return data


def service_snapshot(service: Service) -> dict[str, Any]:
    """JSON-able state of a service and its children (audit before/after, export, undo)."""
    return normalise_snapshot(_service_dict(service))


def content(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot without its stamps: what "unchanged" is judged on."""
    return {k: v for k, v in snapshot.items() if k not in STAMPS}


def _parse_value(model: type[SQLModel], field: str, value: Any) -> Any:
    """Back from the JSON form to the column's Python type."""
    if value is None or not isinstance(value, str):
        return value
    kind = _temporal_kind(model, field)
    return kind.fromisoformat(value) if kind is not None else value


@cache
def _temporal_kind(model: type[SQLModel], field: str) -> type[date] | type[time] | None:
    """datetime, date or time when the column holds one (datetime first: it is also a date)."""
    annotation = model.model_fields[field].annotation
    for kind in (datetime, date, time):
        if kind is annotation or kind in get_args(annotation):
            return kind
    return None


def _assign(obj: SQLModel, data: dict[str, Any], fields: Iterable[str]) -> None:
    for field in fields:
        setattr(obj, field, _parse_value(type(obj), field, data.get(field)))


def _sync(
    current: list[Any],
    wanted: list[dict[str, Any]],
    key: Callable[[Any], Any],
    make: Callable[[dict[str, Any]], Any],
    fields: Iterable[str],
) -> list[Any]:
    """Update children in place by key, create the new ones, drop the others (delete-orphan)."""
    by_key = {key(obj): obj for obj in current}
    result = []
    for data in wanted:
        obj = by_key.get(key(data)) or make(data)
        _assign(obj, data, fields)
        result.append(obj)
    return result


def apply_snapshot(session: Session, snapshot: dict[str, Any]) -> Service:
    """Make the stored service (created if missing) match `snapshot`; no audit, no stamps.

    Organisation and places are shared with other services: they are upserted by id.
    """
    with session.no_autoflush:  # one flush at the end, not one per lazy load
        return _apply(session, normalise_snapshot(snapshot))


def _apply(session: Session, snap: dict[str, Any]) -> Service:
    service = session.get(Service, snap["id"])  # no query when already loaded (`get_services`)
    if service is None:
        service = Service(id=snap["id"], name=snap["name"])
        session.add(service)
    _assign(service, snap, SERVICE_FIELDS)
    settle_audience(service)
    org = snap["organization"]
    if org is None:
        service.organization = None
    else:
        organization = session.get(Organization, org["id"]) or Organization(**org)
        _assign(organization, org, ORGANIZATION_FIELDS)
        service.organization = organization
    locations = []
    for loc in snap["locations"]:
        location = session.get(Location, loc["id"]) or Location(id=loc["id"])
        _assign(location, loc, LOCATION_FIELDS)
        locations.append(location)
    service.locations = locations
    get_key = _getter
    service.categories = _sync(
        service.categories,
        [{"key": k} for k in snap["categories"]],
        lambda o: get_key(o, "key"),
        lambda d: ServiceCategory(service_id=service.id, key=d["key"]),
        (),
    )
    by_id = lambda o: get_key(o, "id")  # noqa: E731
    service.phones = _sync(
        service.phones,
        snap["phones"],
        by_id,
        lambda d: Phone(id=d["id"], service_id=service.id, number=""),
        PHONE_FIELDS,
    )
    new_hours = partial(_new_hours, service.id)
    service.hours = _sync(service.hours, snap["hours"], by_id, new_hours, HOURS_FIELDS)
    new_exception = partial(_new_exception, service.id)
    service.exceptions = _sync(
        service.exceptions, snap["exceptions"], by_id, new_exception, EXCEPTION_FIELDS
    )
    service.translations = _sync(
        service.translations,
        [
            {"lang": lang, "field": field, "text": text}
            for lang, fields in snap["translations"].items()
            for field, text in fields.items()
        ],
        lambda o: (get_key(o, "lang"), get_key(o, "field")),
        lambda d: ServiceTranslation(
            service_id=service.id, lang=d["lang"], field=d["field"], text=d["text"]
        ),
        ("text",),
    )
    if snap["hsds"]:
        service.hsds = service.hsds or ServiceHsds(service_id=service.id)
        service.hsds.data = snap["hsds"]
    else:
        service.hsds = None
    return service


def _getter(obj: Any, field: str) -> Any:
    return obj[field] if isinstance(obj, dict) else getattr(obj, field)


def _new_hours(service_id: str, data: dict[str, Any]) -> OpeningHours:
    return OpeningHours(
        id=data["id"], service_id=service_id, byday="", opens_at=time(0), closes_at=time(0)
    )


def _new_exception(service_id: str, data: dict[str, Any]) -> HoursException:
    return HoursException(
        id=data["id"], service_id=service_id, starts_on=date.min, ends_on=date.min
    )


# --- reading -----------------------------------------------------------------------------------


def get_service(
    session: Session, service_id: str, *, include_deleted: bool = False
) -> Service | None:
    """The service with its relations loaded, or None (a soft-deleted one only on request)."""
    stmt = select(Service).where(Service.id == service_id).options(*_RELATIONS)
    service = session.exec(stmt).first()
    if service is None or (service.status == Status.deleted and not include_deleted):
        return None
    return service


def get_services(session: Session, ids: Iterable[str]) -> dict[str, Service]:
    """Many services by id with their relations, soft-deleted ones included, in few queries."""
    ids = list(ids)
    found: dict[str, Service] = {}
    for start in range(0, len(ids), 500):
        stmt = select(Service).where(col(Service.id).in_(ids[start : start + 500]))
        found.update((s.id, s) for s in session.exec(stmt.options(*_RELATIONS)).all())
    return found


def list_services(session: Session, *, status: str | None = "active") -> list[Service]:
    """Services with the given status (None: all, deleted ones included), by id."""
    stmt = select(Service).options(*_RELATIONS).order_by(col(Service.id))
    if status is not None:
        stmt = stmt.where(Service.status == status)
    return list(session.exec(stmt).all())


def history(session: Session, service_id: str) -> list[AuditEntry]:
    """Every recorded change of a service, oldest first."""
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.entity == "service", AuditEntry.entity_id == service_id)
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    )
    return list(session.exec(stmt).all())


def stale_services(session: Session, *, older_than: date) -> list[Service]:
    """Visible services never verified or verified before `older_than`, oldest first."""
    stmt = (
        select(Service)
        .options(*_RELATIONS)
        .where(Service.status != Status.deleted)
        .where((col(Service.verified_on).is_(None)) | (col(Service.verified_on) < older_than))
        .order_by(col(Service.verified_on).is_not(None), col(Service.verified_on), col(Service.id))
    )
    return list(session.exec(stmt).all())


SIMILAR_NAME = (
    85.0  # rapidfuzz WRatio from which an organisation's name is offered as the one meant
)
CLOSE_TO_BEST = 5.0  # offered too when this close to the best ("Fives" fits three equally)
_NAME_FILLERS = frozenset({"le", "la", "les", "l", "de", "des", "du", "d", "et", "association"})


def _name_key(name: str) -> str:
    """An organisation's name without the words many names share ("Association", "du")."""
    words = normalise(name).split()
    return " ".join(w for w in words if w not in _NAME_FILLERS) or " ".join(words)


def find_organizations(session: Session, name: str, *, limit: int = 5) -> list[Organization]:
    """Organisations running a service (not deleted) whose name is like `name`, best first:
    typos, accents, word order and a part of the name ("rempar" for "Association Le Rempart")."""
    running = select(Service.organization_id).where(
        col(Service.organization_id).is_not(None), Service.status != Status.deleted
    )
    query = select(Organization).where(col(Organization.id).in_(running))
    known = {org.id: org for org in session.exec(query)}
    keys = {org_id: _name_key(org.name) for org_id, org in known.items()}
    found = process.extract(
        _name_key(name), keys, scorer=fuzz.WRatio, limit=limit, score_cutoff=SIMILAR_NAME
    )
    best = found[0][1] if found else 0.0
    return [known[org_id] for _key, score, org_id in found if score >= best - CLOSE_TO_BEST]


# --- writing -----------------------------------------------------------------------------------


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    service_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEntry:
    """Append one audit entry (the session's transaction makes it atomic with the change)."""
    entry = AuditEntry(actor=actor, action=action, entity_id=service_id, before=before, after=after)
    session.add(entry)
    return entry


def _drop_unlinked_places(session: Session, before: dict[str, Any] | None) -> None:
    """Delete the places the service had in `before` that no service is given at any more.

    A place exists for the services given there (HSDS service_at_location); once none is, nothing
    reaches it. One still named by opening hours is left (its row is referenced). The audit
    snapshots keep every field of it, so an undo brings it back under the same id.
    """
    ids = [loc["id"] for loc in (before or {}).get("locations") or []]
    if not ids:
        return
    session.flush()
    linked = select(ServiceLocationLink.location_id).where(
        col(ServiceLocationLink.location_id).in_(ids)
    )
    timed = select(OpeningHours.location_id).where(col(OpeningHours.location_id).in_(ids))
    unlinked = select(Location).where(
        col(Location.id).in_(ids), col(Location.id).not_in(linked), col(Location.id).not_in(timed)
    )
    for location in session.exec(unlinked).all():
        session.delete(location)


def _stored_snapshot(session: Session, service_id: str) -> dict[str, Any] | None:
    """The committed state of a service, read apart from the caller's pending changes."""
    with Session(session.get_bind()) as other:
        stored = get_service(other, service_id, include_deleted=True)
        return service_snapshot(stored) if stored is not None else None


def _claim(session: Session, service_id: str, expected: datetime, stamp: datetime) -> None:
    """Move the stored stamp from `expected` to `stamp` in one conditional UPDATE, or raise.

    Reading the stamp and then writing would let two editors who read the same stamp both
    save. The UPDATE locks the row until the transaction ends (a second one waits, then finds
    the stamp moved and changes no row), so exactly one of two concurrent saves wins, on SQLite
    and PostgreSQL alike, across processes (two replicas, the bot and the CLI).
    """
    claim = (
        update(Service)
        .where(col(Service.id) == service_id, col(Service.updated_at) == as_utc(expected))
        .values(updated_at=stamp)
        .execution_options(synchronize_session=False)
    )
    with session.no_autoflush:
        claimed = session.execute(claim).rowcount  # type: ignore[attr-defined]
    if claimed != 1:
        raise ConcurrentEditError(f"service {service_id} was changed by someone else")


def save_service(
    session: Session,
    service: Service,
    *,
    actor: str,
    action: str = "update",
    expected_updated_at: datetime | None = None,
) -> Service:
    """Store a new or changed service and audit it.

    `expected_updated_at` is the `updated_at` the editor read: if the stored one differs,
    someone else saved in between and `ConcurrentEditError` is raised, nothing written. So it
    is when `action` is "create" and the id is already taken (two admins adding at once).
    """
    before = _stored_snapshot(session, service.id)
    if action == "create" and before is not None:
        raise ConcurrentEditError(f"service {service.id} already exists")
    stamp = utcnow()
    if expected_updated_at is not None:
        _claim(session, service.id, expected_updated_at, stamp)
    if before is None and action == "update":
        action = "create"
    service.updated_at = stamp
    if before is not None:
        service.created_at = datetime.fromisoformat(before["created_at"])
    settle_audience(service)
    if service not in session:
        service = session.merge(service)
    session.flush()
    _drop_unlinked_places(session, before)
    saved = get_service(session, service.id, include_deleted=True)
    assert saved is not None
    record(
        session,
        actor=actor,
        action=action,
        service_id=saved.id,
        before=before,
        after=service_snapshot(saved),
    )
    return saved


def write_snapshot(
    session: Session,
    snapshot: dict[str, Any],
    *,
    actor: str,
    action: str,
    note: dict[str, Any] | None = None,
) -> Service:
    """Apply a snapshot (from a file or an undo) with a fresh `updated_at` and an audit entry.

    `note` adds keys to the entry's `after` (an undo names the entry it undoes).
    """
    existing = session.get(Service, snapshot["id"])
    before = service_snapshot(existing) if existing is not None else None
    service = apply_snapshot(session, snapshot)
    service.updated_at = utcnow()
    _drop_unlinked_places(session, before)
    record(
        session,
        actor=actor,
        action=action,
        service_id=service.id,
        before=before,
        after=dict(service_snapshot(service), **(note or {})),
    )
    return service


_STATUS_ACTIONS = {Status.active: "show", Status.hidden: "hide", Status.deleted: "delete"}


def set_status(session: Session, service_id: str, status: Status, *, actor: str) -> Service:
    """Hide, show, soft-delete or restore a service (restore = active again after a delete)."""
    current = _current_snapshot(session, service_id)
    action = _STATUS_ACTIONS[Status(status)]
    if current["status"] == Status.deleted and status != Status.deleted:
        action = "restore"
    changed = current | {"status": Status(status).value}
    return write_snapshot(session, changed, actor=actor, action=action)


def mark_verified(session: Session, service_id: str, *, actor: str, on: date) -> Service:
    """Record that someone checked the service's facts on `on`."""
    changed = _current_snapshot(session, service_id) | {"verified_on": on.isoformat()}
    return write_snapshot(session, changed, actor=actor, action="verify")


def _current_snapshot(session: Session, service_id: str) -> dict[str, Any]:
    service = get_service(session, service_id, include_deleted=True)
    if service is None:
        raise NotFoundError(service_id)
    return service_snapshot(service)


def undo_last(session: Session, *, actor: str) -> AuditEntry | None:
    """Revert `actor`'s latest change that is not itself undone; None when there is none.

    Only the fields that change touched go back to their `before` value, so later edits by
    others to other fields stay. A creation is undone by a soft delete (nothing is lost).
    The undo is audited too, and an undone entry is never undone twice.
    """
    entries = session.exec(
        select(AuditEntry)
        .where(AuditEntry.actor == actor, AuditEntry.entity == "service")
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    ).all()
    undone = {e.after.get("undoes") for e in entries if e.action == "undo" and e.after}
    target = next((e for e in entries if e.action != "undo" and e.id not in undone), None)
    if target is None:
        return None
    current = get_service(session, target.entity_id, include_deleted=True)
    restored = dict(target.before or target.after or {})
    if current is not None:
        before, after = target.before, target.after or {}
        touched = {"status": Status.deleted.value} if before is None else {
            k: before.get(k) for k in content(before).keys() | content(after).keys()
            if before.get(k) != after.get(k)
        }  # fmt: skip
        restored = service_snapshot(current) | touched
    write_snapshot(session, restored, actor=actor, action="undo", note={"undoes": target.id})
    return target
