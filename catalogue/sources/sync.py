"""Sync the catalogue with an open-data source (data·inclusion): one transaction, idempotent.

1. Read (streamed): the structures given in the MEL, then the services, keeping those given in
   the MEL (their own address, else their structure's) and the remote ones whose eligibility
   zone covers it; then, once more, the few other structures the kept services belong to.
2. Group publications of one service by several producers: same SIRET and address, names
   alike (rapidfuzz) -> one service, every record kept as a source; listed as merges.
3. Write, in one transaction: create, update (only the fields the source changed since the last
   sync: a field an administrator changed in Relais is kept and the difference listed as a
   conflict), hide the services whose records all left the source (audited, status only), show
   them again when they come back. A dry run does all of it and rolls back.
Running it twice writes nothing the second time.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import Engine
from sqlmodel import Session, select
from tqdm import tqdm

from catalogue.bulk import stored_snapshots, write_snapshots
from catalogue.models import ServiceSource, Status, utcnow
from catalogue.services import Problem, content, normalise_snapshot
from catalogue.sources import data_inclusion as di
from catalogue.text import normalise

ACTOR = "sync:data-inclusion"
SAME_NAME = 90.0  # rapidfuzz token_sort_ratio from which two names at one place are one service
# Snapshot fields a sync does not own: the status (hide/show below), the stamps, and what only
# administrators write (closures, translations).
UNMANAGED = frozenset({"id", "status", "created_at", "updated_at", "exceptions", "translations"})


@dataclass
class SyncReport:
    """What a sync did or, in a dry run, would do. Lines are for administrators."""

    dry_run: bool = False
    created: list[tuple[str, str]] = field(default_factory=list)  # (service id, name)
    updated: list[tuple[str, str, list[str]]] = field(default_factory=list)  # with the fields
    unchanged: int = 0
    hidden: list[tuple[str, str]] = field(default_factory=list)
    restored: list[tuple[str, str]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> records
    # (record, field, what): `what` says it in English or, with a translator, in another language
    problems: list[tuple[str, str, Problem]] = field(default_factory=list)
    conflicts: list[tuple[str, str, str]] = field(default_factory=list)  # (service, name, field)
    merges: list[tuple[str, list[str]]] = field(default_factory=list)  # (service, record ids)

    def summary(self) -> str:
        verb = "would be " if self.dry_run else ""
        return (
            f"{len(self.created)} {verb}created, {len(self.updated)} {verb}updated, "
            f"{self.unchanged} unchanged, {len(self.hidden)} {verb}hidden, "
            f"{len(self.restored)} {verb}shown again, {sum(self.skipped.values())} skipped, "
            f"{len(self.merges)} merged, {len(self.problems)} invalid values, "
            f"{len(self.conflicts)} conflicts"
        )

    def lines(self) -> list[str]:
        """Every decision with its reason, most important first."""
        lines = [("Dry run: nothing written. " if self.dry_run else "") + self.summary()]
        lines += [f"create {sid}: {name}" for sid, name in self.created]
        lines += [f"update {sid}: {name} ({', '.join(f)})" for sid, name, f in self.updated]
        lines += [f"hide {sid}: {name} (no longer in the source)" for sid, name in self.hidden]
        lines += [f"show {sid}: {name} (back in the source)" for sid, name in self.restored]
        lines += [f"merge {sid}: {' + '.join(ids)} (same SIRET, address and name)"
                  for sid, ids in self.merges]  # fmt: skip
        lines += [f"conflict {sid}: {name}: {f} changed in Relais and at the source, "
                  "Relais's value kept" for sid, name, f in self.conflicts]  # fmt: skip
        lines += [f"invalid {rid}: {f}: {what.text()}" for rid, f, what in self.problems]
        lines += [f"skip {n} records: {reason}" for reason, n in self.skipped.most_common()]
        return lines


# --------------------------------------------------------------------------- reading


def _progress(items: Iterable[Any], show: bool, desc: str) -> Iterable[Any]:
    return tqdm(items, desc=desc, unit=" records", leave=False) if show else items


def read(reader: di.Reader, report: SyncReport, *, progress: bool = False) -> list[di.Mapped]:
    """The source's services that concern the MEL, mapped (see the module docstring, step 1)."""
    mel_structures: dict[str, dict[str, Any]] = {}
    for structure in _progress(reader.structures(), progress, "structures"):
        if di.mel_commune(structure) is not None and structure.get("id"):
            mel_structures[str(structure["id"])] = structure
    kept: list[tuple[dict[str, Any], Any]] = []  # (service record, commune or None)
    for service in _progress(reader.services(), progress, "services"):
        decision = _decide(service, mel_structures)
        if isinstance(decision, str):
            report.skipped[decision] += 1
        else:
            kept.append((service, decision[0]))
    wanted = {str(s.get("structure_id")) for s, _ in kept} - set(mel_structures)
    others = {}
    if wanted:
        for structure in reader.structures():
            if str(structure.get("id")) in wanted:
                others[str(structure["id"])] = structure
    structures = {**others, **mel_structures}
    mapped = []
    for service, commune in kept:
        item = di.map_service(service, structures.get(str(service.get("structure_id"))), commune)
        report.problems += [(item.record_id, f, Problem(None, f, message, params))
                            for f, message, params in item.problems]  # fmt: skip
        mapped.append(item)
    return mapped


def _decide(service: dict[str, Any], mel_structures: dict[str, dict[str, Any]]) -> Any:
    """(commune,) where the service is given in the MEL, (None,) for a remote service that
    serves it, or the reason to skip it."""
    if not service.get("id"):
        return "no id"
    if di.remote_only(service):
        if di.zone_covers_mel(service.get("zone_eligibilite")):
            return (None,)
        return "remote, eligibility zone outside the MEL"
    if di.has_address(service):
        commune = di.mel_commune(service)
        return (commune,) if commune else "outside the MEL"
    structure = mel_structures.get(str(service.get("structure_id")))
    if structure is not None:
        return (di.mel_commune(structure),)
    return "outside the MEL (no address; structure outside the MEL or unknown)"


# --------------------------------------------------------------------------- duplicates


def group(items: list[di.Mapped], report: SyncReport) -> list[list[di.Mapped]]:
    """Publications of one service by several producers, most recently updated first."""
    by_place: dict[tuple[str, str], list[di.Mapped]] = defaultdict(list)
    groups: list[list[di.Mapped]] = []
    for item in items:
        key = item.address_key()
        if item.siret and key:
            by_place[(item.siret, key)].append(item)
        else:
            groups.append([item])
    for candidates in by_place.values():
        clusters: list[list[di.Mapped]] = []
        for item in candidates:
            name = normalise(item.name)
            home = next((c for c in clusters if fuzz.token_sort_ratio(
                name, normalise(c[0].name)) >= SAME_NAME), None)  # fmt: skip
            if home is None:
                clusters.append([item])
            else:
                home.append(item)
        groups += clusters
    for members in groups:
        members.sort(key=lambda m: (m.updated_on is None, -(m.updated_on.toordinal()
                                    if m.updated_on else 0), m.record_id))  # fmt: skip
    return groups


# --------------------------------------------------------------------------- writing


def _managed(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in snapshot.items() if k not in UNMANAGED}


def _merge(current: dict[str, Any], last: dict[str, Any] | None, new: dict[str, Any]
           ) -> tuple[dict[str, Any], list[str], list[str]]:  # fmt: skip
    """(snapshot to store, fields taken from the source, fields kept against it).

    A field equal to what the last sync wrote was not touched in Relais: the source's value
    wins. One that differs was changed by an administrator: kept, and a conflict when the
    source changed it too.
    """
    merged, taken, kept = dict(current), [], []
    for name, value in _managed(new).items():
        if current.get(name) == value:
            continue
        if last is None or current.get(name) == last.get(name):
            merged[name] = value
            taken.append(name)
        elif last.get(name) != value:
            kept.append(name)
    return merged, taken, kept


def apply(engine: Engine, groups: list[list[di.Mapped]], report: SyncReport, *,
          progress: bool = False) -> None:  # fmt: skip
    """Write the groups as services, in one transaction (rolled back in a dry run)."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            _write(session, groups, report, progress=progress)
            if report.dry_run:
                session.rollback()
            else:
                session.commit()
        except BaseException:
            session.rollback()
            raise


def _service_ids(groups: list[list[di.Mapped]], rows: dict[str, ServiceSource]) -> list[str]:
    """Each group's service: the one a record of it was synced into before, else a new id from
    its first record. A service claimed twice (two records that were one service now differ)
    keeps its first group; the other gets an id of its own."""
    ids, used = [], set()
    for members in groups:
        known = next((rows[m.record_id].service_id for m in members if m.record_id in rows), None)
        service_id = known if known and known not in used else members[0].snapshot["id"]
        if service_id in used:
            service_id = di.stable_id("di", *(m.record_id for m in members))
        used.add(service_id)
        ids.append(service_id)
    return ids


def _write(session: Session, groups: list[list[di.Mapped]], report: SyncReport, *,
           progress: bool) -> None:  # fmt: skip
    """Decide every service's snapshot, write them in bulk (`catalogue.bulk`), then record the
    records they come from."""
    rows = {row.record_id: row for row in session.exec(
        select(ServiceSource).where(ServiceSource.source == di.SOURCE))}  # fmt: skip
    was_present = {row.service_id for row in rows.values() if row.present}
    service_ids = _service_ids(groups, rows)
    stored = stored_snapshots(session, {*service_ids, *(r.service_id for r in rows.values())})
    writes: dict[str, list[dict[str, Any]]] = {"create": [], "sync": [], "show": [], "hide": []}
    sources: list[tuple[str, di.Mapped, dict[str, Any]]] = []
    for service_id, members in _progress(zip(service_ids, groups, strict=True), progress,
                                         "comparing"):  # fmt: skip
        if len(members) > 1:
            report.merges.append((service_id, [m.record_id for m in members]))
        primary = members[0]
        wanted = normalise_snapshot(dict(primary.snapshot, id=service_id))
        current = stored.get(service_id)
        if current is None:
            writes["create"].append(wanted)
            report.created.append((service_id, primary.name))
        else:
            last = next((rows[m.record_id].synced for m in members
                         if m.record_id in rows and rows[m.record_id].synced), None)  # fmt: skip
            merged, taken, kept = _merge(current, last, wanted)
            report.conflicts += [(service_id, primary.name, name) for name in kept]
            back = current["status"] == Status.hidden and service_id not in was_present
            if back:
                merged["status"] = Status.active.value
                report.restored.append((service_id, primary.name))
            if content(merged) == content(current):
                report.unchanged += 1
            else:
                writes["show" if back else "sync"].append(merged)
                if taken:
                    report.updated.append((service_id, primary.name, taken))
        sources += [(service_id, member, _managed(wanted)) for member in members]
    seen = {member.record_id for _, member, _ in sources}
    for row in rows.values():
        if row.record_id not in seen and row.present:
            row.present = False
    for service_id in sorted({row.service_id for row in rows.values()} - set(service_ids)):
        current = stored.get(service_id)
        if current is not None and current["status"] == Status.active:
            writes["hide"].append(dict(current, status=Status.hidden.value))
            report.hidden.append((service_id, current["name"]))
    at = utcnow()
    for action, snapshots in writes.items():
        if snapshots:
            before = {s["id"]: stored[s["id"]] for s in snapshots if s["id"] in stored}
            write_snapshots(
                session,
                snapshots,
                before,
                actor=ACTOR,
                at=at,
                action=None if action == "create" else action,
            )
    _record_sources(session, rows, sources)


def _record_sources(session: Session, rows: dict[str, ServiceSource],
                    sources: list[tuple[str, di.Mapped, dict[str, Any]]]) -> None:  # fmt: skip
    """One row per record, written after the services they point to; unchanged rows untouched
    (a second sync writes nothing)."""
    for service_id, member, synced in sources:
        row = rows.get(member.record_id)
        if row is None:
            row = ServiceSource(source=di.SOURCE, record_id=member.record_id, service_id=service_id)
            session.add(row)
        values = {
            "service_id": service_id, "producer": member.producer, "link": member.link,
            "updated_on": member.updated_on, "synced": synced, "present": True,
        }  # fmt: skip
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)


def sync(engine: Engine, reader: di.Reader, *, dry_run: bool = False,
         progress: bool = False) -> SyncReport:  # fmt: skip
    """Read the source, group duplicates, write: the whole sync."""
    report = SyncReport(dry_run=dry_run)
    groups = group(read(reader, report, progress=progress), report)
    apply(engine, groups, report, progress=progress)
    return report


def iter_lines(report: SyncReport, limit: int | None = None) -> Iterator[str]:
    """The report's lines, at most `limit` (a chat message is short)."""
    lines = report.lines()
    yield from lines[:limit]
    if limit is not None and len(lines) > limit:
        yield f"… and {len(lines) - limit} more lines"
