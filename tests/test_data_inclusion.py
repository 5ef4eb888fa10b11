"""data·inclusion sync: fixtures written to the v1 schema (validated here), every mapping rule,
MEL filter, duplicates, invalid values, idempotence, removal and return, admin edits kept."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import jsonschema
import pytest
from sqlmodel import select

from catalogue.db import session_scope
from catalogue.hours import PARIS, day_openings, is_open, next_change
from catalogue.models import AuditEntry, ServiceSource
from catalogue.services import get_service, service_snapshot, write_snapshot
from catalogue.sources import data_inclusion as di
from catalogue.sources.sync import sync

FIXTURES = Path(__file__).parent / "data" / "data_inclusion"
SHARED_SCHEMA = (
    Path(__file__).resolve().parents[2] / "shared" / "real" / "data-inclusion" / "schema"
)


def _schema(name: str) -> dict:
    return json.loads((FIXTURES / "schema" / f"{name}.json").read_text("utf-8"))


def _validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        _schema(name), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _records(name: str) -> list[dict]:
    return json.loads((FIXTURES / name).read_text("utf-8"))


@pytest.mark.parametrize(
    ("file", "schema"), [("services.json", "service"), ("structures.json", "structure")]
)
def test_fixtures_follow_the_v1_schema(file, schema):
    validator = _validator(schema)
    for record in _records(file):
        errors = [e.message for e in validator.iter_errors(record)]
        assert errors == [], record["id"]


def test_invalid_fixtures_break_the_schema_where_they_say():
    validator = _validator("service")
    (record,) = _records("services_invalid.json")
    bad = {tuple(e.absolute_path)[0] for e in validator.iter_errors(record)}
    # jsonschema checks the "uri" format only with an extra package: our own check says it.
    assert bad - {"lien_source"} == {"thematiques", "courriel"}
    assert not di._url(record["lien_source"])


def test_the_copied_schema_is_the_shared_one():
    if not SHARED_SCHEMA.is_dir():
        pytest.skip("../shared/real/data-inclusion is absent")
    for name in ("service.json", "structure.json"):
        assert (FIXTURES / "schema" / name).read_bytes() == (SHARED_SCHEMA / name).read_bytes()


def test_every_thematique_of_the_schema_has_a_mapping():
    assert set(_schema("service")["$defs"]["Thematique"]["enum"]) == set(di._thematiques())
    assert set(_schema("service")["$defs"]["Public"]["enum"]) == set(di._publics()["publics"])


@pytest.fixture
def files(tmp_path):
    """The fixture files in a folder of their own, so a test can change them."""
    for name in ("services.json", "structures.json", "services_invalid.json"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    return tmp_path


def _all_services() -> list[dict]:
    return _records("services.json") + _records("services_invalid.json")


def _reader(folder: Path, services: list[dict] | None = None, name: str = "all") -> di.FileReader:
    path = folder / f"{name}.json"
    path.write_text(json.dumps(_all_services() if services is None else services), "utf-8")
    return di.FileReader(path, folder / "structures.json")


def _by_record(session, record_id: str):
    row = session.get(ServiceSource, (di.SOURCE, record_id))
    return get_service(session, row.service_id, include_deleted=True) if row else None


def test_sync_keeps_the_mel_and_maps_every_rule(engine, files):
    report = sync(engine, _reader(files))
    assert len(report.created) == 7  # 8 MEL records, the two Biclou workshops merged
    assert report.skipped == {"outside the MEL": 2, "remote, eligibility zone outside the MEL": 1}
    with session_scope(engine) as s:
        # Duplicates: one service, both records as its sources; the newer record's fields.
        bike = _by_record(s, "dora--atelier-biclou")
        assert bike is _by_record(s, "emplois-de-linclusion--atelier-biclou")
        assert sorted(r.producer for r in bike.sources) == ["dora", "emplois-de-linclusion"]
        assert bike.categories[0].key == "vehicle_maintenance"
        assert bike.free is True and bike.access is None and bike.eligibility is None
        # Fallbacks to the structure: address, phone, e-mail, hours, website.
        (place,) = bike.locations
        assert (place.address, place.postcode, place.city, place.approximate) == (
            "1 bis Rue François Marceau",
            "59260",
            "Lille",
            False,
        )
        assert [p.number for p in bike.phones] == ["07 66 72 12 38"]
        assert bike.email == "biclou@insersol.fr" and bike.website == "https://insersol.fr/"
        assert bike.opening_hours_osm == "Mo,We 14:00-18:00"
        assert bike.verified_on == date(2026, 10, 1)
        assert bike.source == "data·inclusion / dora (Licence Ouverte 2.0)"
        dora = next(r for r in bike.sources if r.producer == "dora")
        assert dora.link == "https://dora.inclusion.beta.gouv.fr/services/atelier-biclou"
        assert dora.updated_on == date(2026, 10, 1)
        # publics, frais, mobilisable_par, conditions.
        food = _by_record(s, "dora--colis-roubaix")
        assert food.category_keys == ["food"]
        assert food.gender == food.audience_gender == "women"
        assert food.eligibility == "Publics : Femmes. Femmes seules avec enfants."
        assert (food.free, food.fees) == (False, "1 € le colis")
        assert food.access == "orientation"
        assert food.access_note == (
            "Sur orientation d'un travailleur social.\n"
            "Le travailleur social appelle avant la première venue."
        )
        assert food.opening_hours_osm == "Mo-Fr 09:00-12:00,14:00-17:00; PH off"
        # Remote: no place, the metropolis as its area; text hours become a note.
        remote = _by_record(s, "france-travail--conseil-distance")
        assert remote.locations == [] and remote.areas == ["Métropole Européenne de Lille"]
        assert remote.opening_hours_osm is None
        assert remote.hours_note == "sur rendez-vous uniquement"
        assert remote.gender is remote.audience_gender is None  # young OR women: not men-closed
        assert remote.eligibility == "Publics : Jeunes, public féminin."
        assert _by_record(s, "france-travail--conseil-national").website == (
            "https://national.example/aide"
        )
        # No coordinates: the commune's centre, approximate.
        digital = _by_record(s, "dora--numerique-tourcoing")
        (place,) = digital.locations
        assert place.approximate and place.address == "12 rue de l'Exemple"
        assert place.insee_code == "59599"
        # An associated commune named without code (Lomme) is in Lille; Croix (90) is not.
        assert _by_record(s, "dora--lomme").locations[0].insee_code == "59350"
        assert _by_record(s, "dora--croix-ailleurs") is None
        assert _by_record(s, "dora--paris-repas") is None


def test_invalid_values_are_listed_and_the_service_kept(engine, files):
    report = sync(engine, _reader(files))
    invalid = {(rid, f) for rid, f, _ in report.problems}
    assert invalid == {
        ("dora--courriel-faux", "courriel"),
        ("dora--courriel-faux", "lien_source"),
        ("dora--courriel-faux", "thematiques"),
    }
    with session_scope(engine) as s:
        clothes = _by_record(s, "dora--courriel-faux")
        assert clothes.name == "Vestiaire du Panier Test"
        assert clothes.category_keys == ["clothing"]
        # The structure's e-mail, not the invalid one of the service.
        assert clothes.email == "contact@panier-test.example"
        assert clothes.sources[0].link is None


def test_a_second_sync_changes_nothing(engine, files):
    sync(engine, _reader(files))
    with session_scope(engine) as s:
        audits = len(s.exec(select(AuditEntry)).all())
    again = sync(engine, _reader(files))
    assert (again.created, again.updated, again.hidden, again.restored) == ([], [], [], [])
    assert again.unchanged == 7
    with session_scope(engine) as s:
        assert len(s.exec(select(AuditEntry)).all()) == audits


def test_dry_run_writes_nothing(engine, files):
    report = sync(engine, _reader(files), dry_run=True)
    assert len(report.created) == 7 and report.lines()[0].startswith("Dry run")
    with session_scope(engine) as s:
        assert s.exec(select(ServiceSource)).all() == []
        assert s.exec(select(AuditEntry)).all() == []


def test_a_service_that_leaves_is_hidden_then_shown_when_it_returns(engine, files):
    sync(engine, _reader(files))
    without = [r for r in _all_services() if r["id"] != "dora--colis-roubaix"]
    report = sync(engine, _reader(files, without, "less"))
    with session_scope(engine) as s:
        food = _by_record(s, "dora--colis-roubaix")
        assert food.status == "hidden"
        hidden_id = food.id
        entry = s.exec(
            select(AuditEntry)
            .where(AuditEntry.entity_id == hidden_id)
            .order_by(AuditEntry.id.desc())
        ).first()  # type: ignore[union-attr]
        assert (entry.action, entry.actor) == ("hide", "sync:data-inclusion")
    assert [sid for sid, _ in report.hidden] == [hidden_id]
    back = sync(engine, _reader(files))
    assert [sid for sid, _ in back.restored] == [hidden_id]
    with session_scope(engine) as s:
        assert _by_record(s, "dora--colis-roubaix").status == "active"


def test_an_admin_edit_is_kept_and_the_conflict_listed(engine, files):
    sync(engine, _reader(files))
    with session_scope(engine) as s:
        food = _by_record(s, "dora--colis-roubaix")
        edited = dict(service_snapshot(food), name="Colis du Panier (Roubaix)")
        write_snapshot(s, edited, actor="telegram:7", action="update")
    changed = _all_services()
    for record in changed:
        if record["id"] == "dora--colis-roubaix":
            record["nom"] = "Colis alimentaires (nouveau nom)"
            record["description"] = "Colis alimentaires, nouvelle description."
    report = sync(engine, _reader(files, changed, "changed"))
    with session_scope(engine) as s:
        food = _by_record(s, "dora--colis-roubaix")
        assert food.name == "Colis du Panier (Roubaix)"
        assert food.description == "Colis alimentaires, nouvelle description."
    assert [(f) for _, _, f in report.conflicts] == ["name"]
    assert any(line.startswith("conflict ") for line in report.lines())
    # The next sync lists it no more: the source did not change again.
    assert sync(engine, _reader(files, changed, "changed")).conflicts == []


def test_osm_hours_are_evaluated_with_french_holidays(engine, files):
    sync(engine, _reader(files))
    with session_scope(engine) as s:
        food = _by_record(s, "dora--colis-roubaix")
        osm = food.opening_hours_osm
        christmas, eve = date(2026, 12, 25), date(2026, 12, 24)  # a Friday, a Thursday
        assert day_openings(food.hours, food.exceptions, christmas, osm) == []
        assert len(day_openings(food.hours, food.exceptions, eve, osm)) == 2
        at = datetime(2026, 12, 24, 10, 0, tzinfo=PARIS)
        assert is_open(food.hours, food.exceptions, at, osm) is True
        assert is_open(food.hours, food.exceptions, at.replace(day=25), osm) is False
        night = _by_record(s, "dora--numerique-tourcoing")
        tuesday = date(2026, 12, 22)
        assert day_openings([], [], tuesday, night.opening_hours_osm) == [
            (datetime(2026, 1, 1, 20).time(), datetime(2026, 1, 1, 2).time())
        ]
        wednesday_1am = datetime(2026, 12, 23, 1, 0, tzinfo=PARIS)
        assert is_open([], [], wednesday_1am, night.opening_hours_osm) is True
        # Next change: noon the same day; on Thursday evening, Monday morning (Friday is
        # Christmas, PH off, then the weekend).
        assert next_change([], [], at, osm) == datetime(2026, 12, 24, 12, 0, tzinfo=PARIS)
        evening = datetime(2026, 12, 24, 17, 30, tzinfo=PARIS)
        assert next_change([], [], evening, osm) == datetime(2026, 12, 28, 9, 0, tzinfo=PARIS)
        assert next_change([], [], evening, None) is None  # no hours known


def test_streaming_reads_one_record_at_a_time(tmp_path):
    path = tmp_path / "big.json"
    path.write_text("[" + ",".join(json.dumps({"id": f"x--{i}"}) for i in range(1000)) + "]")
    records = di.read_array(path)
    assert next(records) == {"id": "x--0"}
    assert sum(1 for _ in records) == 999


def test_a_file_that_is_not_an_array_is_an_error(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"not": "an array"')
    with pytest.raises(di.SourceError):
        list(di.read_array(path))


@pytest.mark.parametrize("fmt", ["hsds", "csv"])
def test_export_then_import_keeps_osm_hours_and_the_credit(engine, files, tmp_path, fmt):
    from catalogue.db import make_engine
    from catalogue.importer import export_bytes, export_snapshots, import_bytes

    sync(engine, _reader(files))
    data = export_bytes(engine, fmt)
    assert "Licence Ouverte 2.0" in data.decode("utf-8-sig")
    other = make_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    report = import_bytes(other, data, f"export.{'json' if fmt == 'hsds' else 'csv'}", actor="t")
    assert report.ok(), report.problem_lines()

    def strip(snaps):
        return [
            {k: v for k, v in s.items() if k not in ("created_at", "updated_at")} for s in snaps
        ]

    before = {s["id"]: s for s in strip(export_snapshots(engine))}
    after = {s["id"]: s for s in strip(export_snapshots(other))}
    food = next(s for s in before.values() if s["name"].startswith("Colis"))
    assert after[food["id"]]["opening_hours_osm"] == "Mo-Fr 09:00-12:00,14:00-17:00; PH off"
    remote = next(s for s in before.values() if s["name"] == "Conseil emploi à distance")
    assert after[remote["id"]]["hours_note"] == "sur rendez-vous uniquement"
    other.dispose()


def test_the_command_syncs_local_files(files, tmp_path, capsys):
    from bot.cli import main

    services = files / "all.json"
    services.write_text(json.dumps(_all_services()), "utf-8")
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    args = [
        "--db",
        db,
        "sync",
        "data-inclusion",
        "--services",
        str(services),
        "--structures",
        str(files / "structures.json"),
    ]
    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Dry run: nothing written. 7 would be created")
    assert "skip 2 records: outside the MEL" in out
    assert "invalid dora--courriel-faux: courriel: 'pas une adresse' is not an e-mail" in out
    assert main(args) == 0
    assert "7 created" in capsys.readouterr().out
    assert main(args) == 0
    assert "0 created, 0 updated, 7 unchanged" in capsys.readouterr().out
    assert main(["--db", db, "sync", "data-inclusion", "--services", str(services)]) == 2


def test_start_up_offers_the_sync_only_on_a_seed_catalogue_online(sqlite_engine, files):
    from catalogue.importer import ensure_seeded
    from catalogue.sources.cli import offer_sync

    ensure_seeded(sqlite_engine)
    asked = []

    def ask(question):
        asked.append(question)
        return "n"

    assert offer_sync(sqlite_engine, ask=ask, online=lambda: False) is False
    assert asked == []  # offline: nothing said, the seed works as before
    assert offer_sync(sqlite_engine, ask=ask, online=lambda: True) is False
    assert len(asked) == 1 and "data·inclusion" in asked[0]
    sync(sqlite_engine, _reader(files))
    assert offer_sync(sqlite_engine, ask=ask, online=lambda: True) is False
    assert len(asked) == 1  # the catalogue holds more than the seed: not asked again
