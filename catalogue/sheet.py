"""The one-sheet CSV template for administrators ⇄ service snapshots.

One row per service and place: several rows with the same `id` are one service given at several
places. Service columns are read from the service's first row; on its other rows they must be
empty or the same. Lists (categories, languages, areas, phones) are separated by `|`; hours use
the compact syntax of `catalogue.hours`; closures are `2026-12-24..2027-01-02 closed` or
`2026-08-15 10:00-12:00`, separated by `;`, each optionally followed by a note (as the export
writes them), or as /add reads them ("fermé du 24/12 au 2/1", "15 août"). Translations
go in `<field>_<lang>` columns (`description_en`, `eligibility_ar`…). The README lists every
column. Commas or semicolons as separators are both read (spreadsheets in French use `;`).

Written cells are spreadsheet-safe (OWASP "CSV injection"): a cell a spreadsheet would run as a
formula (starting with = + - @, a tab or a carriage return) is written after a single quote,
which reading takes off again, so a round trip loses nothing.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

from catalogue.hours import (
    PARIS,
    HoursSyntaxError,
    compact_rules,
    format_compact_hours,
    parse_closures,
)
from catalogue.hsds import access_mode, commune_code
from catalogue.limits import clean_text, one_line
from catalogue.models import OpeningHours
from catalogue.phones import PhoneError, normalise_phone
from catalogue.services import TRANSLATABLE, Problem, normalise_snapshot
from catalogue.taxonomy import LANGUAGES, key_of
from catalogue.text import N_, normalise

SERVICE_COLUMNS = (
    "id", "name", "alternate_name", "organization_id", "organization", "categories",
    "description", "organization_description", "access", "access_note", "free", "fees",
    "min_age", "max_age", "gender", "eligibility", "languages", "areas", "phones", "email",
    "website", "source", "verified_on", "status", "closures", "opening_hours_osm", "hours_note",
)  # fmt: skip
PLACE_COLUMNS = (
    "location_id", "place_name", "address", "postcode", "city", "latitude", "longitude",
    "approximate", "place_note", "hours",
)  # fmt: skip
TRANSLATION_COLUMNS = tuple(
    f"{field}_{lang}" for lang in LANGUAGES if lang != "fr" for field in TRANSLATABLE
)
COLUMNS = (*SERVICE_COLUMNS[:7], *PLACE_COLUMNS, *SERVICE_COLUMNS[7:], *TRANSLATION_COLUMNS)
LIST_SEPARATOR = "|"
# Columns that name something: on one line (a line break or an escape in a name is a mistake).
ONE_LINE = ("id", "name", "alternate_name", "organization_id", "organization", "location_id",
            "place_name", "city", "postcode")  # fmt: skip
# A column missing from the header leaves its field as stored (key of the snapshot: the fields
# an import must take from the stored service; see `catalogue.importer`).
KEEP = "keep"
ORGANIZATION_COLUMNS = {"organization_id": "id", "organization": "name",
                        "organization_description": "description"}  # fmt: skip
_SNAPSHOT_KEYS = {"closures": "exceptions"}
# Encodings a spreadsheet may save in, by their first bytes: named so the admin knows what to do.
_UTF16 = N_("this file is UTF-16 text: save it as CSV UTF-8")
_UTF32 = N_("this file is UTF-32 text: save it as CSV UTF-8")
_NOT_UTF8 = (
    (
        b"PK\x03\x04",
        N_("this file is an Excel or OpenDocument workbook, not CSV: save it as CSV UTF-8"),
    ),
    (b"\xff\xfe\x00\x00", _UTF32),
    (b"\x00\x00\xfe\xff", _UTF32),
    (b"\xff\xfe", _UTF16),
    (b"\xfe\xff", _UTF16),
)
_TRUE = {"yes", "oui", "true", "vrai", "1", "y", "o"}
_FALSE = {"no", "non", "false", "faux", "0", "n"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"
_CLOSURE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:\.\.(\d{4}-\d{2}-\d{2}))?\s+"
    r"(closed|fermé|ferme|(\d{1,2}:\d{2})-(\d{1,2}:\d{2}))(?:\s+(.*))?$",
    re.IGNORECASE,
)


def formula_safe(cell: str) -> str:
    """The cell with a single quote before it when a spreadsheet would read it as a formula.

    A cell that already starts with a quote before such a character (or another quote) gets
    one more, so that `unquote` gives back exactly what was written, whatever it was.
    """
    risky = cell.startswith(FORMULA_STARTS) or (
        cell.startswith(_QUOTE) and cell[1:2] != "" and cell[1:2] in (*FORMULA_STARTS, _QUOTE)
    )
    return _QUOTE + cell if risky else cell


def unquote(cell: str) -> str:
    """Inverse of `formula_safe`: the cell without the quote written before a formula start."""
    if cell.startswith(_QUOTE) and cell[1:2] != "" and cell[1:2] in (*FORMULA_STARTS, _QUOTE):
        return cell[1:]
    return cell


class _Row:
    """One CSV row with typed getters that collect problems with the line number.

    The cells stay the reader's list, found through the header's `index` (column -> position)
    shared by every row: a dict per row would cost 1.5 KB each, 150 MB for a 100k sheet.
    """

    __slots__ = ("cells", "index", "line", "problems")

    def __init__(self, cells: list[str], index: dict[str, int], line: int,
                 problems: list[Problem]):  # fmt: skip
        self.cells, self.index, self.line, self.problems = cells, index, line, problems

    def problem(self, column: str, message: str, **params: Any) -> None:
        self.problems.append(Problem(self.line, column, message, params))

    def text(self, column: str) -> str | None:
        at = self.index.get(column, len(self.cells))
        value = clean_text(unquote(self.cells[at] if at < len(self.cells) else ""))
        return (one_line(value) if column in ONE_LINE else value.strip()) or None

    def items(self, column: str) -> list[str]:
        text = self.text(column) or ""
        return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]

    def integer(self, column: str) -> int | None:
        value = self.text(column)
        if value is None:
            return None
        if not (value.isascii() and value.isdigit()) or len(value) > 9:
            self.problem(column, N_("not a whole number: '{value}'"), value=value[:20])
            return None
        return int(value)

    def number(self, column: str) -> float | None:
        value = self.text(column)
        if value is None:
            return None
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            self.problem(column, N_("not a number: '{value}'"), value=value[:20])
            return None
        return number

    def boolean(self, column: str) -> bool | None:
        value = (self.text(column) or "").lower()
        if not value:
            return None
        if value in _TRUE | _FALSE:
            return value in _TRUE
        self.problem(column, N_("write yes or no, not '{value}'"), value=value)
        return None

    def date(self, column: str) -> str | None:
        value = self.text(column)
        if value is None:
            return None
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            self.problem(column, N_("not a date (YYYY-MM-DD): '{value}'"), value=value)
            return None


def _decode(data: bytes) -> tuple[str | None, Problem | None]:
    """The text of the file, or the problem that says which encoding it is and what to do."""
    for start, what in _NOT_UTF8:
        if data.startswith(start) or (what == _UTF16 and data[:200].count(0) > 40):
            return None, Problem(None, None, what)
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), None  # "CSV" saved by Excel in French
    except UnicodeDecodeError as exc:
        message = N_("not UTF-8 text (byte {byte}): save it as CSV UTF-8")
        return None, Problem(None, None, message, {"byte": exc.start})


def _read_rows(data: bytes) -> tuple[list[_Row], set[str], list[Problem]]:
    """The rows, the columns of the header, and every problem of the file's form."""
    text, problem = _decode(data)
    if text is None:
        return [], set(), [problem] if problem else []
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
    try:
        columns = [clean_text(c).strip().lower() for c in next(reader)]
    except StopIteration:
        return [], set(), [Problem(None, None, N_("empty file: expected a header line of columns"))]
    except csv.Error as exc:
        return [], set(), [Problem(1, None, N_("malformed CSV header: {error}"), {"error": exc})]
    problems = [
        Problem(1, c[:40], N_("unknown column (see the README for the template)"))
        for c in columns if c and c not in COLUMNS
    ]  # fmt: skip
    problems.extend(Problem(1, c, N_("missing column")) for c in ("id", "name") if c not in columns)
    problems.extend(
        Problem(1, c, N_("column given twice")) for c, n in Counter(columns).items() if c and n > 1
    )
    if problems:
        return [], set(), problems
    rows = []
    index = {column: at for at, column in enumerate(columns)}
    line = reader.line_num
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(columns):
                # A row cut short (a file truncated, a lost separator) would leave its last
                # fields empty and wipe them: refuse it rather than guess.
                column = columns[len(cells)] if len(cells) < len(columns) else None  # 1st missing
                problems.append(
                    Problem(
                        start,
                        column,
                        N_("{cells} cells for {columns} columns"),
                        {"cells": len(cells), "columns": len(columns)},
                    )
                )
            rows.append(_Row(cells, index, start, problems))
    except csv.Error as exc:  # an unclosed quote at the end, a cell over the size limit…
        problems.append(Problem(line + 1, None, N_("malformed CSV: {error}"), {"error": exc}))
    return rows, set(columns), problems


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _lines(text: str) -> Iterator[str]:
    """The lines of `text` with their ends, as `io.StringIO(text, newline="")` gives them,
    without its copy of the whole file at four bytes a character (136 MB for a 100k sheet)."""
    return (match.group() for match in _LINE.finditer(text))


def _absent(columns: set[str]) -> list[str]:
    """The snapshot fields (paths) the sheet's columns leave out: kept as stored on import."""
    absent = [
        _SNAPSHOT_KEYS.get(c, c) for c in SERVICE_COLUMNS
        if c not in columns and c not in ORGANIZATION_COLUMNS and c != "id"
    ]  # fmt: skip
    if not columns & ORGANIZATION_COLUMNS.keys():
        absent.append("organization")
    else:
        absent += [f"organization.{f}" for c, f in ORGANIZATION_COLUMNS.items() if c not in columns]
    places = [c for c in PLACE_COLUMNS if c != "hours"]
    if not columns & set(places):
        absent.append("locations")
    else:
        absent += [f"locations.{_PLACE_FIELDS.get(c, c)}" for c in places if c not in columns]
    if "hours" not in columns:
        absent.append("hours")
    absent += [
        "translations.{1}.{0}".format(*c.rsplit("_", 1))
        for c in TRANSLATION_COLUMNS if c not in columns
    ]  # fmt: skip
    return absent


def parse_sheet(data: bytes) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
    """Snapshots (with the line of their first row) from the CSV sheet, and every problem."""
    rows, columns, problems = _read_rows(data)
    absent = _absent(columns)
    groups: dict[str, list[_Row]] = {}
    for row in rows:
        sid = row.text("id")
        if sid is None:
            row.problem("id", N_("missing"))
            continue
        groups.setdefault(sid, []).append(row)
    del rows
    snapshots = []
    for sid in list(groups):
        group = groups.pop(sid)  # its rows go once read: rows and snapshots are not all held
        first = group[0]
        for row in group[1:]:
            for column in SERVICE_COLUMNS + TRANSLATION_COLUMNS:
                if row.text(column) not in (None, first.text(column)):
                    row.problem(
                        column, N_("differs from line {line} of the same service"), line=first.line
                    )
        snap = _service(first, sid)
        for column, message in _RECORDED.items():  # a column left out keeps what is stored
            if column in columns and first.text(column) is None:
                first.problem(column, message)
        several = len(group) > 1
        for k, row in enumerate(group, start=1):
            place = _place(row, sid, k)
            if place is not None:
                snap["locations"].append(place)
            prefix = f"{sid}-hours{k}" if several else f"{sid}-hours"
            location_id = place["id"] if place is not None and several else None
            snap["hours"].extend(_hours(row, prefix, location_id))
        snap["hours"] = _shared_rules(snap["hours"], {p["id"] for p in snap["locations"]})
        snap[KEEP] = absent
        snapshots.append((first.line, snap))
    return snapshots, problems


# Every entry says where its facts come from (as `/add` asks). An empty `verified_on` stays
# allowed: an HSDS record may have no assured_date (its source gave none) and its sheet export
# must read back; such a service says "Last checked: unknown" and heads /stale.
_RECORDED = {
    "source": N_("missing: say where these facts come from (a document, a web address)"),
}


def _shared_rules(hours: list[dict[str, Any]], places: set[str]) -> list[dict[str, Any]]:
    """A rule written on the row of every place is one rule of the service, for all its places
    (the export writes such a rule on every row)."""
    if len(places) < 2:
        return hours
    by_rule: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for h in hours:
        by_rule.setdefault(tuple(h[k] for k in _HOURS_KEY), []).append(h)
    shared = []
    for same in by_rule.values():
        if {h["location_id"] for h in same} == places and len(same) == len(places):
            shared.append({**same[0], "location_id": None})
        else:
            shared.extend(same)
    return shared


def _service(row: _Row, sid: str) -> dict[str, Any]:
    org_name, org_id = row.text("organization"), row.text("organization_id")
    organization = None
    if org_name or org_id:
        org_id = org_id or "org-" + normalise(org_name or "").replace(" ", "-")
        organization = {
            "id": org_id,
            "name": org_name or org_id,
            "description": row.text("organization_description"),
        }
    translations: dict[str, dict[str, str]] = {}
    for column in TRANSLATION_COLUMNS:
        if text := row.text(column):
            field, lang = column.rsplit("_", 1)
            translations.setdefault(lang, {})[field] = text
    return {
        "id": sid,
        "name": row.text("name"),
        "alternate_name": row.text("alternate_name"),
        "organization": organization,
        "categories": [key_of(c) or c for c in row.items("categories")],  # "Manger": food
        "description": row.text("description"),
        # "sans rendez-vous" read as HSDS reads it; a text it cannot read stays, to be refused
        "access": access_mode(row.text("access")) or row.text("access"),
        "access_note": row.text("access_note"),
        "free": row.boolean("free"),
        "fees": row.text("fees"),
        "min_age": row.integer("min_age"),
        "max_age": row.integer("max_age"),
        "gender": row.text("gender"),
        "eligibility": row.text("eligibility"),
        "languages": row.items("languages"),
        "areas": row.items("areas"),
        "phones": [
            {"id": f"{sid}-phone-{n}", "number": number}
            for n, number in enumerate(_phones(row), start=1)
        ],
        "email": row.text("email"),
        "website": row.text("website"),
        "source": row.text("source"),
        "verified_on": row.date("verified_on"),
        "opening_hours_osm": row.text("opening_hours_osm"),
        "hours_note": row.text("hours_note"),
        "status": row.text("status") or "active",
        "exceptions": _closures(row, sid),
        "translations": translations,
        "locations": [],
        "hours": [],
    }


def _phones(row: _Row) -> list[str]:
    numbers = []
    for text in row.items("phones"):
        try:
            numbers.append(normalise_phone(text))
        except PhoneError as exc:
            row.problem("phones", exc.message, **exc.params)
    return numbers


def _place(row: _Row, sid: str, k: int) -> dict[str, Any] | None:
    values = {c: row.text(c) for c in PLACE_COLUMNS if c != "hours"}
    if not any(values.values()):
        return None
    address, city, postcode = row.text("address"), row.text("city"), row.text("postcode")
    approximate = row.boolean("approximate")
    return {
        "id": row.text("location_id") or f"{sid}-place-{k}",
        "name": row.text("place_name"),
        "address": address,
        "postcode": postcode,
        "city": city,
        "insee_code": commune_code(city, postcode),
        "latitude": row.number("latitude"),
        "longitude": row.number("longitude"),
        "approximate": address is None if approximate is None else approximate,
        "description": row.text("place_note"),
    }


_PLACE_FIELDS = {"location_id": "id", "place_name": "name", "place_note": "description"}


def _hours(row: _Row, prefix: str, location_id: str | None) -> list[dict[str, Any]]:
    try:
        rules = compact_rules(row.text("hours") or "")
    except HoursSyntaxError as exc:
        error = Problem(None, None, exc.message, exc.params)
        if exc.rule is None:
            row.problem("hours", exc.message, **exc.params)
        else:
            row.problem(
                "hours",
                N_("rule {n} ('{rule}'): {error}"),
                n=exc.rule[0],
                rule=exc.rule[1],
                error=error,
            )
        return []
    return [
        {"id": f"{prefix}-{n}", "location_id": location_id, "freq": freq, "byday": byday,
         "opens_at": opens, "closes_at": closes, "valid_from": valid_from, "valid_to": valid_to}
        for n, (freq, byday, opens, closes, valid_from, valid_to) in enumerate(rules, start=1)
    ]  # fmt: skip


def _closures(row: _Row, sid: str) -> list[dict[str, Any]]:
    closures: list[dict[str, Any]] = []
    parts = [p.strip() for p in (row.text("closures") or "").split(";") if p.strip()]
    for part in parts:
        match = _CLOSURE.match(part)
        if match is not None:  # as the export writes it, with special hours and a note
            starts, ends, _, opens, closes, note = match.groups()
            said = [(starts, ends or starts, opens and opens.zfill(5), closes and closes.zfill(5),
                     note)]  # fmt: skip
        else:  # as /add reads it: "fermé du 24/12 au 2/1", "15 août"
            try:
                periods = parse_closures(part, datetime.now(PARIS).date())
            except HoursSyntaxError as exc:
                row.problem("closures", exc.message, **exc.params)
                continue
            said = [(a.isoformat(), b.isoformat(), None, None, None) for a, b in periods]
        closures += [
            {"id": f"{sid}-closure-{len(closures) + n}", "starts_on": starts, "ends_on": ends,
             "opens_at": opens, "closes_at": closes, "note": note}
            for n, (starts, ends, opens, closes, note) in enumerate(said, start=1)
        ]  # fmt: skip
    return closures


def with_stored(snap: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """The sheet's snapshot of a stored service, completed with what the sheet never holds.

    The sheet has no ids for phones, hours and closures, nor phone kinds, notes of hours, an
    organisation's website and e-mail, or what an HSDS file said that Relais does not model.
    Each phone, rule and closure the sheet gives unchanged keeps its stored id and those
    details, so re-importing an export changes nothing; changed ones are new.
    """
    merged = dict(snap)
    merged["phones"] = _matched(snap["phones"], stored["phones"], ("number",))
    merged["hours"] = _matched(snap["hours"], stored["hours"], _HOURS_KEY, _same_place)
    merged["exceptions"] = _matched(snap["exceptions"], stored["exceptions"], _CLOSURE_KEY)
    org, kept = snap["organization"], stored["organization"]
    if org and kept and org["id"] == kept["id"]:
        merged["organization"] = {**org, "website": kept["website"], "email": kept["email"]}
    merged["hsds"] = stored.get("hsds") or {}
    return normalise_snapshot(merged)


_HOURS_KEY = ("freq", "byday", "opens_at", "closes_at", "valid_from", "valid_to")
_CLOSURE_KEY = ("starts_on", "ends_on", "opens_at", "closes_at", "note")


def _same_place(given: dict[str, Any], stored: dict[str, Any]) -> bool:
    """A rule without a place (a one-place service's row) is the stored rule of any place."""
    return given["location_id"] in (None, stored["location_id"])


def _matched(
    given: list[dict[str, Any]],
    stored: list[dict[str, Any]],
    key: tuple[str, ...],
    also: Any = lambda given, stored: True,
) -> list[dict[str, Any]]:
    """`given`, each item equal on `key` to a stored one replaced by that stored item."""
    left = list(stored)
    result = []
    for item in given:
        match = next((old for old in left
                      if all(old[k] == item.get(k) for k in key) and also(item, old)), None)  # fmt: skip
        if match is not None:
            left.remove(match)
        result.append(match or item)
    return result


# --- writing -----------------------------------------------------------------------------------


def to_sheet(snapshots: list[dict[str, Any]]) -> bytes:
    """The CSV sheet of snapshots (UTF-8 with a BOM so that spreadsheets read the accents)."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for snap in snapshots:
        service = _service_cells(snap)
        places = snap["locations"] or [None]
        for place in places:
            row = dict(service)
            if place is not None:
                row.update(_place_cells(place))
            own = [
                h for h in snap["hours"]
                if h["location_id"] is None or place is not None and h["location_id"] == place["id"]
            ]  # fmt: skip
            row["hours"] = format_compact_hours([_hours_record(snap["id"], h) for h in own])
            writer.writerow({column: formula_safe(cell) for column, cell in row.items()})
    return out.getvalue().encode("utf-8-sig")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    return str(value)


def _service_cells(snap: dict[str, Any]) -> dict[str, str]:
    org = snap["organization"] or {}
    cells = {c: _cell(snap[c]) for c in SERVICE_COLUMNS if c in snap and c != "phones"}
    cells["organization_id"] = _cell(org.get("id"))
    cells["organization"] = _cell(org.get("name"))
    cells["organization_description"] = _cell(org.get("description"))
    cells["phones"] = LIST_SEPARATOR.join(p["number"] for p in snap["phones"])
    cells["closures"] = "; ".join(_closure_text(e) for e in snap["exceptions"])
    for lang, fields in snap["translations"].items():
        for field, text in fields.items():
            cells[f"{field}_{lang}"] = text
    return cells


def _place_cells(place: dict[str, Any]) -> dict[str, str]:
    cells = {c: _cell(place.get(c)) for c in ("address", "postcode", "city", "latitude",
                                               "longitude", "approximate")}  # fmt: skip
    cells.update(
        location_id=place["id"],
        place_name=_cell(place["name"]),
        place_note=_cell(place["description"]),
    )
    return cells


def _closure_text(e: dict[str, Any]) -> str:
    days = e["starts_on"] if e["ends_on"] == e["starts_on"] else f"{e['starts_on']}..{e['ends_on']}"
    what = f"{e['opens_at']}-{e['closes_at']}" if e["opens_at"] else "closed"
    return " ".join(p for p in (days, what, e["note"]) if p)


def _hours_record(service_id: str, h: dict[str, Any]) -> OpeningHours:
    def day(value: str | None) -> date | None:
        return date.fromisoformat(value) if value else None

    return OpeningHours(
        id=h["id"],
        service_id=service_id,
        freq=h["freq"],
        byday=h["byday"],
        opens_at=time.fromisoformat(h["opens_at"]),
        closes_at=time.fromisoformat(h["closes_at"]),
        valid_from=day(h["valid_from"]),
        valid_to=day(h["valid_to"]),
    )
