"""The official HSDS 3.0 schemas (tests/hsds_official, CC BY-SA 4.0) as validators with formats
checked (uuid, uri, email, date-time…), for the export and API tests."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

OFFICIAL = Path(__file__).parent / "hsds_official"
EXAMPLES = OFFICIAL / "examples"
LILLE = {"latitude": 50.6311, "longitude": 3.0468}


@cache
def _schema(name: str) -> dict[str, Any]:
    return json.loads((OFFICIAL / "schema" / f"{name}.json").read_text("utf-8"))


@cache
def validator(name: str, *pointer: str) -> Draft202012Validator:
    """A validator for an official schema, or for the part of it at `pointer` (property names,
    "items" for an array's items): e.g. ("service", "organization")."""
    schema = _schema(name)
    for part in pointer:
        schema = schema["items"] if part == "items" else schema["properties"][part]
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def page_validator() -> Draft202012Validator:
    """The API reference's Page object, with every property required (Relais gives them all)."""
    page = _schema("openapi")["components"]["schemas"]["Page"]
    schema = {**page, "required": sorted(page["properties"])}
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def problems(doc: Any, name: str, *pointer: str) -> list[str]:
    """Every schema error of `doc`, as "path: message"."""
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator(name, *pointer).iter_errors(doc)
    ]


def in_lille(doc: dict) -> dict:
    """An official example moved to Lille (its place has latitude 100) and its service area
    named in 120 characters (Relais's limit for an area's name), otherwise unchanged."""
    doc = copy.deepcopy(doc)
    for sal in doc.get("service_at_locations", []):
        sal["location"].update(LILLE)
    for area in doc.get("service_areas", []):
        area["name"] = area["name"][:120].strip()
    return doc
