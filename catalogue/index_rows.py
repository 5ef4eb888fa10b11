"""The active services as light rows for the search index and the result lines, read column by
column.

An ORM `Service` with its seven relations costs kilobytes and a lot of loading time per service
(1.8 GB and 30 s at 100k); the index reads a few attributes once. These rows carry exactly those
attributes, under the same names, as slotted objects and tuples, with equal opening rules,
category keys and texts (eligibility, languages...) shared between services. The full service
is loaded only for a card shown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import date, time
from operator import attrgetter
from typing import Any, NamedTuple

from sqlalchemy import Engine, String, cast, select
from sqlmodel import col

from catalogue.models import (
    HoursException,
    Location,
    OpeningHours,
    Organization,
    Service,
    ServiceCategory,
    ServiceLocationLink,
    ServiceTranslation,
    Status,
    table_of,
)


class Category(NamedTuple):
    key: str


class Place(NamedTuple):
    latitude: float | None
    longitude: float | None
    approximate: bool
    insee_code: str | None
    city: str | None


class Rule(NamedTuple):
    """An opening rule, as `hours.is_open` reads it."""

    freq: str
    byday: str
    opens_at: time
    closes_at: time
    valid_from: date | None
    valid_to: date | None
    recurrence: str | None


class Closure(NamedTuple):
    """A temporary closure or exceptional hours, as `hours.is_open` reads it."""

    starts_on: date
    ends_on: date
    opens_at: time | None
    closes_at: time | None


class Organisation(NamedTuple):
    name: str


class Translation(NamedTuple):
    lang: str
    field: str
    text: str


@dataclass(slots=True)
class IndexedService:
    """What the search index and a result line read of a service (attribute names of
    `models.Service`)."""

    id: str
    name: str
    alternate_name: str | None
    description: str | None
    audience_gender: str | None
    reserved_for: tuple[str, ...]
    refuses_children: bool
    walk_in: bool
    min_age: int | None
    max_age: int | None
    free: bool | None
    fees: str | None
    access: str | None
    access_note: str | None
    languages: tuple[str, ...]
    areas: tuple[str, ...]
    opening_hours_osm: str | None
    organization: Organisation | None
    status: str = Status.active
    locations: list[Place] | tuple[()] = ()
    categories: list[Category] | tuple[()] = ()
    hours: list[Rule] | tuple[()] = ()
    exceptions: list[Closure] | tuple[()] = ()
    translations: list[Translation] | tuple[()] = ()  # of the fees: the result lines show them

    @property
    def category_keys(self) -> list[str]:
        return [c.key for c in self.categories]

    def __reduce__(self) -> tuple[type[IndexedService], tuple[Any, ...]]:
        """Pickled as its values (the saved index): loading then calls the constructor once
        instead of setting each slot in Python (0.4 s instead of 3 s for 100k services)."""
        return IndexedService, _values(self)


_values = attrgetter(*(f.name for f in fields(IndexedService)))
_COLUMNS = ("id", "name", "alternate_name", "description", "audience_gender", "reserved_for",
            "refuses_children", "walk_in", "min_age", "max_age", "free", "fees", "access",
            "access_note", "languages", "areas", "opening_hours_osm")  # fmt: skip
_JSON = ("reserved_for", "languages", "areas")


def _shared(value: Any, same: dict[Any, Any]) -> Any:
    """`value` (a list as a tuple), as the equal one seen before if any."""
    if isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            return value
        value = tuple(value)
    return same.setdefault(value, value) if isinstance(value, str | tuple) else value


def _decoded(text: str | None, texts: dict[str, Any], same: dict[Any, Any]) -> Any:
    """A JSON list column read as its text, decoded once per distinct text (`json.loads` per
    row cost more than the rest of the row)."""
    if text is None:
        return None
    if text not in texts:
        texts[text] = _shared(json.loads(text), same)
    return texts[text]


def load(engine: Engine) -> list[IndexedService]:
    """The active services by id, with their places, categories, hours and closures."""
    table = table_of(Service)
    with engine.connect() as connection:
        organisations = select(col(Organization.id), col(Organization.name))
        names: dict[str, str] = dict(connection.execute(organisations).all())
        rows = connection.execute(  # JSON lists as text: 100k services share a few hundred
            select(*(cast(table.c[c], String) if c in _JSON else table.c[c] for c in _COLUMNS),
                   table.c.organization_id)
            .where(table.c.status == Status.active).order_by(table.c.id)
        )  # fmt: skip
        services = {}
        same: dict[Any, Any] = {}  # equal values are one object (100k services repeat many)
        texts: dict[str, Any] = {}  # JSON text -> its shared value
        json_at = [c in _JSON for c in _COLUMNS[2:]]
        for row in rows:
            org = names.get(row.organization_id)
            values = [
                _decoded(v, texts, same)
                if is_json
                else same.setdefault(v, v)
                if isinstance(v, str)
                else v
                for v, is_json in zip(row[2 : len(_COLUMNS)], json_at, strict=True)
            ]
            values.append(Organisation(org) if org else None)
            services[row.id] = IndexedService(row.id, row.name, *values)
        shared: dict[str, dict[Any, Any]] = {}  # per kind: equal items are one object

        def add(kind: str, service_id: str, item: Any) -> None:
            service = services.get(service_id)
            if service is not None:
                items = getattr(service, kind)
                if not items:
                    items = []
                    setattr(service, kind, items)
                items.append(shared.setdefault(kind, {}).setdefault(item, item))

        place = (col(Location.latitude), col(Location.longitude), col(Location.approximate),
                 col(Location.insee_code), col(Location.city))  # fmt: skip
        for service_id, *values in connection.execute(
            select(col(ServiceLocationLink.service_id), *place)
            .join(Location, col(Location.id) == col(ServiceLocationLink.location_id))
            .order_by(col(ServiceLocationLink.service_id), col(Location.id))
        ):  # fmt: skip
            add("locations", service_id, Place(*values))
        for service_id, key in connection.execute(
            select(col(ServiceCategory.service_id), col(ServiceCategory.key))
        ):  # fmt: skip
            add("categories", service_id, Category(key))
        rule = (col(OpeningHours.freq), col(OpeningHours.byday), col(OpeningHours.opens_at),
                col(OpeningHours.closes_at), col(OpeningHours.valid_from),
                col(OpeningHours.valid_to), col(OpeningHours.recurrence))  # fmt: skip
        for service_id, *values in connection.execute(
            select(col(OpeningHours.service_id), *rule).order_by(col(OpeningHours.id))
        ):  # fmt: skip
            add("hours", service_id, Rule(*values))
        closure = (col(HoursException.starts_on), col(HoursException.ends_on),
                   col(HoursException.opens_at), col(HoursException.closes_at))  # fmt: skip
        for service_id, *values in connection.execute(
            select(col(HoursException.service_id), *closure).order_by(col(HoursException.id))
        ):  # fmt: skip
            add("exceptions", service_id, Closure(*values))
        for service_id, *values in connection.execute(
            select(col(ServiceTranslation.service_id), col(ServiceTranslation.lang),
                   col(ServiceTranslation.field), col(ServiceTranslation.text))
            .where(col(ServiceTranslation.field) == "fees")
        ):  # fmt: skip
            add("translations", service_id, Translation(*values))
    return list(services.values())
