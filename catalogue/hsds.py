"""Open Referral HSDS 3.0 "compiled service" JSON ⇄ service snapshots.

HSDS ids are kept as ids. Soliguide categories travel as `attributes` whose taxonomy term has
`taxonomy` "soliguide" and the key as `code`. A few model values are *derived* from French free
text when HSDS has no field for them, and only when the text plainly says it (phrases in
`data/derivation.json`): `access` from `application_process`, `free` from `fees_description`,
`gender` from `eligibility_description`; a place without a street line is `approximate`.
What HSDS cannot hold (source, those three values as stored, closures, translations, a place's
INSEE code and approximate flag) goes into an `x_relais` object on the service or location, so
that export then import loses nothing; when `x_relais` gives a value it wins over derivation.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from babel import Locale, UnknownLocaleError

from catalogue import places
from catalogue.limits import MAX_JSON_DEPTH, clean_text, no_constant, one_line
from catalogue.services import TRANSLATABLE, Problem
from catalogue.taxonomy import get_category
from catalogue.text import fold, normalise

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
    return json.loads(text)


def _has(text: str, phrase: str) -> bool:
    return f" {normalise(phrase)} " in f" {text} "


def _starts(text: str, phrases: list[str]) -> bool:
    return any(f"{text} ".startswith(f"{normalise(p)} ") for p in phrases)


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


def derive_free(text: str | None) -> bool | None:
    """True when the fees text plainly says free ("Gratuit"); otherwise unknown (None)."""
    if not text:
        return None
    rules = _rules()["free"]
    folded = fold(text)
    if any(ch.isdigit() for ch in folded) or any(fold(u) in folded for u in rules["unless"]):
        return None
    return True if _starts(normalise(text), rules["starts_with"]) else None


def derive_gender(text: str | None) -> str | None:
    """"women"/"men" when the eligibility text is plainly restricted to them, else None."""
    if not text:
        return None
    words = normalise(text)
    for gender, rule in _rules()["gender"].items():
        if _starts(words, rule["starts_with"]) and not any(_has(words, u) for u in rule["unless"]):
            return gender
    return None


# --- reading -----------------------------------------------------------------------------------


class _Item:
    """Typed access to one JSON object, collecting problems with their field path."""

    def __init__(self, data: dict[str, Any], number: int, problems: list[Problem], path: str = ""):
        self.data, self.number, self.problems, self.path = data, number, problems, path

    def problem(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.number, f"{self.path}{field}", message))

    def get(self, field: str, kind: type | tuple[type, ...], *, required: bool = False) -> Any:
        value = self.data.get(field)
        if value is None or value == "" and kind is not str:
            if required:
                self.problem(field, "missing")
            return None
        if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
            self.problem(field, f"expected {_kind_name(kind)}, got {type(value).__name__}")
            return None
        if isinstance(value, str):
            value = one_line(value) if field in ONE_LINE else clean_text(value).strip()
        if required and isinstance(value, str) and not value:
            self.problem(field, "missing")
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
            self.problem(field, f"not a date (YYYY-MM-DD): {value!r}")
            return None

    def time(self, field: str, *, required: bool = True) -> str | None:
        value = self.text(field, required=required)
        if value is None:
            return None
        if not TIME.match(value):
            self.problem(field, f"not a time (HH:MM): {value!r}")
            return None
        return value[:5] if value.endswith(":00") and len(value) == 8 else value

    def flag(self, field: str, default: bool | None) -> bool | None:
        """true/false, or the words yes/no (what a sheet says): `"no"` is never true."""
        value = self.data.get(field, default)
        if isinstance(value, str) and value.strip().lower() in YES + NO:
            return value.strip().lower() in YES
        if value is None or isinstance(value, bool):
            return value
        self.problem(field, f"expected true/false, got {type(value).__name__}")
        return default

    def children(self, field: str) -> list[_Item]:
        values = self.get(field, list) or []
        items = []
        for i, value in enumerate(values):
            path = f"{self.path}{field}[{i}]"
            if isinstance(value, dict):
                items.append(_Item(value, self.number, self.problems, path + "."))
            else:
                self.problems.append(Problem(self.number, path, "expected an object"))
        return items

    def child(self, field: str) -> _Item | None:
        value = self.get(field, dict)
        return _Item(value, self.number, self.problems, f"{self.path}{field}.") if value else None


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {str: "text", int: "an integer", float: "a number", list: "a list", dict: "an object",
             bool: "true/false"}  # fmt: skip
    return " or ".join(dict.fromkeys(names.get(k, k.__name__) for k in kinds))


def parse_hsds(data: bytes) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
    """Snapshots (with their 1-based item number) from HSDS JSON, and every problem found."""
    try:
        doc = json.loads(data.decode("utf-8-sig"), parse_constant=no_constant)
    except UnicodeDecodeError as exc:
        return [], [Problem(None, None, f"not UTF-8 text: {exc.reason} at byte {exc.start}")]
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        return [], [Problem(None, None, f"invalid or truncated JSON ({exc.msg} at {where})")]
    except RecursionError:
        return [], [Problem(None, None, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")]
    except ValueError as exc:  # an integer of thousands of digits, NaN, Infinity
        return [], [Problem(None, None, f"invalid JSON: {str(exc)[:120]}")]
    if _depth(doc) > MAX_JSON_DEPTH:
        return [], [Problem(None, None, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")]
    if isinstance(doc, dict):
        doc = [doc]
    if not isinstance(doc, list):
        return [], [Problem(None, None, "expected a JSON array of HSDS services")]
    problems: list[Problem] = []
    snapshots = []
    for number, raw in enumerate(doc, start=1):
        if not isinstance(raw, dict):
            problems.append(Problem(number, None, "expected a service object"))
            continue
        snapshots.append((number, _service(_Item(raw, number, problems))))
    return snapshots, problems


def _depth(doc: Any) -> int:  # noqa: ANN401
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


def _service(item: _Item) -> dict[str, Any]:
    sid = item.text("id", required=True) or f"item-{item.number}"
    ext = item.child(EXTENSION)
    status = item.text("status") or "active"
    if status not in _STATUS_IN:
        item.problem("status", f"unknown status {status!r} (active, inactive, defunct)")
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
        "access_note": access_note,
        "fees": fees,
        "email": item.text("email"),
        "website": item.text("url"),
        "verified_on": item.date("assured_date"),
        "organization": _organization(item),
        "languages": [code for lang in item.children("languages") if (code := _language(lang))],
        "areas": [a.text("name", required=True) for a in item.children("service_areas")],
        "phones": [_phone(p, sid, i) for i, p in enumerate(item.children("phones"), start=1)],
        "categories": _categories(item),
    }
    snap["areas"] = [a for a in snap["areas"] if a]
    snap["locations"], sal_places = _locations(item)
    snap["hours"] = [
        _schedule(s, sid, i, sal_places) for i, s in enumerate(item.children("schedules"), start=1)
    ]
    derived: dict[str, Callable[[], Any]] = {
        "access": lambda: derive_access(access_note),
        "free": lambda: derive_free(fees),
        "gender": lambda: derive_gender(eligibility),
    }
    for field, derive in derived.items():
        snap[field] = derive()
    snap.update(_extension(ext, sid))
    return snap


def _extension(ext: _Item | None, sid: str) -> dict[str, Any]:
    """Source, stored values, closures and translations from `x_relais`, type-checked."""
    if ext is None:
        return {"source": None, "exceptions": [], "translations": {}, "opening_hours_osm": None,
                "hours_note": None}
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
            ext.problem(f"translations.{lang}", "expected an object of texts")
        elif unknown := set(fields) - set(TRANSLATABLE):
            ext.problem(f"translations.{lang}", f"unknown fields {sorted(unknown)}")
        else:
            translations[lang] = {f: clean_text(t).strip() for f, t in fields.items()}
    return {"source": ext.text("source"), "exceptions": exceptions,
            "translations": translations, "opening_hours_osm": ext.text("opening_hours"),
            "hours_note": ext.text("hours_note"), **stored}  # fmt: skip


def _organization(item: _Item) -> dict[str, Any] | None:
    org = item.child("organization")
    org_id = item.text("organization_id")
    if org is None:
        return {"id": org_id, "name": org_id} if org_id else None
    return {
        "id": org.text("id") or org_id or f"org-{item.data.get('id')}",
        "name": org.text("name", required=True),
        "description": org.text("description"),
        "website": org.text("website"),
        "email": org.text("email"),
    }


def _language(lang: _Item) -> str | None:
    return lang.text("code", required=True)


def _phone(phone: _Item, sid: str, n: int) -> dict[str, Any]:
    return {
        "id": phone.text("id") or f"{sid}-phone-{n}",
        "number": phone.text("number", required=True),
        "kind": phone.text("type"),
        "description": phone.text("description"),
    }


def _categories(item: _Item) -> list[str]:
    keys = []
    for attr in item.children("attributes"):
        term = attr.child("taxonomy_term")
        if term is None or term.data.get("taxonomy") != TAXONOMY:
            continue
        term_id = term.text("id") or ""
        key = term.text("code") or term_id.removeprefix(f"{TAXONOMY}:")
        if not key:
            term.problem("code", "missing Soliguide category key")
        else:
            keys.append(key)
    return keys


def _locations(item: _Item) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Places of the service, and service_at_location id → location id (for schedules)."""
    locations, sal_places = [], {}
    for sal in item.children("service_at_locations"):
        loc = sal.child("location")
        if loc is None:
            sal.problem("location", "missing")
            continue
        loc_id = loc.text("id") or sal.text("location_id", required=True)
        if not loc_id:
            continue
        if sal_id := sal.text("id"):
            sal_places[sal_id] = loc_id
        locations.append(_location(loc, loc_id))
    return locations, sal_places


def _location(loc: _Item, loc_id: str) -> dict[str, Any]:
    addresses = loc.children("addresses")
    physical = [a for a in addresses if a.data.get("address_type") in (None, "physical")]
    address = (physical or addresses or [None])[0]
    street = city = postcode = None
    if address is not None:
        lines = [address.text("address_1"), address.text("address_2")]
        street = ", ".join(line for line in lines if line) or None
        city = address.text("city")
        postcode = address.text("postal_code")
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
        item.problem(field, "not a finite number")
        return None
    return number


def _schedule(s: _Item, sid: str, n: int, sal_places: dict[str, str]) -> dict[str, Any]:
    freq = (s.text("freq") or "WEEKLY").upper()
    byday = (s.text("byday", required=True) or "").upper().replace(" ", "")
    if freq not in BYDAY:
        s.problem("freq", f"unsupported frequency {freq!r} (WEEKLY or MONTHLY)")
    elif byday and not BYDAY[freq].match(byday):
        s.problem("byday", f"invalid days {byday!r} for {freq}")
    location_id = s.text("location_id") or sal_places.get(s.text("service_at_location_id") or "")
    return {
        "id": s.text("id") or f"{sid}-hours-{n}",
        "location_id": location_id,
        "freq": freq,
        "byday": byday,
        "opens_at": s.time("opens_at"),
        "closes_at": s.time("closes_at"),
        "valid_from": s.date("valid_from"),
        "valid_to": s.date("valid_to"),
        "note": s.text("description"),
    }


# --- writing -----------------------------------------------------------------------------------


def to_hsds(snapshots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """HSDS 3.0 compiled services from snapshots (inverse of `parse_hsds`)."""
    return [_export_service(s) for s in snapshots]


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None and v != [] and v != {}}


def _export_service(s: dict[str, Any]) -> dict[str, Any]:
    sid = s["id"]
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
    return _drop_none({
        "id": sid,
        "organization_id": org["id"] if org else None,
        "name": s["name"],
        "alternate_name": s["alternate_name"],
        "description": s["description"],
        "url": s["website"],
        "email": s["email"],
        "status": _STATUS_OUT[s["status"]],
        "assured_date": s["verified_on"],
        "organization": _drop_none(org) if org else None,
        "eligibility_description": s["eligibility"],
        "minimum_age": s["min_age"],
        "maximum_age": s["max_age"],
        "fees_description": s["fees"],
        "application_process": s["access_note"],
        "phones": [
            _drop_none({"id": p["id"], "service_id": sid, "number": p["number"],
                        "type": p["kind"], "description": p["description"]})
            for p in s["phones"]
        ],  # fmt: skip
        "schedules": [_export_schedule(h, sid) for h in s["hours"]],
        "languages": [
            {"id": f"{sid}-lang-{code}", "service_id": sid, "name": _language_name(code),
             "code": code}
            for code in s["languages"]
        ],  # fmt: skip
        "service_areas": [
            {"id": f"{sid}-area-{i}", "service_id": sid, "name": name}
            for i, name in enumerate(s["areas"], start=1)
        ],
        "service_at_locations": [
            {"id": f"{sid}-at-{loc['id']}", "service_id": sid, "location_id": loc["id"],
             "location": _export_location(loc)}
            for loc in s["locations"]
        ],  # fmt: skip
        "attributes": [_export_category(key, sid) for key in s["categories"]],
        # Present keys win over derivation on import, so nulls are kept for the three values.
        EXTENSION: {
            k: v for k, v in extension.items() if v not in ([], {}) and (v is not None or k in
            ("access", "free", "gender"))
        },  # fmt: skip
    })


def _export_schedule(h: dict[str, Any], sid: str) -> dict[str, Any]:
    return _drop_none({
        "id": h["id"],
        "service_id": sid,
        "location_id": h["location_id"],
        "freq": h["freq"],
        "byday": h["byday"],
        "opens_at": h["opens_at"],
        "closes_at": h["closes_at"],
        "valid_from": h["valid_from"],
        "valid_to": h["valid_to"],
        "description": h["note"],
    })


def _export_location(loc: dict[str, Any]) -> dict[str, Any]:
    address = None
    if loc["address"] or loc["city"] or loc["postcode"]:
        address = {
            "id": f"{loc['id']}-address",
            "location_id": loc["id"],
            "address_1": loc["address"] or "",
            "city": loc["city"] or "",
            "postal_code": loc["postcode"] or "",
            "country": "FR",
            "address_type": "physical",
        }
    return _drop_none({
        "id": loc["id"],
        "location_type": "physical",
        "name": loc["name"],
        "description": loc["description"],
        "latitude": loc["latitude"],
        "longitude": loc["longitude"],
        "addresses": [address] if address else None,
        EXTENSION: {"approximate": loc["approximate"], "insee_code": loc["insee_code"]},
    })


def _export_category(key: str, sid: str) -> dict[str, Any]:
    term = {"id": f"{TAXONOMY}:{key}", "code": key, "taxonomy": TAXONOMY, "language": "fr"}
    category = get_category(key)
    if category is not None:
        term["name"] = category.labels.get("fr", key)
        if category.group:
            term["parent_id"] = f"{TAXONOMY}:{category.group}"
    return {
        "id": f"{sid}-attr-{key}",
        "link_id": sid,
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
