"""Fictional services for tests, built one way: `make_service` with only what a test is about.

A place is `(insee, city, latitude, longitude)`; `where=None` leaves the service without one.
Hours are `(byday, opens_at, closes_at)`. Every other keyword is a `Service` field.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import time
from typing import Any

from catalogue.models import Location, OpeningHours, Phone, Service, ServiceCategory
from catalogue.services import settle_audience

Where = tuple[str | None, str, float, float]
LILLE: Where = ("59350", "Lille", 50.6366, 3.0635)
ROUBAIX: Where = ("59512", "Roubaix", 50.6942, 3.1746)
TOURCOING: Where = ("59599", "Tourcoing", 50.7239, 3.1612)


def make_location(
    sid: str, where: Where = LILLE, *, offset: float = 0.0, **fields: Any
) -> Location:
    """The place of service `sid` (id `loc-<sid>`), `offset` degrees north of `where`."""
    insee, city, lat, lon = where
    return Location(id=f"loc-{sid}", city=city, insee_code=insee, latitude=lat + offset,
                    longitude=lon, **fields)  # fmt: skip


def make_hours(
    sid: str, byday: str, opens: time, closes: time, n: int = 0, **fields: Any
) -> OpeningHours:
    """Rule `n` of service `sid` (id `h-<sid>-<n>`): open on `byday` from `opens` to `closes`."""
    return OpeningHours(id=f"h-{sid}-{n}", service_id=sid, byday=byday, opens_at=opens,
                        closes_at=closes, **fields)  # fmt: skip


def make_service(
    sid: str = "s",
    name: str = "Douches du Test",
    keys: Iterable[str] = (),
    where: Where | None = LILLE,
    *,
    offset: float = 0.0,
    approximate: bool = False,
    address: str | None = None,
    postcode: str | None = None,
    hours: Sequence[tuple[str, time, time]] = (),
    phones: Sequence[str] = (),
    **fields: Any,
) -> Service:
    """A service in categories `keys`, at `where` (its street `address`), open at `hours`,
    reachable on `phones`; whom it is for read as when it is stored."""
    service = Service(id=sid, name=name, **fields)
    place = {"approximate": approximate, "address": address, "postcode": postcode}
    service.locations = [] if where is None else [make_location(sid, where, offset=offset, **place)]
    service.categories = [ServiceCategory(service_id=sid, key=k) for k in keys]
    service.hours = [make_hours(sid, days, a, b, n) for n, (days, a, b) in enumerate(hours)]
    service.phones = [
        Phone(id=f"p-{sid}-{n}", service_id=sid, number=number) for n, number in enumerate(phones)
    ]
    settle_audience(service)  # as every write does: the index reads the columns
    return service
