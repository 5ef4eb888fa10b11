"""SQLModel tables of the catalogue.

A *service* is what a person goes to (a shower, a food parcel, a French class); it belongs to an
*organisation* and is given at one or more *locations*. Opening hours, categories, phones and
translations hang off the service. Every field that we cannot source stays empty (None): the bot
says "unknown" rather than guessing. Every change is written to `AuditEntry`.
"""

from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any, Optional

from sqlalchemy import JSON, Column, Table
from sqlmodel import Field, Relationship, SQLModel


def utcnow() -> datetime:
    """Timestamps are stored as aware UTC datetimes."""
    return datetime.now(UTC)


class Status(StrEnum):
    """Whether residents can find the service. `deleted` is a soft delete, undoable."""

    active = "active"
    hidden = "hidden"
    deleted = "deleted"


class Access(StrEnum):
    """How a person gets in."""

    unconditional = "unconditional"  # walk in, no appointment
    appointment = "appointment"
    registration = "registration"
    orientation = "orientation"  # referred by a professional (social worker, CCAS…)


class Gender(StrEnum):
    women = "women"
    men = "men"


class Organization(SQLModel, table=True):
    id: str = Field(primary_key=True)
    name: str
    description: str | None = None
    website: str | None = None
    email: str | None = None

    services: list["Service"] = Relationship(back_populates="organization")


class ServiceLocationLink(SQLModel, table=True):
    """HSDS service_at_location: which service is given where."""

    __tablename__ = "service_location"

    service_id: str = Field(foreign_key="service.id", primary_key=True, ondelete="CASCADE")
    location_id: str = Field(foreign_key="location.id", primary_key=True, index=True)


class Location(SQLModel, table=True):
    id: str = Field(primary_key=True)
    name: str | None = None
    address: str | None = None  # street line; None when unknown or confidential
    postcode: str | None = None
    city: str | None = None
    insee_code: str | None = None  # commune code, from the gazetteer
    latitude: float | None = None
    longitude: float | None = None
    # True when the coordinates are only a commune's centre (no street address known):
    # such a place is never ranked as if it were near.
    approximate: bool = False
    description: str | None = None  # how to find it, or why the address is withheld

    services: list["Service"] = Relationship(
        back_populates="locations", link_model=ServiceLocationLink
    )


class ServiceCategory(SQLModel, table=True):
    """A Soliguide category key (see catalogue/data/taxonomy) attached to a service."""

    __tablename__ = "service_category"

    service_id: str = Field(foreign_key="service.id", primary_key=True, ondelete="CASCADE")
    key: str = Field(primary_key=True, index=True)

    service: "Service" = Relationship(back_populates="categories")


class Phone(SQLModel, table=True):
    id: str = Field(primary_key=True)
    service_id: str = Field(foreign_key="service.id", index=True, ondelete="CASCADE")
    number: str
    kind: str | None = None  # voice, sms, fax…
    description: str | None = None

    service: "Service" = Relationship(back_populates="phones")


class OpeningHours(SQLModel, table=True):
    """One recurring opening: days as in HSDS/iCal `byday` (`MO,TU` weekly, `1SA` monthly).

    `closes_at` earlier than `opens_at` means the opening runs past midnight (night shelter).
    `valid_from`/`valid_to` bound the period the rule applies (summer hours…).
    """

    __tablename__ = "opening_hours"

    id: str = Field(primary_key=True)
    service_id: str = Field(foreign_key="service.id", index=True, ondelete="CASCADE")
    location_id: str | None = Field(default=None, foreign_key="location.id")
    freq: str = "WEEKLY"  # WEEKLY or MONTHLY
    byday: str
    opens_at: time
    closes_at: time
    valid_from: date | None = None
    valid_to: date | None = None
    note: str | None = None
    # The iCalendar parts of an HSDS schedule beyond `byday` (`INTERVAL=2;DTSTART=2026-01-05`,
    # see `catalogue.hours.Recurrence`): what Relais cannot evaluate makes the hours "to confirm".
    recurrence: str | None = None

    service: "Service" = Relationship(back_populates="hours")


class HoursException(SQLModel, table=True):
    """A temporary closure (no times) or exceptional hours between two dates, inclusive."""

    __tablename__ = "hours_exception"

    id: str = Field(primary_key=True)
    service_id: str = Field(foreign_key="service.id", index=True, ondelete="CASCADE")
    starts_on: date
    ends_on: date
    opens_at: time | None = None
    closes_at: time | None = None
    note: str | None = None

    service: "Service" = Relationship(back_populates="exceptions")


class ServiceTranslation(SQLModel, table=True):
    """A field of a service (description, eligibility, access_note, fees…) in one language."""

    __tablename__ = "service_translation"

    service_id: str = Field(foreign_key="service.id", primary_key=True, ondelete="CASCADE")
    lang: str = Field(primary_key=True)
    field: str = Field(primary_key=True)
    text: str

    service: "Service" = Relationship(back_populates="translations")


class ServiceHsds(SQLModel, table=True):
    """What an HSDS file said about a service that Relais does not model (cost options,
    contacts, other taxonomies, schedule rules such as `bymonthday`, the ids of flattened
    objects…), given back on export so that nothing read is dropped. See catalogue/hsds.py."""

    __tablename__ = "service_hsds"

    service_id: str = Field(foreign_key="service.id", primary_key=True, ondelete="CASCADE")
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))

    service: "Service" = Relationship(back_populates="hsds")


class Service(SQLModel, table=True):
    id: str = Field(primary_key=True)
    organization_id: str | None = Field(default=None, foreign_key="organization.id", index=True)
    name: str
    alternate_name: str | None = None  # other names people use, separated by " | "
    description: str | None = None  # in French; other languages in ServiceTranslation
    status: str = Field(default=Status.active, index=True)

    # Audience and eligibility: only what the source says.
    min_age: int | None = None
    max_age: int | None = None
    gender: str | None = None  # Gender, or None for everyone / unknown
    eligibility: str | None = None  # other conditions, as text

    access: str | None = None  # Access
    access_note: str | None = None  # how to get in, as text (HSDS application_process)
    free: bool | None = None
    fees: str | None = None

    # Whom it is for, read from the fields above when it is written (catalogue.audience): what
    # the search filters on and the card says.
    audience_gender: str | None = None  # Gender, None for everyone
    reserved_for: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    refuses_children: bool = False
    walk_in: bool = False

    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    areas: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    email: str | None = None
    website: str | None = None

    source: str | None = None  # where the facts come from (document, URL)
    verified_on: date | None = None
    # Opening hours in OpenStreetMap syntax as an open-data source gave them ("Mo-Fr
    # 09:00-12:00; PH off"), kept whole and evaluated by opening-hours-py (catalogue.hours).
    opening_hours_osm: str | None = None
    hours_note: str | None = None  # hours given as text only ("sur rendez-vous"), in French
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    organization: Optional["Organization"] = Relationship(back_populates="services")
    locations: list["Location"] = Relationship(
        back_populates="services", link_model=ServiceLocationLink
    )
    categories: list["ServiceCategory"] = Relationship(
        back_populates="service", cascade_delete=True
    )
    phones: list["Phone"] = Relationship(back_populates="service", cascade_delete=True)
    hours: list["OpeningHours"] = Relationship(back_populates="service", cascade_delete=True)
    exceptions: list["HoursException"] = Relationship(back_populates="service", cascade_delete=True)
    translations: list["ServiceTranslation"] = Relationship(
        back_populates="service", cascade_delete=True
    )
    sources: list["ServiceSource"] = Relationship(back_populates="service", cascade_delete=True)
    hsds: Optional["ServiceHsds"] = Relationship(
        back_populates="service", cascade_delete=True, sa_relationship_kwargs={"uselist": False}
    )

    @property
    def category_keys(self) -> list[str]:
        return [c.key for c in self.categories]


class ServiceSource(SQLModel, table=True):
    """One record of an open-data source that a service is made from (provenance).

    A service published by two producers (the same place in DORA and in les Emplois) has two
    rows. `synced` holds the service fields as the last sync wrote them from this record, so the
    next sync tells a field an administrator changed (kept, listed as a conflict) from one the
    source changed (updated). `present` is False once the record left the source.
    """

    __tablename__ = "service_source"

    source: str = Field(primary_key=True)  # "data-inclusion"
    record_id: str = Field(primary_key=True)  # the source's id: "dora--42"
    service_id: str = Field(foreign_key="service.id", index=True, ondelete="CASCADE")
    producer: str | None = None  # who published it through the source: "dora"
    link: str | None = None  # the record's page at its producer (lien_source)
    updated_on: date | None = None  # last change at the producer (date_maj)
    synced: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    present: bool = True

    service: "Service" = Relationship(back_populates="sources")


class AuditEntry(SQLModel, table=True):
    """Who changed what, when, with the state before and after (JSON snapshots)."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str  # "cli", "import:<file>", "telegram:<user id>"
    action: str  # create, update, hide, show, delete, restore, import, undo…
    entity: str = "service"
    entity_id: str = Field(index=True)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class CatalogueVersion(SQLModel, table=True):
    """One row counting catalogue writes: bumped in the transaction of every change (see
    `catalogue.version`), so any process sees a change by reading one row, not the tables."""

    __tablename__ = "catalogue_version"

    id: int = Field(default=1, primary_key=True)
    version: int = 0


class TaughtSynonym(SQLModel, table=True):
    """A phrase an administrator taught the search (`/teach`): in `lang`, it means category
    `key`. Read with the synonym files; `active` False once undone (kept for the audit)."""

    __tablename__ = "taught_synonym"

    id: int | None = Field(default=None, primary_key=True)
    lang: str
    phrase: str
    key: str
    active: bool = True
    changed_at: datetime = Field(default_factory=utcnow, index=True)


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a table model (SQLModel's classes do not declare `__table__`)."""
    return model.__table__  # type: ignore[attr-defined,no-any-return]
