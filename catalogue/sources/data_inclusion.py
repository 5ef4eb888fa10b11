"""data·inclusion: the national open data of inclusion services, read and mapped for the MEL.

data·inclusion (GIP Plateforme de l'inclusion) publishes structures and services every week
(schema v1, Licence Ouverte 2.0). This module reads them from the published files (JSON arrays,
streamed with ijson: the national export is never held in memory), from their URLs, or from the
API with a bearer token; keeps what concerns the MEL; and maps each record to a service snapshot
of the catalogue (`catalogue.services`). Writing them is `catalogue.sources.sync`.

Mapping rules (data files in `catalogue/data/data_inclusion/`, with their sources):
- thematiques -> Soliguide keys, the reverse of data·inclusion's own table (`thematiques.json`);
- publics -> eligibility text, women-only when `femmes` is the only public (`publics.json`);
- frais -> free / fees; `mobilisable_par` professionals only -> access by orientation;
  `conditions_acces` and `mobilisation_precisions` -> access note;
- address, phone, e-mail, hours and website fall back to the structure's;
- `date_maj` -> verified_on; no coordinates -> the commune's centre, marked approximate;
- `horaires_accueil` in OSM syntax is kept whole; other text becomes the hours note.
A value that breaks the schema (an e-mail that is not one, a URL, an unknown thematique) is
dropped and listed; the record keeps its other fields.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import ijson
import phonenumbers

from catalogue.hours import osm_hours
from catalogue.places import (
    Place,
    commune_by_code,
    commune_by_name,
    commune_codes,
    commune_for_postcode,
    in_mel,
)
from catalogue.taxonomy import get_category
from catalogue.text import N_

SOURCE = "data-inclusion"
LABEL = "data·inclusion"
LICENCE = "Licence Ouverte 2.0"
DATA = Path(__file__).resolve().parents[1] / "data" / "data_inclusion"
MEL_EPCI = "200093201"  # Métropole Européenne de Lille
MEL_DEPARTEMENT = "59"
METROPOLIS_AREA = "Métropole Européenne de Lille"
# The weekly export's resources are listed by data.gouv.fr's catalogue API.
DATASET_URL = (
    "https://www.data.gouv.fr/api/1/datasets/"
    "referentiel-de-loffre-dinsertion-liste-des-structures-et-services-dinsertion/"
)
API_URL = "https://api.data.inclusion.gouv.fr"
TIMEOUT = 60
_UNKNOWN = N_("unknown value '{value}'")
_NOT_URL = N_("'{value}' is not a web address")
Found = tuple[str, str, dict[str, Any]]  # (field, message marked with N_, its parameters)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


class SourceError(Exception):
    """The source cannot be read (network, HTTP status, not a JSON array)."""


# --------------------------------------------------------------------------- reading


class Reader(Protocol):
    """Where records come from. Each call reads the source again, from the start."""

    def structures(self) -> Iterator[dict[str, Any]]: ...
    def services(self) -> Iterator[dict[str, Any]]: ...


def read_array(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a JSON array file, one at a time (ijson: memory stays flat)."""
    with open(path, "rb") as stream:
        try:
            for item in ijson.items(stream, "item", use_float=True):
                if isinstance(item, dict):
                    yield item
        except ijson.JSONError as exc:
            raise SourceError(f"{path.name}: not a JSON array of records ({exc})") from exc


@dataclass
class FileReader:
    """The export as published: `services.json` and `structures.json`, JSON arrays."""

    services_path: Path
    structures_path: Path

    def structures(self) -> Iterator[dict[str, Any]]:
        return read_array(self.structures_path)

    def services(self) -> Iterator[dict[str, Any]]:
        return read_array(self.services_path)


def _open(url: str, headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(url, headers={"User-Agent": "relais", **(headers or {})})
    try:
        return urllib.request.urlopen(request, timeout=TIMEOUT)
    except OSError as exc:  # URLError and HTTPError are OSErrors
        raise SourceError(f"cannot read {url}: {exc}") from exc


def download(url: str, target: Path) -> Path:
    """Copy `url` to `target` in chunks (the national export is hundreds of MB)."""
    with _open(url) as response, open(target, "wb") as out:
        shutil.copyfileobj(response, out, length=1 << 20)
    return target


def export_urls(dataset_url: str = DATASET_URL) -> tuple[str, str]:
    """(services URL, structures URL) of the weekly JSON export: the environment's
    RELAIS_DATA_INCLUSION_SERVICES_URL / _STRUCTURES_URL, else the dataset's latest files."""
    services = os.environ.get("RELAIS_DATA_INCLUSION_SERVICES_URL")
    structures = os.environ.get("RELAIS_DATA_INCLUSION_STRUCTURES_URL")
    if services and structures:
        return services, structures
    with _open(dataset_url) as response:
        resources = json.load(response).get("resources") or []
    found: dict[str, str] = {}
    for resource in resources:
        title = (resource.get("title") or "").lower()
        if (resource.get("format") or "").lower() != "json":
            continue
        for kind in ("services", "structures"):
            if kind in title and kind not in found:
                found[kind] = resource.get("url") or ""
    if not (found.get("services") and found.get("structures")):
        raise SourceError(f"no JSON services and structures files listed at {dataset_url}")
    return services or found["services"], structures or found["structures"]


@dataclass
class ApiReader:
    """The data·inclusion API (`/api/v1/structures`, `/api/v1/services`), paged, with a bearer
    token, asked for the Nord département only (the MEL is filtered afterwards)."""

    token: str
    base_url: str = API_URL
    departement: str = MEL_DEPARTEMENT
    size: int = 1000

    def _pages(self, kind: str) -> Iterator[dict[str, Any]]:
        page = 1
        while True:
            query = urllib.parse.urlencode(
                {"code_departement": self.departement, "page": page, "size": self.size}
            )
            url = f"{self.base_url.rstrip('/')}/api/v1/{kind}?{query}"
            with _open(url, {"Authorization": f"Bearer {self.token}"}) as response:
                data = json.load(response)
            items = data.get("items") or []
            yield from (item for item in items if isinstance(item, dict))
            if not items or page >= int(data.get("pages") or 1):
                return
            page += 1

    def structures(self) -> Iterator[dict[str, Any]]:
        return self._pages("structures")

    def services(self) -> Iterator[dict[str, Any]]:
        return self._pages("services")


def default_reader(folder: Path) -> Reader:
    """The API when RELAIS_DATA_INCLUSION_TOKEN is set, else the weekly export downloaded
    into `folder`."""
    token = os.environ.get("RELAIS_DATA_INCLUSION_TOKEN")
    if token:
        return ApiReader(token, os.environ.get("RELAIS_DATA_INCLUSION_API_URL") or API_URL)
    services_url, structures_url = export_urls()
    return FileReader(
        download(services_url, folder / "services.json"),
        download(structures_url, folder / "structures.json"),
    )


def temporary_folder() -> tempfile.TemporaryDirectory[str]:
    """Where downloaded exports wait while a sync reads them."""
    return tempfile.TemporaryDirectory(prefix="relais-data-inclusion-")


# --------------------------------------------------------------------------- the MEL


@cache
def _mel_codes() -> frozenset[str]:
    return frozenset(commune_codes())


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def mel_commune(record: dict[str, Any]) -> Place | None:
    """The MEL commune a record's address is in, or None. The INSEE code decides when it is
    one of the MEL's; else the commune's name with a postcode of that commune (an associated
    commune such as Lomme, or a record without code). A name alone is not enough: Croix and
    Marcq exist elsewhere in France."""
    code = _text(record.get("code_insee"))
    if code in _mel_codes():
        return commune_by_code(code)
    name, postcode = _text(record.get("commune")), _text(record.get("code_postal"))
    if not (name and postcode):
        return None
    place = commune_by_name(name)
    if place is None:
        return None
    return (
        place
        if any(c.insee_code == place.insee_code for c in commune_for_postcode(postcode))
        else None
    )


def has_address(record: dict[str, Any]) -> bool:
    return any(_text(record.get(f)) for f in ("code_insee", "commune", "code_postal", "adresse"))


def zone_covers_mel(zone: Any) -> bool:
    """Whether a `zone_eligibilite` list names France, the Nord, the MEL or one of its communes."""
    codes = {str(z).strip().lower() for z in zone or [] if z}
    return bool(codes & {"france", "99100", MEL_DEPARTEMENT, MEL_EPCI} or codes & _mel_codes())


def remote_only(record: dict[str, Any]) -> bool:
    return set(record.get("modes_accueil") or []) == {"a-distance"}


# --------------------------------------------------------------------------- mapping


@cache
def _thematiques() -> dict[str, list[str]]:
    data = json.loads((DATA / "thematiques.json").read_text("utf-8"))
    mapping = {key: list(entry["keys"]) for key, entry in data["thematiques"].items()}
    unknown = {k for keys in mapping.values() for k in keys if get_category(k) is None}
    if unknown:
        raise ValueError(f"thematiques.json names unknown Soliguide keys: {sorted(unknown)}")
    return mapping


@cache
def _publics() -> dict[str, Any]:
    publics: dict[str, Any] = json.loads((DATA / "publics.json").read_text("utf-8"))
    return publics


def stable_id(prefix: str, *parts: str) -> str:
    """A short id made from a source id: safe in a Telegram deep link (`svc_<id>`, 64 chars
    at most, letters, digits, - and _), the same at every sync."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
    return f"{prefix}-{digest}"


@dataclass
class Mapped:
    """One data·inclusion service as a catalogue snapshot, with its provenance."""

    record_id: str
    producer: str | None
    link: str | None
    updated_on: date | None
    structure_id: str | None
    siret: str | None
    snapshot: dict[str, Any]
    # (field, message marked with N_, its parameters): see `catalogue.services.Problem`
    problems: list[Found] = field(default_factory=list)

    @property
    def name(self) -> str:
        name: str = self.snapshot["name"]
        return name

    def address_key(self) -> str | None:
        """The place, to tell two publications of one service: street line and postcode."""
        locations = self.snapshot["locations"]
        if not locations or not locations[0].get("address"):
            return None
        loc = locations[0]
        return " ".join(f"{loc['address']} {loc.get('postcode') or ''}".lower().split())


class _Fields:
    """A record's fields with the structure's as fallback; bad values are dropped and listed."""

    def __init__(self, service: dict[str, Any], structure: dict[str, Any] | None):
        self.service, self.structure = service, structure or {}
        self.problems: list[Found] = []

    def text(self, name: str, *, fallback: str | None = None) -> str | None:
        value = self.service.get(name)
        if value is not None and not isinstance(value, str):
            self.problems.append((name, N_("not a text: {value}"), {"value": repr(value)}))
            value = None
        value = _text(value)
        if value is None and fallback:
            value = _text(self.structure.get(fallback))
        return value

    def checked(self, name: str, check: Callable[[str], bool], message: str,
                fallback: str | None = None) -> str | None:  # fmt: skip
        for record, key in ((self.service, name), (self.structure, fallback)):
            if key is None:
                continue
            value = _text(record.get(key))
            if value is None:
                continue
            if check(value):
                return value
            where = key if record is self.service else f"structure.{key}"
            self.problems.append((where, message, {"value": value}))
        return None

    def values(self, name: str, known: Any) -> list[str]:
        raw = self.service.get(name) or []
        if not isinstance(raw, list):
            self.problems.append((name, N_("not a list: {value}"), {"value": repr(raw)}))
            return []
        good = []
        for value in raw:
            if value in known:
                good.append(value)
            else:
                self.problems.append((name, _UNKNOWN, {"value": value}))
        return good


def _url(value: str) -> bool:
    parts = urllib.parse.urlparse(value)
    return parts.scheme in ("http", "https") and "." in parts.netloc and " " not in value


def _email(value: str) -> bool:
    return bool(_EMAIL.match(value))


def _phone(value: str) -> bool:
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(value, "FR"))
    except phonenumbers.NumberParseException:
        return False


def _date(value: Any, problems: list[Found]) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        problems.append(("date_maj", N_("not a date: {value}"), {"value": repr(value)}))
        return None


def _eligibility(publics: list[str], precisions: str | None) -> tuple[str | None, str | None]:
    """(eligibility text, gender) from the publics; see publics.json."""
    table = _publics()
    entries = [table["publics"][p] for p in publics if table["publics"][p].get("label")]
    gender = entries[0].get("gender") if len(entries) == 1 and len(publics) == 1 else None
    several = len(entries) > 1
    labels = [(e.get("in_list") if several else None) or e["label"] for e in entries]
    parts = []
    if labels:
        parts.append(table["heading"] + ", ".join(labels) + ".")
    if precisions:
        parts.append(precisions)
    return (" ".join(parts) or None), gender


def _join(*texts: str | None) -> str | None:
    return "\n".join(t for t in texts if t) or None


def _coordinates(record: dict[str, Any], fields: _Fields) -> tuple[float, float] | None:
    lat, lon = record.get("latitude"), record.get("longitude")
    if lat is None and lon is None:
        return None
    if isinstance(lat, int | float) and isinstance(lon, int | float) and in_mel(lat, lon):
        return float(lat), float(lon)
    fields.problems.append(
        (
            "latitude",
            N_("({lat}, {lon}) is not a point in the MEL"),
            {"lat": repr(lat), "lon": repr(lon)},
        )
    )
    return None


def _location(service: dict[str, Any], structure: dict[str, Any] | None, commune: Place,
              fields: _Fields, record_id: str) -> dict[str, Any]:  # fmt: skip
    """The service's place: its own address, else its structure's; at the commune's centre,
    approximate, when the record gives no usable coordinates."""
    origin = service if has_address(service) else (structure or {})
    point = _coordinates(origin, fields)
    address = _text(origin.get("adresse"))
    approximate = point is None or address is None
    latitude, longitude = point or (commune.latitude, commune.longitude)
    return {
        "id": stable_id("di-loc", record_id),
        "address": address,
        "postcode": _text(origin.get("code_postal")),
        "city": commune.name,
        "insee_code": commune.insee_code,
        "latitude": latitude,
        "longitude": longitude,
        "approximate": approximate,
        "description": _text(origin.get("complement_adresse")),
    }


def map_service(service: dict[str, Any], structure: dict[str, Any] | None,
                commune: Place | None) -> Mapped:  # fmt: skip
    """A data·inclusion service (and its structure) as a catalogue snapshot. `commune` is where
    it is given in the MEL; None for a remote service."""
    fields = _Fields(service, structure)
    record_id = str(service["id"])
    producer = fields.text("source")
    themes = fields.values("thematiques", _thematiques())
    categories = list(dict.fromkeys(k for t in themes for k in _thematiques()[t]))
    publics = fields.values("publics", _publics()["publics"])
    eligibility, gender = _eligibility(publics, fields.text("publics_precisions"))
    frais = service.get("frais")
    if frais is not None and frais not in ("gratuit", "payant"):
        fields.problems.append(("frais", _UNKNOWN, {"value": frais}))
        frais = None
    mobilisable = fields.values("mobilisable_par", ("usagers", "professionnels"))
    hours_text = fields.text("horaires_accueil", fallback="horaires_accueil")
    osm = hours_text if hours_text and osm_hours(hours_text) is not None else None
    phone = fields.checked(
        "telephone", _phone, N_("'{value}' is not a phone number"), fallback="telephone"
    )
    org = None
    if structure:
        org = {
            "id": stable_id("di-org", str(structure.get("id"))),
            "name": _text(structure.get("nom")) or _text(structure.get("id")) or record_id,
            "description": _text(structure.get("description")),
            "website": _text(structure.get("site_web"))
            if _url(structure.get("site_web") or "")
            else None,
            "email": None,
        }
    snapshot = {
        "id": stable_id("di", record_id),
        "name": fields.text("nom") or record_id,
        "description": fields.text("description"),
        "status": "active",
        "gender": gender,
        "eligibility": eligibility,
        "access": "orientation" if mobilisable == ["professionnels"] else None,
        "access_note": _join(
            fields.text("conditions_acces"), fields.text("mobilisation_precisions")
        ),
        "free": {"gratuit": True, "payant": False}.get(frais) if frais else None,
        "fees": fields.text("frais_precisions"),
        "languages": [],
        "areas": [] if commune else [METROPOLIS_AREA],
        "email": fields.checked(
            "courriel", _email, N_("'{value}' is not an e-mail address"), fallback="courriel"
        ),
        "website": fields.checked("lien_mobilisation", _url, _NOT_URL, fallback="site_web"),
        "source": f"{LABEL} / {producer or '?'} ({LICENCE})",
        "verified_on": None,
        "opening_hours_osm": osm,
        "hours_note": None if osm else hours_text,
        "organization": org,
        "locations": [_location(service, structure, commune, fields, record_id)] if commune else [],
        "categories": categories,
        "phones": [{"id": stable_id("di-ph", record_id), "number": phone}] if phone else [],
        "hours": [],
        "exceptions": [],
        "translations": {},
    }
    updated = _date(service.get("date_maj"), fields.problems)
    snapshot["verified_on"] = updated.isoformat() if updated else None
    if not _text(service.get("nom")):
        fields.problems.append(("nom", N_("missing: the record's id is shown instead"), {}))
    link = fields.checked("lien_source", _url, _NOT_URL)
    siret = _text((structure or {}).get("siret"))
    return Mapped(
        record_id=record_id, producer=producer, link=link, updated_on=updated,
        structure_id=_text(service.get("structure_id")), siret=siret, snapshot=snapshot,
        problems=fields.problems,
    )  # fmt: skip
