"""Import and export of the catalogue: HSDS JSON or the CSV sheet, all or nothing.

An import reads the whole file into service snapshots, validates every one of them and the file
as a whole (duplicate ids, one place described two ways), and writes only when no problem was
found: one transaction, upsert by id, one audit entry per created or changed service. A service
whose snapshot equals the stored one is left alone, so importing the same file twice changes
nothing.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from sqlalchemy import Engine, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select
from tqdm import tqdm

from catalogue import bulk, hsds, sheet, taught
from catalogue.db import session_scope
from catalogue.hours import Days, read_recurrence
from catalogue.limits import length_problems
from catalogue.models import (
    Access,
    Gender,
    HoursException,
    Location,
    OpeningHours,
    Organization,
    Phone,
    Service,
    ServiceLocationLink,
    Status,
    table_of,
    utcnow,
)
from catalogue.places import in_mel
from catalogue.services import (
    Problem,
    content,
    location_values,
    normalise_snapshot,
    organization_values,
)
from catalogue.taxonomy import LANGUAGES, get_category
from catalogue.text import N_

__all__ = ["ImportReport", "Problem", "export_bytes", "export_file", "import_bytes",
           "import_file", "validate_snapshot"]  # fmt: skip

SEED_DIR = Path(__file__).parent / "data" / "seed"


class ImportFormatError(ValueError):
    """The file is neither HSDS JSON nor the CSV sheet, or the export format is unknown."""


@dataclass
class ImportReport:
    """What an import did (or, in a dry run or on problems, would do)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # What does not stop the import but the admin should know (hours Relais cannot check).
    warnings: list[Problem] = field(default_factory=list)
    unit: str = "item"  # how problems count their position: "item" (JSON) or "line" (CSV)
    dry_run: bool = False
    # Fields the file does not give (columns missing from a sheet): kept as stored.
    keep: list[str] = field(default_factory=list)

    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One line: the counts, or how many problems stopped the import."""
        if self.problems:
            n = len(self.problems)
            return f"rejected: {n} problem{'s' * (n != 1)} found, nothing was written"
        verb = "would be " if self.dry_run else ""
        return (
            f"{len(self.created)} {verb}created, {len(self.updated)} {verb}updated, "
            f"{len(self.unchanged)} unchanged"
        )

    def problem_lines(self, problems: list[Problem] | None = None) -> list[str]:
        """Each problem (or warning, given) as "line 12, hours: …" ready to print."""
        lines = []
        for p in self.problems if problems is None else problems:
            where = [f"{self.unit} {p.item}" if p.item is not None else None, p.field]
            prefix = ", ".join(w for w in where if w)
            lines.append(f"{prefix}: {p.text()}" if prefix else p.text())
        return lines


# --- validation --------------------------------------------------------------------------------


Found = tuple[str, str, dict[str, Any]]  # (field, message marked with N_, its parameters)


def validate_snapshot(snap: dict[str, Any]) -> list[Found]:
    """(field, message, params) for everything wrong in one service snapshot; [] when fine."""
    problems: list[Found] = []
    if not snap.get("id"):
        problems.append(("id", N_("missing"), {}))
    if not snap.get("name"):
        problems.append(("name", N_("missing"), {}))
    for key in snap.get("categories") or []:
        if get_category(key) is None:
            problems.append(("categories", N_("unknown Soliguide category '{key}'"), {"key": key}))
    enums = {"status": Status, "access": Access, "gender": Gender}
    for name, enum in enums.items():
        value = snap.get(name)
        if value is not None and not (isinstance(value, str) and value in enum.__members__):
            problems.append(
                (
                    name,
                    N_("'{value}' is not one of {choices}"),
                    {"value": value, "choices": ", ".join(enum.__members__)},
                )
            )
    min_age, max_age = snap.get("min_age"), snap.get("max_age")
    for name, age in (("min_age", min_age), ("max_age", max_age)):
        if age is not None and not (isinstance(age, int) and 0 <= age <= 120):
            problems.append((name, N_("not an age: '{value}'"), {"value": str(age)[:20]}))
    if isinstance(min_age, int) and isinstance(max_age, int) and min_age > max_age:
        problems.append(("max_age", N_("smaller than min_age"), {}))
    if snap.get("free") not in (None, True, False):
        problems.append(("free", N_("expected true/false, got '{value}'"), {"value": snap["free"]}))
    for loc in snap.get("locations") or []:
        problems.extend(_location_problems(loc))
    for hours in snap.get("hours") or []:
        if not hours.get("byday"):
            problems.append(("hours", N_("opening without days"), {}))
        if not hours.get("opens_at") or not hours.get("closes_at"):
            problems.append(
                ("hours", N_("opening {days} without times"), {"days": Days(hours.get("byday"))})
            )
        if _ends_before(hours.get("valid_from"), hours.get("valid_to")):
            problems.append(
                (
                    "hours",
                    N_("period {start}..{end} ends before it starts"),
                    {"start": hours["valid_from"], "end": hours["valid_to"]},
                )
            )
    for closure in snap.get("exceptions") or []:
        if _ends_before(closure.get("starts_on"), closure.get("ends_on")):
            problems.append(
                (
                    "closures",
                    N_("period {start}..{end} ends before it starts"),
                    {"start": closure["starts_on"], "end": closure["ends_on"]},
                )
            )
    problems.extend(_language_problems(snap))
    problems.extend(length_problems(snap))
    return problems


def _ends_before(start: str | None, end: str | None) -> bool:
    return bool(start and end and end < start)  # ISO dates compare as text


def _language_problems(snap: dict[str, Any]) -> list[Found]:
    """Spoken languages must be language codes; translations one of the bot's languages."""
    problems = [
        ("languages", N_("unknown language code '{code}'"), {"code": code})
        for code in snap.get("languages") or [] if not known_language(code)
    ]  # fmt: skip
    problems += [
        ("translations", N_("'{value}' is not one of {choices}"),
         {"value": lang, "choices": ", ".join(LANGUAGES)})
        for lang in snap.get("translations") or {} if lang not in LANGUAGES
    ]  # fmt: skip
    return problems


@cache
def _language_codes() -> frozenset[str]:
    return frozenset(Locale("en").languages)


def known_language(code: str) -> bool:
    """An ISO 639 code CLDR knows (`fr`, `ar`, `kab`, `prs`), with an optional region."""
    return isinstance(code, str) and code.split("-")[0].split("_")[0].lower() in _language_codes()


def _location_problems(loc: dict[str, Any]) -> list[Found]:
    lat, lon = loc.get("latitude"), loc.get("longitude")
    name = loc.get("name") or loc.get("address") or loc.get("city") or loc.get("id")
    if (lat is None) != (lon is None):
        return [
            ("latitude", N_("place '{name}': latitude and longitude go together"), {"name": name})
        ]
    if lat is None or lon is None:
        if loc.get("address"):
            return [
                ("latitude", N_("place '{name}': an address needs its coordinates"), {"name": name})
            ]
        return []
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return [
            (
                "latitude",
                N_("place '{name}': coordinates out of range ({lat}, {lon})"),
                {"name": name, "lat": lat, "lon": lon},
            )
        ]
    if loc.get("address") and not in_mel(lat, lon):
        return [
            (
                "latitude",
                N_("place '{name}': ({lat}, {lon}) is outside the Lille metropolis"),
                {"name": name, "lat": lat, "lon": lon},
            )
        ]
    return []


def _file_problems(items: list[tuple[int, dict[str, Any]]]) -> list[Problem]:
    """Problems across items: the same id twice, one place or child id used inconsistently."""
    problems = []
    ids = Counter(snap["id"] for _, snap in items)
    places: dict[str, dict[str, Any]] = {}
    child_owner: dict[str, str] = {}
    for number, snap in items:
        if ids[snap["id"]] > 1:
            problems.append(
                Problem(number, "id", N_("duplicate service id '{id}'"), {"id": snap["id"]})
            )
        for loc in snap["locations"]:
            seen = places.setdefault(loc["id"], loc)
            if seen != loc:
                problems.append(
                    Problem(
                        number,
                        "locations",
                        N_("place '{id}' described differently"),
                        {"id": loc["id"]},
                    )
                )
        for kind in ("phones", "hours", "exceptions"):
            for child in snap[kind]:
                owner = child_owner.setdefault(f"{kind}:{child['id']}", snap["id"])
                if owner != snap["id"]:
                    problems.append(
                        Problem(number, kind, N_("id '{id}' already used"), {"id": child["id"]})
                    )
    return problems


# --- import ------------------------------------------------------------------------------------


def _format_of(data: bytes, filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix == ".json":
        return "hsds"
    if suffix in (".csv", ".txt"):
        return "csv"
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
        return "hsds"
    if b"," in data.split(b"\n", 1)[0]:
        return "csv"
    raise ImportFormatError(f"{filename}: neither HSDS JSON (.json) nor the CSV sheet (.csv)")


def parse(data: bytes, filename: str) -> tuple[list[tuple[int, dict[str, Any]]], ImportReport]:
    """Snapshots read from the file and a report holding every problem found so far."""
    fmt = _format_of(data, filename)
    parser = hsds.parse_hsds if fmt == "hsds" else sheet.parse_sheet
    items, problems = parser(data)
    report = ImportReport(problems=problems, unit="item" if fmt == "hsds" else "line")
    report.keep = items[0][1].get(sheet.KEEP, []) if items else []
    for at, (number, snap) in enumerate(items):  # in place: the raw form goes as it is read
        if fmt == "hsds" and not snap.get("source"):  # HSDS has no field for it: the file is
            snap["source"] = Path(filename).name  # where the facts come from, kept by name for
            # administrators (/edit, the sheet); cards leave it out (render.provenance)
        items[at] = (number, normalise_snapshot(snap))
    for number, snap in items:
        report.problems.extend(Problem(number, *found) for found in validate_snapshot(snap))
    report.problems.extend(_file_problems(items))
    report.warnings = [
        Problem(number, "hours", N_(
            "{days} {opens}-{closes} repeats by {parts}, which Relais cannot check: shown as "
            "hours to confirm, never as open now"),
            {"days": Days(h["byday"]), "opens": h["opens_at"], "closes": h["closes_at"],
             "parts": ", ".join(parts)})
        for number, snap in items for h in snap["hours"]
        if h.get("recurrence") and (parts := read_recurrence(h["recurrence"], h["freq"]).unsure)
    ]  # fmt: skip
    unique = {(p.item, p.field, p.text()): p for p in report.problems}  # parse and validation
    report.problems = sorted(unique.values(), key=lambda p: (p.item is not None, p.item or 0))
    return items, report


def import_bytes(
    engine: Engine,
    data: bytes,
    filename: str,
    *,
    dry_run: bool = False,
    actor: str,
    progress: bool = False,
) -> ImportReport:
    """Validate then apply a catalogue file's content (nothing written on any problem). A file
    of taught phrases (`relais export --format synonyms`) is read back too."""
    phrases = _taught_phrases(data)
    if phrases is not None:
        return _import_taught(engine, phrases, dry_run=dry_run, actor=actor)
    items, report = parse(data, filename)
    report.dry_run = dry_run
    if not report.ok():
        return report
    keep = sheet.with_stored if _format_of(data, filename) == "csv" else None
    try:
        _apply(engine, items, report, actor=actor, progress=progress, keep=keep)
    except IntegrityError as exc:  # e.g. a phone id that another stored service already uses
        problem = Problem(
            None, None, N_("the database refused the import: {error}"), {"error": exc.orig}
        )
        return ImportReport(problems=[problem], unit=report.unit, dry_run=dry_run)
    return report


def _taught_phrases(data: bytes) -> list[tuple[str, str, str]] | ImportReport | None:
    """The phrases of a synonyms export, a report of its problem, or None: another file."""
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] != b"{":
        return None
    try:
        return taught.read_export(json.loads(data.decode("utf-8-sig")))
    except (ValueError, UnicodeDecodeError) as exc:  # TeachError is a ValueError
        if isinstance(exc, taught.TeachError):
            return ImportReport(problems=[Problem(None, taught.EXPORT_KEY, str(exc))])
        return None


def _import_taught(engine: Engine, phrases: list[tuple[str, str, str]] | ImportReport, *,
                   dry_run: bool, actor: str) -> ImportReport:  # fmt: skip
    """Teach every phrase of a synonyms export (all or nothing, in one transaction)."""
    if isinstance(phrases, ImportReport):
        return phrases
    report = ImportReport(dry_run=dry_run)
    with session_scope(engine) as session:
        for lang, phrase, key in phrases:
            label = f"{lang}: {phrase} = {key}"
            new = not taught.is_taught(session, lang, phrase, key)
            if new and not dry_run:
                taught.teach(session, lang=lang, phrase=phrase, key=key, actor=actor)
            (report.created if new else report.unchanged).append(label)
    return report


def _apply(
    engine: Engine,
    items: list[tuple[int, dict[str, Any]]],
    report: ImportReport,
    *,
    actor: str,
    progress: bool,
    keep: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]] | None = None,
) -> None:
    """Sort the items into created/updated/unchanged and, unless a dry run, write them in one
    transaction (`catalogue.bulk`: time linear in the number of services).

    Fields the file leaves out are first taken from the stored service; the result is checked
    again (a new minimum age against a stored maximum…), and nothing is written on a problem.
    `keep(snapshot, stored)` then completes a snapshot from a file that never holds some of
    what is stored (the CSV sheet: see `sheet.with_stored`).
    """
    with session_scope(engine) as session:
        changed: list[tuple[int, dict[str, Any]]] = []
        stored: dict[str, dict[str, Any]] = {}  # of the changed services: their audit's before
        bar = tqdm(total=len(items), desc="import", unit="service", disable=not progress)
        for chunk in _chunks(items, bulk.CHUNK):  # only the changed keep their stored snapshot
            bar.update(len(chunk))
            here = bulk.stored_snapshots(session, (snap["id"] for _, snap in chunk))
            for number, snap in chunk:
                before = here.get(snap["id"])
                if before is not None and report.keep:
                    snap = normalise_snapshot(keep_stored(snap, before, report.keep))
                    report.problems.extend(
                        Problem(number, *found) for found in validate_snapshot(snap)
                    )
                if before is not None and keep is not None:
                    snap = keep(snap, before)
                if before is None:
                    report.created.append(snap["id"])
                elif content(before) == content(snap):
                    report.unchanged.append(snap["id"])
                    continue
                else:
                    report.updated.append(snap["id"])
                    stored[snap["id"]] = before
                changed.append((number, snap))
        bar.close()
        # An unchanged service gives its places, organisation and children as stored: only the
        # changed ones can conflict with rows of services the file does not hold.
        report.problems.extend(_shared_row_problems(session, changed))
        if report.problems:  # nothing would be done
            report.created, report.updated, report.unchanged = [], [], []
        if report.problems or report.dry_run or not changed:
            return
        bulk.write_snapshots(
            session, [snap for _, snap in changed], stored, actor=actor, at=utcnow()
        )


def _shared_row_problems(
    session: Session, items: list[tuple[int, dict[str, Any]]]
) -> list[Problem]:
    """An import may name the place or organisation of a service it does not hold, not change it.

    Places and organisations are rows shared by id. A file that described one differently would
    rewrite it under every service given there, with no audit entry and no new stamp for those
    (so /history, /undo and the edit check would never see it). Such a change is refused unless
    every service using the row is in the file: then each is updated and audited.
    """
    in_file = {snap["id"] for _, snap in items}
    problems = []
    # (kind, model, its snapshot values of a row, the file's rows by id, (row id, service id))
    checks: tuple[tuple[str, type[SQLModel], Callable[[Any], dict[str, Any]],
                        dict[str, tuple[int, dict[str, Any]]], tuple[Any, Any]], ...] = (
        ("locations", Location, location_values,
         {loc["id"]: (n, loc) for n, snap in items for loc in snap["locations"]},
         (ServiceLocationLink.location_id, ServiceLocationLink.service_id)),
        ("organization", Organization, organization_values,
         {org["id"]: (n, org) for n, snap in items if (org := snap["organization"])},
         (Service.organization_id, Service.id)),
    )  # fmt: skip
    for kind, model, values, wanted, (row_id, service_id) in checks:
        table = table_of(model)
        changed = [
            row.id for chunk in _chunks(list(wanted))
            for row in session.execute(table.select().where(table.c.id.in_(chunk)))
            if values(row) != wanted[row.id][1]
        ]  # fmt: skip
        others: dict[str, str] = {}
        for chunk in _chunks(changed):
            stmt = select(row_id, service_id).where(col(row_id).in_(chunk))
            for shared, user in session.execute(stmt):
                if user not in in_file:
                    others.setdefault(shared, user)
        for shared, user in sorted(others.items()):
            problems.append(Problem(wanted[shared][0], kind, N_(
                "'{id}' is shared with service '{service}', which this file does not hold: "
                "give it another id, or put '{service}' in the file too"
            ), {"id": shared, "service": user}))  # fmt: skip
    problems.extend(_child_id_problems(session, items))
    return problems


def _child_id_problems(session: Session, items: list[tuple[int, dict[str, Any]]]) -> list[Problem]:
    """A phone, opening or closure id already used by another stored service."""
    problems = []
    for kind, model in (("phones", Phone), ("hours", OpeningHours), ("exceptions", HoursException)):
        owner = {child["id"]: (n, snap["id"]) for n, snap in items for child in snap[kind]}
        for chunk in _chunks(list(owner)):
            stmt = select(model.id, model.service_id).where(col(model.id).in_(chunk))
            for child_id, service_id in session.execute(stmt):
                number, wanted = owner[child_id]
                if service_id != wanted:
                    problems.append(Problem(
                        number, kind, N_("id '{id}' already belongs to service '{service}'"),
                        {"id": child_id, "service": service_id},
                    ))  # fmt: skip
    return problems


def keep_stored(snap: dict[str, Any], stored: dict[str, Any], keep: list[str]) -> dict[str, Any]:
    """`snap` with the fields (paths of `sheet._absent`) it does not give taken from `stored`.

    A place is matched by id, else by its position in the service's places.
    """
    snap = {**snap, "translations": {k: dict(v) for k, v in snap["translations"].items()}}
    for path in keep:
        head, _, rest = path.partition(".")
        if not rest:
            snap[head] = stored[head]
        elif head == "organization" and snap["organization"] and stored["organization"]:
            snap["organization"] = {**snap["organization"], rest: stored["organization"][rest]}
        elif head == "locations":
            by_id = {loc["id"]: loc for loc in stored["locations"]}
            snap["locations"] = [
                {**loc, rest: old[rest]}
                if (old := by_id.get(loc["id"]) or _nth(stored["locations"], k)) else loc
                for k, loc in enumerate(snap["locations"])
            ]  # fmt: skip
        elif head == "translations":
            lang, field = rest.split(".")
            if text := stored["translations"].get(lang, {}).get(field):
                snap["translations"].setdefault(lang, {})[field] = text
    return snap


def _chunks(items: list[Any], size: int = 5_000) -> list[list[Any]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def _nth(items: list[dict[str, Any]], k: int) -> dict[str, Any] | None:
    return items[k] if k < len(items) else None


def import_file(
    engine: Engine,
    path: Path,
    *,
    dry_run: bool = False,
    actor: str = "cli",
    progress: bool = False,
) -> ImportReport:
    """Import a .json (HSDS) or .csv (sheet) file; see `import_bytes`."""
    path = Path(path)
    return import_bytes(
        engine, path.read_bytes(), path.name, dry_run=dry_run, actor=actor, progress=progress
    )


# --- export ------------------------------------------------------------------------------------


def export_snapshots(engine: Engine) -> list[dict[str, Any]]:
    """Every service as a snapshot, by id; soft-deleted ones too (HSDS status "defunct"), so
    that an export is a full backup and a deletion can still be undone after a re-import."""
    with session_scope(engine) as session:
        ids = session.execute(select(Service.id).order_by(Service.id)).scalars().all()
        stored = bulk.stored_snapshots(session, ids)
    return [stored[i] for i in ids]


def _encode(snapshots: list[dict[str, Any]], fmt: str) -> bytes:
    if fmt == "hsds":
        text = json.dumps(hsds.to_hsds(snapshots), ensure_ascii=False, indent=1)
        return (text + "\n").encode("utf-8")
    if fmt == "csv":
        return sheet.to_sheet(snapshots)
    raise ImportFormatError(f"unknown export format {fmt!r} (hsds or csv)")


def export_bytes(engine: Engine, fmt: str) -> bytes:
    """The catalogue as HSDS JSON ("hsds") or the CSV sheet ("csv"), or the phrases
    administrators taught the search ("synonyms")."""
    if fmt == "synonyms":
        with session_scope(engine) as session:
            text = json.dumps(taught.export(session), ensure_ascii=False, indent=1)
        return (text + "\n").encode("utf-8")
    return _encode(export_snapshots(engine), fmt)


def export_file(engine: Engine, path: Path, fmt: str) -> int:
    """Write the catalogue to `path`; returns the number of services (or phrases) written."""
    if fmt == "synonyms":
        data = export_bytes(engine, fmt)
        Path(path).write_bytes(data)
        return len(json.loads(data)[taught.EXPORT_KEY])
    snapshots = export_snapshots(engine)
    Path(path).write_bytes(_encode(snapshots, fmt))
    return len(snapshots)


# --- seed --------------------------------------------------------------------------------------


def seed_bytes() -> bytes:
    """The seed catalogue as HSDS JSON, with the translations of `seed/translations.json`."""
    services = json.loads((SEED_DIR / "catalogue.json").read_text("utf-8"))
    translations = json.loads((SEED_DIR / "translations.json").read_text("utf-8"))
    for service in services:
        extension = service.setdefault(hsds.EXTENSION, {})
        extension.setdefault("translations", {}).update(translations.get(service["id"], {}))
    return json.dumps(services, ensure_ascii=False).encode("utf-8")


def ensure_seeded(engine: Engine) -> int:
    """Load the seed catalogue into an empty database; returns how many services were loaded."""
    with session_scope(engine) as session:
        if session.execute(select(func.count()).select_from(Service)).scalar_one():
            return 0
    report = import_bytes(engine, seed_bytes(), "seed.json", actor="seed")
    if not report.ok():
        raise ValueError("seed catalogue invalid: " + "; ".join(report.problem_lines()))
    return len(report.created)
