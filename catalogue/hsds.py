"""Open Referral HSDS 3.0 "compiled service" JSON ⇄ service snapshots.

HSDS ids are kept as ids. Soliguide categories travel as `attributes` whose taxonomy term has
`taxonomy` "soliguide" and the key as `code`. A few model values are *derived* from French free
text when HSDS has no field for them, and only when the text plainly says it (phrases in
`data/derivation.json`): `access` from `application_process`, `free` from `fees_description`
(`catalogue.fees`); a place without a street line is `approximate`. A gender is stored only
when `x_relais` states one: whom a service is for is read from its texts when it is written
(`catalogue.audience`). What HSDS cannot hold (source, access, free and gender as stored,
closures, translations, a place's INSEE code and approximate flag) goes into an `x_relais`
object on the service or location, so that export then import loses nothing; when `x_relais`
gives a value it wins over derivation.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Callable
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from babel import Locale, UnknownLocaleError

from catalogue import places
from catalogue.fees import is_free
from catalogue.hours import recurrence_text
from catalogue.limits import MAX_JSON_DEPTH, clean_text, no_constant, one_line
from catalogue.models import Access
from catalogue.phones import PhoneError, normalise_phone
from catalogue.services import TRANSLATABLE, Problem
from catalogue.taxonomy import get_category
from catalogue.text import N_, normalise

EXTENSION = "x_relais"
TAXONOMY = "soliguide"
_STATUS_IN = {"active": "active", "inactive": "hidden", "temporarily closed": "hidden",
              "defunct": "deleted"}  # fmt: skip
_STATUS_OUT = {"active": "active", "hidden": "inactive", "deleted": "defunct"}
_DAY = r"(MO|TU|WE|TH|FR|SA|SU)"
BYDAY = {
    "WEEKLY": re.compile(rf"^{_DAY}(,{_DAY})*$"),
    "MONTHLY": re.compile(rf"^[+-]?[1-5]{_DAY}(,[+-]?[1-5]{_DAY})*$"),
}
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")
# Fields that name something: kept on one line.
ONE_LINE = ("id", "name", "alternate_name", "code", "city", "postal_code", "location_id",
            "organization_id", "number")  # fmt: skip
YES = ("yes", "oui", "true", "1")
NO = ("no", "non", "false", "0")


# --- derivation from French free text ----------------------------------------------------------


@cache
def _rules() -> dict[str, Any]:
    text = resources.files("catalogue").joinpath("data/derivation.json").read_text("utf-8")
    rules: dict[str, Any] = json.loads(text)
    return rules


def _has(text: str, phrase: str) -> bool:
    return f" {normalise(phrase)} " in f" {text} "


def derive_access(text: str | None) -> str | None:
    """The access mode when the text names exactly one (sans rendez-vous, sur rendez-vous…)."""
    if not text:
        return None
    words = normalise(text)
    found = set()
    for mode, phrases in _rules()["access"].items():
        for phrase in sorted(phrases, key=len, reverse=True):
            if _has(words, phrase):
                found.add(mode)
                words = f" {words} ".replace(f" {normalise(phrase)} ", " ").strip()
    return found.pop() if len(found) == 1 else None


def access_mode(text: str | None) -> str | None:
    """An access as a person writes it (the sheet's column, the admin's /add): a mode's key
    (`appointment`), else the one mode a French text names (`sans rendez-vous`), else None."""
    key = (text or "").strip().lower()
    return key if key in Access.__members__ else derive_access(text)


# --- reading -----------------------------------------------------------------------------------


class _Item:
    """Typed access to one JSON object, collecting problems with their field path."""

    def __init__(self, data: dict[str, Any], number: int, problems: list[Problem], path: str = ""):
        self.data, self.number, self.problems, self.path = data, number, problems, path

    def problem(self, field: str, message: str, **params: Any) -> None:
        self.problems.append(Problem(self.number, f"{self.path}{field}", message, params))

    def get(self, field: str, kind: type | tuple[type, ...], *, required: bool = False) -> Any:
        value = self.data.get(field)
        if value is None or value == "" and kind is not str:
            if required:
                self.problem(field, N_("missing"))
            return None
        if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
            self.problem(
                field,
                N_("expected {expected}, got {got}"),
                expected=_kind_name(kind),
                got=_json_type(value),
            )
            return None
        if isinstance(value, str):
            value = one_line(value) if field in ONE_LINE else clean_text(value).strip()
        if required and isinstance(value, str) and not value:
            self.problem(field, N_("missing"))
            return None
        return value

    def text(self, field: str, *, required: bool = False) -> str | None:
        return self.get(field, str, required=required) or None

    def date(self, field: str, *, required: bool = False) -> str | None:
        value = self.text(field, required=required)
        if value is None:
            return None
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            self.problem(field, N_("not a date (YYYY-MM-DD): '{value}'"), value=value)
            return None

    def time(self, field: str, *, required: bool = True) -> str | None:
        value = self.text(field, required=required)
        if value is None:
            return None
        if not TIME.match(value):
            self.problem(field, N_("not a time (HH:MM): '{value}'"), value=value)
            return None
        return value[:5] if value.endswith(":00") and len(value) == 8 else value

    def flag(self, field: str, default: bool | None) -> bool | None:
        """true/false, or the words yes/no (what a sheet says): `"no"` is never true."""
        value = self.data.get(field, default)
        if isinstance(value, str) and value.strip().lower() in YES + NO:
            return value.strip().lower() in YES
        if value is None or isinstance(value, bool):
            return value
        self.problem(
            field,
            N_("expected {expected}, got {got}"),
            expected="true/false",
            got=_json_type(value),
        )
        return default

    def children(self, field: str) -> list[_Item]:
        values = self.get(field, list) or []
        items = []
        for i, value in enumerate(values):
            path = f"{self.path}{field}[{i}]"
            if isinstance(value, dict):
                items.append(_Item(value, self.number, self.problems, path + "."))
            else:
                self.problems.append(Problem(self.number, path, N_("expected an object")))
        return items

    def child(self, field: str) -> _Item | None:
        value = self.get(field, dict)
        return _Item(value, self.number, self.problems, f"{self.path}{field}.") if value else None


_JSON_TYPES = {str: "string", int: "integer", float: "number", list: "array", dict: "object",
               bool: "true/false"}  # fmt: skip


def _kind_name(kind: type | tuple[type, ...]) -> str:
    """The JSON type(s) expected, named as the file's own words (not translated)."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return "/".join(dict.fromkeys(_JSON_TYPES.get(k, k.__name__) for k in kinds))


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def parse_hsds(data: bytes) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
    """Snapshots (with their 1-based item number) from HSDS JSON, and every problem found.

    The document may be one service, a list of services, or an API page (`contents`).
    """
    try:
        doc = json.loads(data.decode("utf-8-sig"), parse_constant=no_constant)
    except UnicodeDecodeError as exc:
        return [], [
            Problem(
                None,
                None,
                N_("not UTF-8 text: {error} at byte {byte}"),
                {"error": exc.reason, "byte": exc.start},
            )
        ]
    except json.JSONDecodeError as exc:
        return [], [
            Problem(
                None,
                None,
                N_("invalid or truncated JSON ({error} at line {line}, column {column})"),
                {"error": exc.msg, "line": exc.lineno, "column": exc.colno},
            )
        ]
    except RecursionError:
        return [], [_too_deep()]
    except ValueError as exc:  # an integer of thousands of digits, NaN, Infinity
        return [], [Problem(None, None, N_("invalid JSON: {error}"), {"error": str(exc)[:120]})]
    if _depth(doc) > MAX_JSON_DEPTH:
        return [], [_too_deep()]
    if isinstance(doc, dict) and isinstance(doc.get("contents"), list) and "id" not in doc:
        doc = doc["contents"]  # an API page
    if isinstance(doc, dict):
        doc = [doc]
    if not isinstance(doc, list):
        return [], [
            Problem(None, None, N_("expected HSDS services: an object, an array or a page"))
        ]
    problems: list[Problem] = []
    snapshots = []
    for number, raw in enumerate(doc, start=1):
        for service in _services_in(raw, number, problems):
            snapshots.append((number, _service(_Item(service, number, problems))))
    return snapshots, problems


def _too_deep() -> Problem:
    return Problem(None, None, N_("JSON nested deeper than {n} levels"), {"n": MAX_JSON_DEPTH})


def _depth(doc: Any) -> int:
    """How deep lists and objects nest in `doc` (without recursion: any depth is measured)."""
    deepest, stack = 0, [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value
        if isinstance(value, (dict, list)):
            deepest = max(deepest, depth)
            if depth <= MAX_JSON_DEPTH:
                stack.extend((child, depth + 1) for child in children)
    return deepest


_ORGANIZATION_ONLY = {
    "services", "website", "legal_status", "tax_status", "year_incorporated", "logo",
    "parent_organization_id", "organization_identifiers", "programs",
}  # fmt: skip
_NOT_SERVICES = {
    "location": N_(
        "not a service: a location: Relais reads locations with the services given there"
    ),
    "taxonomy_term": N_(
        "not a service: a taxonomy term: Relais reads the terms attached to services"
    ),
    "taxonomy": N_("not a service: a taxonomy: Relais reads the terms attached to services"),
    "api": N_("not a service: the root document of an HSDS API, not services"),
    "tabular": N_(
        "not a service: tabular HSDS (one table per object): give the compiled JSON of the services"
    ),
    "organization": N_("not a service: an organization without services: Relais reads services"),
}


def _kind(raw: dict[str, Any]) -> str:
    """Which HSDS object a JSON object is, from the fields only that object has."""
    if any(isinstance(k, str) and k.endswith(".csv") for k in raw):
        return "tabular"
    if isinstance(raw.get("service"), dict):
        return "service_at_location"
    if "status" in raw:
        return "service"
    if "openapi_url" in raw:
        return "api"
    if "location_type" in raw:
        return "location"
    if _ORGANIZATION_ONLY & raw.keys():
        return "organization"
    if {"taxonomy", "taxonomy_detail", "term_uri", "code", "parent_id"} & raw.keys():
        return "taxonomy_term"
    if "version" in raw:
        return "taxonomy"
    return "service"


def _services_in(raw: Any, number: int, problems: list[Problem]) -> list[dict[str, Any]]:
    """The services one object of a document holds: itself, an organization's services (each
    given its organization), the service of a service_at_location (given that place)."""
    if not isinstance(raw, dict):
        problems.append(Problem(number, None, N_("expected a service object")))
        return []
    kind = _kind(raw)
    if kind == "service":
        return [raw]
    if kind == "service_at_location":
        sal = {k: v for k, v in raw.items() if k != "service"}
        return [{"service_at_locations": [sal], **raw["service"]}]
    if kind == "organization" and isinstance(raw.get("services"), list) and raw["services"]:
        org = {k: v for k, v in raw.items() if k != "services"}
        return [{"organization": org, **s} if isinstance(s, dict) else s for s in raw["services"]]
    problems.append(Problem(number, None, _NOT_SERVICES[kind]))
    return []


# --- ids ---------------------------------------------------------------------------------------


@cache
def _settings() -> dict[str, Any]:
    text = resources.files("catalogue").joinpath("data/hsds.json").read_text("utf-8")
    settings: dict[str, Any] = json.loads(text)
    return settings


def is_uuid(value: str) -> bool:
    """True for a UUID in its usual written form (what HSDS 3.0 requires of every id)."""
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def hsds_id(kind: str, relais_id: str) -> str:
    """The HSDS id of a Relais object: its own id when that is a UUID already, else the uuid5
    of Relais's namespace and `kind:id` — the same on every export, so others can follow it."""
    if is_uuid(relais_id):
        return relais_id
    return str(uuid.uuid5(uuid.UUID(_settings()["namespace"]), f"{kind}:{relais_id}"))


def _ids(kind: str, relais_id: str) -> dict[str, Any]:
    """`id`, and Relais's readable id in `x_relais` when the two differ."""
    hid = hsds_id(kind, relais_id)
    return {"id": hid, EXTENSION: {"id": relais_id}} if hid != relais_id else {"id": hid}


def _relais_id(item: _Item, *, required: bool = True) -> str | None:
    ext = item.child(EXTENSION)
    return (ext.text("id") if ext else None) or item.text("id", required=required)


# --- what Relais models, and what it keeps aside ------------------------------------------------

# The fields of each HSDS object that Relais reads into its model or writes itself; any other
# field is kept as it came (`Service.hsds`) and written back on export.
_MODELLED = {
    "service": {
        "id", "organization_id", "name", "alternate_name", "description", "url", "email",
        "status", "assured_date", "organization", "eligibility_description", "minimum_age",
        "maximum_age", "fees_description", "application_process", "phones", "schedules",
        "languages", "service_areas", "service_at_locations", "attributes", EXTENSION,
    },
    "organization": {"id", "name", "description", "website", "email", EXTENSION},
    "phone": {"id", "service_id", "number", "type", "description", EXTENSION},
    "schedule": {
        "id", "service_id", "location_id", "freq", "byday", "opens_at", "closes_at",
        "valid_from", "valid_to", "description", EXTENSION,
    },
    "location": {
        "id", "location_type", "name", "description", "latitude", "longitude", "addresses",
        EXTENSION,
    },
    "address": {
        "id", "location_id", "address_1", "address_2", "city", "postal_code", "country",
        "address_type",
    },
    "language": {"id", "service_id", "name", "code"},
    "service_area": {"id", "service_id", "name"},
    "service_at_location": {"id", "service_id", "location_id", "location"},
    "attribute": {"id", "link_id", "link_entity", "taxonomy_term_id", "taxonomy_term"},
}  # fmt: skip


class _Kept:
    """The fields of a service's HSDS objects that Relais does not model, by object."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}

    def add(self, item: _Item, kind: str, key: str | None = None, derived_id: str | None = None
            ) -> None:  # fmt: skip
        rest = {k: v for k, v in item.data.items() if k not in _MODELLED[kind]}
        given = item.data.get("id")
        if derived_id is not None and isinstance(given, str) and given != derived_id:
            rest.update(_ids(kind, given))  # another system's id for an object Relais flattens
        if rest:
            self.put(kind, key, rest)

    def drop(self, kind: str, key: str, field: str) -> None:
        """Forget one kept field (Relais writes its own value there)."""
        kept = self.data.get(kind, {})
        if key in kept:
            kept[key].pop(field, None)
            if not kept[key]:
                del kept[key]
            if not kept:
                del self.data[kind]

    def put(self, kind: str, key: str | None, value: Any) -> None:
        if key is None:
            self.data[kind] = value
        else:
            self.data.setdefault(kind, {})[key] = value


def _kept(s: dict[str, Any], kind: str, key: str | None = None) -> Any:
    kept = (s.get("hsds") or {}).get(kind) or {}
    return kept if key is None else kept.get(key) or {}


# --- reading a service -------------------------------------------------------------------------


def _service(item: _Item) -> dict[str, Any]:
    sid = _relais_id(item) or f"item-{item.number}"
    kept = _Kept()
    kept.add(item, "service")
    ext = item.child(EXTENSION)
    status = item.text("status") or "active"
    if status not in _STATUS_IN:
        item.problem(
            "status", N_("unknown status '{value}' (active, inactive, defunct)"), value=status
        )
    eligibility = item.text("eligibility_description")
    fees = item.text("fees_description")
    access_note = item.text("application_process")
    snap: dict[str, Any] = {
        "id": sid,
        "name": item.text("name", required=True),
        "alternate_name": item.text("alternate_name"),
        "description": item.text("description"),
        "status": _STATUS_IN.get(status, "active"),
        "min_age": item.get("minimum_age", int),
        "max_age": item.get("maximum_age", int),
        "eligibility": eligibility,
        "gender": None,  # only as `x_relais` states it; catalogue.audience reads the text
        "access_note": access_note,
        "fees": fees,
        "email": item.text("email"),
        "website": item.text("url"),
        "verified_on": item.date("assured_date"),
        "organization": _organization(item, kept),
        "languages": [],
        "areas": [],
        "phones": [_phone(p, sid, i, kept) for i, p in enumerate(item.children("phones"), start=1)],
        "categories": _categories(item, sid, kept),
    }
    for lang in item.children("languages"):
        if code := lang.text("code", required=True):
            snap["languages"].append(code)
            kept.add(lang, "language", code, hsds_id("language", f"{sid}/{code}"))
    for area in item.children("service_areas"):
        if name := area.text("name", required=True):
            snap["areas"].append(name)
            kept.add(area, "service_area", name, hsds_id("service_area", f"{sid}/{name}"))
    snap["locations"], sal_places = _locations(item, sid, kept)
    snap["hours"] = [
        _schedule(s, sid, i, sal_places, kept)
        for i, s in enumerate(item.children("schedules"), start=1)
    ]
    derived: dict[str, Callable[[], Any]] = {
        "access": lambda: derive_access(access_note),
        "free": lambda: is_free(fees),
    }
    for field, derive in derived.items():
        snap[field] = derive()
    snap.update(_extension(ext, sid))
    snap["hsds"] = kept.data
    return snap


def _extension(ext: _Item | None, sid: str) -> dict[str, Any]:
    """Source, stored values, closures and translations from `x_relais`, type-checked."""
    if ext is None:
        return {
            "source": None,
            "exceptions": [],
            "translations": {},
            "opening_hours_osm": None,
            "hours_note": None,
        }
    stored: dict[str, Any] = {
        field: ext.text(field) for field in ("access", "gender") if field in ext.data
    }
    if "free" in ext.data:
        stored["free"] = ext.flag("free", None)
    exceptions = []
    for n, exc in enumerate(ext.children("exceptions"), start=1):
        exceptions.append({
            "id": exc.text("id") or f"{sid}-closure-{n}",
            "starts_on": exc.date("starts_on", required=True),
            "ends_on": exc.date("ends_on", required=True),
            "opens_at": exc.time("opens_at", required=False),
            "closes_at": exc.time("closes_at", required=False),
            "note": exc.text("note"),
        })  # fmt: skip
    translations = {}
    for lang, fields in (ext.get("translations", dict) or {}).items():
        if not isinstance(fields, dict) or not all(isinstance(t, str) for t in fields.values()):
            ext.problem(f"translations.{lang}", N_("expected an object of texts"))
        elif unknown := set(fields) - set(TRANSLATABLE):
            ext.problem(
                f"translations.{lang}",
                N_("unknown fields {fields}"),
                fields=", ".join(sorted(unknown)),
            )
        else:
            translations[lang] = {f: clean_text(t).strip() for f, t in fields.items()}
    return {"source": ext.text("source"), "exceptions": exceptions,
            "translations": translations, "opening_hours_osm": ext.text("opening_hours"),
            "hours_note": ext.text("hours_note"), **stored}  # fmt: skip


def _organization(item: _Item, kept: _Kept) -> dict[str, Any] | None:
    org = item.child("organization")
    org_id = item.text("organization_id")
    if org is None:
        return {"id": org_id, "name": org_id} if org_id else None
    kept.add(org, "organization")
    description = org.text("description")
    return {
        "id": _relais_id(org, required=False) or org_id or f"org-{item.data.get('id')}",
        "name": org.text("name", required=True),
        "description": None if description == _settings()["no_description"] else description,
        "website": org.text("website"),
        "email": org.text("email"),
    }


def _phone(phone: _Item, sid: str, n: int, kept: _Kept) -> dict[str, Any]:
    pid = _relais_id(phone, required=False) or f"{sid}-phone-{n}"
    kept.add(phone, "phone", pid)
    number = phone.text("number", required=True)
    if number is not None:
        try:
            number = normalise_phone(number)
        except PhoneError as exc:
            phone.problem("number", exc.message, **exc.params)
    return {"id": pid, "number": number, "kind": phone.text("type"),
            "description": phone.text("description")}  # fmt: skip


def _is_soliguide(term: _Item) -> bool:
    named = str(term.data.get("taxonomy") or "").lower() == TAXONOMY
    return named or term.data.get("taxonomy_id") == hsds_id("taxonomy", TAXONOMY)


def _categories(item: _Item, sid: str, kept: _Kept) -> list[str]:
    """Soliguide keys; attributes of other taxonomies are kept whole and written back."""
    keys = []
    for attr in item.children("attributes"):
        term = attr.child("taxonomy_term")
        if term is None or not _is_soliguide(term):
            kept.data.setdefault("other_attributes", []).append(attr.data)
            continue
        term_id = term.text("id") or ""
        key = term.text("code") or term_id.removeprefix(f"{TAXONOMY}:")
        if not key:
            term.problem("code", N_("missing Soliguide category key"))
        else:
            keys.append(key)
            kept.add(attr, "attribute", key, hsds_id("attribute", f"{sid}/{key}"))
    return keys


def _locations(item: _Item, sid: str, kept: _Kept) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Places of the service, and service_at_location id → location id (for schedules)."""
    locations, sal_places = [], {}
    for sal in item.children("service_at_locations"):
        loc = sal.child("location")
        if loc is None:
            sal.problem("location", N_("missing"))
            continue
        loc_id = _relais_id(loc, required=False) or sal.text("location_id", required=True)
        if not loc_id:
            continue
        if sal_id := sal.text("id"):
            sal_places[sal_id] = loc_id
        kept.add(sal, "service_at_location", loc_id,
                 hsds_id("service_at_location", f"{sid}/{loc_id}"))  # fmt: skip
        locations.append(_location(loc, loc_id, kept))
    return locations, sal_places


def _location(loc: _Item, loc_id: str, kept: _Kept) -> dict[str, Any]:
    kept.add(loc, "location", loc_id)
    addresses = loc.children("addresses")
    physical = [a for a in addresses if a.data.get("address_type") in (None, "physical")]
    candidates = physical or addresses
    address = candidates[0] if candidates else None
    street = city = postcode = None
    if address is not None:
        lines = [address.text("address_1"), address.text("address_2")]
        street = ", ".join(line for line in lines if line) or None
        city = address.text("city")
        postcode = address.text("postal_code")
        kept.add(address, "address", loc_id, hsds_id("address", loc_id))
        if others := [a.data for a in addresses if a is not address]:
            kept.put("other_addresses", loc_id, others)
    ext = loc.child(EXTENSION)
    place = {
        "id": loc_id,
        "name": loc.text("name"),
        "description": loc.text("description"),
        "address": street,
        "postcode": postcode,
        "city": city,
        "latitude": _number(loc, "latitude"),
        "longitude": _number(loc, "longitude"),
        "approximate": ext.flag("approximate", street is None) if ext else street is None,
    }
    given = ext is not None and "insee_code" in ext.data
    place["insee_code"] = ext.text("insee_code") if ext and given else commune_code(city, postcode)
    if _state_province(place):  # Relais writes the département it knows (see _export_location)
        kept.drop("address", loc_id, "state_province")
    return place


def commune_code(city: str | None, postcode: str | None) -> str | None:
    """The INSEE code of the commune named (or of the only commune with that postcode)."""
    if city and (place := places.commune_by_name(city)):
        return place.insee_code
    if postcode and len(communes := places.commune_for_postcode(postcode)) == 1:
        return communes[0].insee_code
    return None


def _number(item: _Item, field: str) -> float | None:
    value = item.get(field, (int, float))
    if value is None:
        return None
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        item.problem(field, N_("not a finite number"))
        return None
    return number


def _schedule(
    s: _Item, sid: str, n: int, sal_places: dict[str, str], kept: _Kept
) -> dict[str, Any]:
    """One opening rule. Fields Relais does not model (`bymonthday`, `until`…) are kept aside
    and written back on export; they are never dropped."""
    hid = _relais_id(s, required=False) or f"{sid}-hours-{n}"
    kept.add(s, "schedule", hid)
    freq = (s.text("freq") or "WEEKLY").upper()
    byday = (s.text("byday", required=True) or "").upper().replace(" ", "")
    if freq not in BYDAY:
        s.problem("freq", N_("unsupported frequency '{value}' (WEEKLY or MONTHLY)"), value=freq)
    elif byday and not BYDAY[freq].match(byday):
        s.problem("byday", N_("invalid days '{days}' for {freq}"), days=byday, freq=freq)
    location_id = s.text("location_id") or sal_places.get(s.text("service_at_location_id") or "")
    return {
        "id": hid,
        "location_id": (
            _location_ids(s).get(location_id, location_id) if location_id is not None else None
        ),
        "freq": freq,
        "byday": byday,
        "opens_at": s.time("opens_at"),
        "closes_at": s.time("closes_at"),
        "valid_from": s.date("valid_from"),
        "valid_to": s.date("valid_to"),
        "note": s.text("description"),
        # read by "open now"; the fields themselves stay in the kept data, written back as given
        "recurrence": recurrence_text(s.data),
    }


def _location_ids(s: _Item) -> dict[str, str]:
    """HSDS location id → Relais location id, from the `x_relais` of the schedule."""
    ext = s.child(EXTENSION)
    location = ext.text("location_id") if ext else None
    given = s.data.get("location_id")
    return {given: location} if location and isinstance(given, str) else {}


# --- writing -----------------------------------------------------------------------------------


def to_hsds(snapshots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """HSDS 3.0 compiled services from snapshots (inverse of `parse_hsds`)."""
    return [export_service(s) for s in snapshots]


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None and v != [] and v != {}}


def _with(ours: dict[str, Any], kept: dict[str, Any]) -> dict[str, Any]:
    """An object as Relais writes it, with the fields Relais kept aside for it."""
    return _drop_none({**ours, **kept})


def _extended(ids: dict[str, Any], extension: dict[str, Any]) -> dict[str, Any]:
    """`_ids` with more `x_relais` values."""
    return {**ids, EXTENSION: {**ids.get(EXTENSION, {}), **extension}}


def export_service(s: dict[str, Any]) -> dict[str, Any]:
    """One snapshot as an HSDS 3.0 compiled service (every id a UUID, see `hsds_id`)."""
    sid = s["id"]
    hid = hsds_id("service", sid)
    org = s["organization"]
    extension = {
        "source": s["source"],
        "access": s["access"],
        "free": s["free"],
        "gender": s["gender"],
        "exceptions": s["exceptions"],
        "translations": s["translations"],
        # OSM hours (open data) have no HSDS field: kept whole here, with hours said as text.
        "opening_hours": s["opening_hours_osm"],
        "hours_note": s["hours_note"],
    }
    # Present keys win over derivation on import, so nulls are kept for the three values.
    extension = {k: v for k, v in extension.items()
                 if v not in ([], {}) and (v is not None or k in ("access", "free", "gender"))}  # fmt: skip
    ids = _extended(_ids("service", sid), extension)
    return _with(
        {
            "id": hid,
            "organization_id": hsds_id("organization", org["id"]) if org else None,
            "name": s["name"],
            "alternate_name": s["alternate_name"],
            "description": s["description"],
            "url": s["website"],
            "email": s["email"],
            "status": _STATUS_OUT[s["status"]],
            "assured_date": s["verified_on"],
            "organization": export_organization(org, _kept(s, "organization")) if org else None,
            "eligibility_description": s["eligibility"],
            "minimum_age": s["min_age"],
            "maximum_age": s["max_age"],
            "fees_description": s["fees"],
            "application_process": s["access_note"],
            "phones": [
                _with(
                    {
                        **_ids("phone", p["id"]),
                        "service_id": hid,
                        "number": p["number"],
                        "type": p["kind"],
                        "description": p["description"],
                    },
                    _kept(s, "phone", p["id"]),
                )
                for p in s["phones"]
            ],  # fmt: skip
            "schedules": [
                _export_schedule(h, hid, _kept(s, "schedule", h["id"])) for h in s["hours"]
            ],
            "languages": [
                _with(
                    {
                        "id": hsds_id("language", f"{sid}/{code}"),
                        "service_id": hid,
                        "name": _language_name(code),
                        "code": code,
                    },
                    _kept(s, "language", code),
                )
                for code in s["languages"]
            ],  # fmt: skip
            "service_areas": [
                _with(
                    {
                        "id": hsds_id("service_area", f"{sid}/{name}"),
                        "service_id": hid,
                        "name": name,
                    },
                    _kept(s, "service_area", name),
                )
                for name in s["areas"]
            ],  # fmt: skip
            "service_at_locations": [
                _with(
                    {
                        "id": hsds_id("service_at_location", f"{sid}/{loc['id']}"),
                        "service_id": hid,
                        "location_id": hsds_id("location", loc["id"]),
                        "location": _export_location(s, loc),
                    },
                    _kept(s, "service_at_location", loc["id"]),
                )
                for loc in s["locations"]
            ],  # fmt: skip
            "attributes": [
                _with(_export_category(key, hid, sid), _kept(s, "attribute", key))
                for key in s["categories"]
            ]
            + list(_kept(s, "other_attributes") or []),
            EXTENSION: ids.get(EXTENSION),
        },
        _kept(s, "service"),
    )


def export_organization(org: dict[str, Any], kept: dict[str, Any]) -> dict[str, Any]:
    """An organisation; its description is required by HSDS, so an unknown one says so."""
    return _with({
        **_ids("organization", org["id"]),
        "name": org["name"],
        "description": org["description"] or _settings()["no_description"],
        "website": org["website"],
        "email": org["email"],
    }, kept)  # fmt: skip


def _export_schedule(h: dict[str, Any], hid: str, kept: dict[str, Any]) -> dict[str, Any]:
    loc_id = h["location_id"]
    ids = _ids("schedule", h["id"])
    if loc_id is not None and hsds_id("location", loc_id) != loc_id:
        ids = _extended(ids, {"location_id": loc_id})
    return _with({
        **ids,
        "service_id": hid,
        "location_id": hsds_id("location", loc_id) if loc_id else None,
        "freq": h["freq"],
        "byday": h["byday"],
        "opens_at": h["opens_at"],
        "closes_at": h["closes_at"],
        "valid_from": h["valid_from"],
        "valid_to": h["valid_to"],
        "description": h["note"],
    }, kept)  # fmt: skip


def _state_province(loc: dict[str, Any]) -> str | None:
    """The département, from the commune's INSEE code or the postcode (MEL: "Nord")."""
    code = loc["insee_code"] or loc["postcode"] or ""
    department: str | None = _settings()["departments"].get(code[:2])
    return department


def _export_location(s: dict[str, Any], loc: dict[str, Any]) -> dict[str, Any]:
    lid = hsds_id("location", loc["id"])
    addresses = []
    if loc["address"] or loc["city"] or loc["postcode"]:
        address = _with({
            "id": hsds_id("address", loc["id"]),
            "location_id": lid,
            "address_1": loc["address"] or "",
            "city": loc["city"] or "",
            "postal_code": loc["postcode"] or "",
            "country": "FR",
            "address_type": "physical",
        }, _kept(s, "address", loc["id"]))  # fmt: skip
        # The département when Relais knows the commune; else what the file said, if anything.
        if state := _state_province(loc):
            address["state_province"] = state
        addresses.append(address)
    addresses += _kept(s, "other_addresses").get(loc["id"], [])
    ids = _extended(
        _ids("location", loc["id"]),
        {"approximate": loc["approximate"], "insee_code": loc["insee_code"]},
    )
    return _with({
        **ids,
        "location_type": "physical",
        "name": loc["name"],
        "description": loc["description"],
        "latitude": loc["latitude"],
        "longitude": loc["longitude"],
        "addresses": addresses,
    }, _kept(s, "location", loc["id"]))  # fmt: skip


def taxonomy() -> dict[str, Any]:
    """The Soliguide taxonomy as an HSDS taxonomy object."""
    about = _settings()["taxonomy"]
    return {"id": hsds_id("taxonomy", TAXONOMY), "name": about["name"],
            "description": about["description"], "uri": about["uri"]}  # fmt: skip


def taxonomy_term(key: str) -> dict[str, Any]:
    """A Soliguide key as an HSDS taxonomy term, with a description that says what it is."""
    term: dict[str, Any] = {"id": hsds_id("taxonomy_term", key), "code": key, "name": key}
    category = get_category(key)
    settings = _settings()
    if category is not None:
        term["name"] = label = category.labels.get("fr", key)
        if category.group:
            group = get_category(category.group)
            group_label = group.labels.get("fr", category.group) if group else category.group
            term["description"] = settings["term_description"].format(
                label=label, key=key, group=group_label
            )
            term["parent_id"] = hsds_id("taxonomy_term", category.group)
        else:
            term["description"] = settings["group_description"].format(label=label, key=key)
    else:
        term["description"] = settings["group_description"].format(label=key, key=key)
    term.update(taxonomy=TAXONOMY, taxonomy_id=hsds_id("taxonomy", TAXONOMY), language="fr")
    return term


def _export_category(key: str, hid: str, sid: str) -> dict[str, Any]:
    term = taxonomy_term(key)
    return {
        "id": hsds_id("attribute", f"{sid}/{key}"),
        "link_id": hid,
        "link_entity": "service",
        "taxonomy_term_id": term["id"],
        "taxonomy_term": term,
    }


@cache
def _language_name(code: str) -> str | None:
    try:
        return Locale("fr").languages.get(code.split("-")[0])
    except UnknownLocaleError:
        return None
