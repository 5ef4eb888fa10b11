"""Bounds on catalogue values: one table for the imports (CSV sheet, HSDS JSON) and the admin's
`/add` and `/edit`, so that a value one accepts the other accepts too.

The lengths keep a service card under Telegram's 4,096 characters (a message over it is refused,
and the resident gets "something went wrong" instead of the list); the counts keep a file from
blowing one service up. Text from files is cleaned of control characters (NUL, which
PostgreSQL refuses; terminal escape sequences, which would recolour or rewrite an admin's
terminal): they carry nothing a reader needs.
"""

from __future__ import annotations

import re
from typing import Any

from catalogue.text import N_

# Characters of text fields, by snapshot path ("locations.address": a place's street line).
# Translations (`translations.<lang>.<field>`) have the limit of their French field.
TEXT_LIMITS: dict[str, int] = {
    "id": 100,
    "name": 120,
    "alternate_name": 300,
    "description": 3000,
    "eligibility": 400,
    "access_note": 400,
    "fees": 200,
    "email": 254,
    "website": 200,
    "source": 200,
    "opening_hours_osm": 500,  # OSM opening_hours, from open data
    "hours_note": 300,  # hours said only as text
    "languages": 12,  # each code
    "areas": 120,  # each area
    "categories": 60,  # each key
    "organization.id": 100,
    "organization.name": 150,
    "organization.description": 2000,
    "organization.website": 300,
    "organization.email": 254,
    "locations.id": 100,
    "locations.name": 120,
    "locations.address": 150,
    "locations.postcode": 10,
    "locations.city": 80,
    "locations.insee_code": 10,
    "locations.description": 250,
    "phones.id": 100,
    "phones.number": 40,
    "phones.kind": 30,
    "phones.description": 200,
    "hours.id": 100,
    "hours.note": 200,
    "exceptions.id": 100,
    "exceptions.note": 200,
}
# Items a service may have in each list.
COUNT_LIMITS: dict[str, int] = {
    "categories": 30,
    "languages": 30,
    "areas": 30,
    "locations": 30,
    "phones": 10,
    "hours": 100,
    "exceptions": 100,
}
MAX_JSON_DEPTH = 20  # an HSDS compiled service nests 6 deep; more is not a catalogue

_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\n]")


def no_constant(name: str) -> None:
    """`parse_constant` for json.loads: NaN and Infinity are not JSON numbers (nor coordinates)."""
    raise ValueError(f"{name} is not a number JSON allows")


def clean_text(text: str) -> str:
    """`text` without terminal escape sequences and control characters (tabs and line breaks
    are kept: descriptions have paragraphs)."""
    return _CONTROL.sub("", _ANSI.sub("", text))


def one_line(text: str) -> str:
    """A clean text on one line (names and ids: a line break in them is a mistake)."""
    return " ".join(_LINE_BREAKS.sub(" ", clean_text(text)).split())


def length_problems(snap: dict[str, Any]) -> list[tuple[str, str, dict[str, int]]]:
    """(field, message, params) for each text over its limit and each list over its count."""
    problems = []

    def check(path: str, value: Any, limit_key: str | None = None) -> None:
        limit = TEXT_LIMITS[limit_key or path]
        if isinstance(value, str) and len(value) > limit:
            problems.append(
                (path, N_("{n} characters, at most {limit}"), {"n": len(value), "limit": limit})
            )

    for key, limit in COUNT_LIMITS.items():
        if len(snap.get(key) or []) > limit:
            problems.append(
                (key, N_("{n} items, at most {limit}"), {"n": len(snap[key]), "limit": limit})
            )
    for key in TEXT_LIMITS:
        head, _, field = key.partition(".")
        if not field:
            values = snap.get(key)
            for value in values if isinstance(values, list) else [values]:
                check(key, value)
        elif head == "organization":
            check(key, (snap.get("organization") or {}).get(field))
        else:
            for child in snap.get(head) or []:
                check(key, child.get(field))
    for lang, fields in (snap.get("translations") or {}).items():
        for field, value in fields.items():
            check(f"translations.{lang}.{field}", value, field)
    return problems
