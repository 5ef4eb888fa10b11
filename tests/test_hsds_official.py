"""HSDS 3.0 against the official schemas and examples: a valid export with stable UUIDs, a
lossless round trip, and other people's files read or refused with a reason."""

import json
import uuid

import pytest

from catalogue import importer
from catalogue.db import make_engine
from catalogue.hsds import hsds_id, parse_hsds
from catalogue.phones import normalise_phone
from tests.conftest import CATALOGUE
from tests.hsds_schema import EXAMPLES, in_lille, problems

FIXTURE = CATALOGUE
NAMESPACE = uuid.UUID("aa2e2da0-4e84-4d8d-9e29-d40f08ae6e89")  # catalogue/data/hsds.json
LATITUDE_100 = "latitude: place 'MyCity Civic Center': coordinates out of range (100.0, 101.0)"
AREA_NAME = "areas: 177 characters, at most 120"


def _export(engine) -> list[dict]:
    return json.loads(importer.export_bytes(engine, "hsds"))


def _load(engine, doc, name="file.json") -> importer.ImportReport:
    data = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    report = importer.import_bytes(engine, data, name, actor="test")
    assert report.ok(), report.problem_lines()
    return report


@pytest.fixture
def catalogue(engine):
    """The seed catalogue and the shared evaluation catalogue (133 services)."""
    seed = json.loads(importer.seed_bytes())  # one file: they share organisations
    _load(engine, seed + json.loads(FIXTURE.read_text("utf-8")))
    return engine


def test_every_exported_service_validates_against_the_official_schema(catalogue):
    services = _export(catalogue)
    assert len(services) == 133
    invalid = {s["name"]: problems(s, "service") for s in services}
    assert {name: errors for name, errors in invalid.items() if errors} == {}


def test_ids_are_uuids_made_from_relais_ids_and_the_readable_id_is_kept(catalogue):
    services = {s["x_relais"]["id"]: s for s in _export(catalogue)}
    douche = services["svc-001"]
    assert douche["id"] == str(uuid.uuid5(NAMESPACE, "service:svc-001"))
    assert douche["organization"]["x_relais"] == {"id": "org-escale"}
    assert (
        douche["organization_id"]
        == douche["organization"]["id"]
        == str(uuid.uuid5(NAMESPACE, "organization:org-escale"))
    )
    assert douche["attributes"][0]["taxonomy_term"]["id"] == hsds_id("taxonomy_term", "day_hosting")
    assert hsds_id("service", douche["id"]) == douche["id"]  # a UUID id is its own HSDS id


def test_required_fields_are_filled_with_honest_values(catalogue):
    services = {s["x_relais"]["id"]: s for s in _export(catalogue)}
    address = services["svc-001"]["service_at_locations"][0]["location"]["addresses"][0]
    assert address["state_province"] == "Nord" and address["city"] == "Lille"
    term = services["svc-001"]["attributes"][0]["taxonomy_term"]
    assert term["description"] == (
        "Catégorie Soliguide « Accueil de jour » (clé day_hosting), du groupe « Accueil et repos »."
    )
    seed = next(s for s in services.values() if s["x_relais"]["id"].startswith("seed-"))
    assert seed["organization"]["description"]  # required; "Pas de description connue." if none


def test_export_import_export_is_identical_and_changes_nothing(catalogue, tmp_path):
    first = _export(catalogue)
    again = _load(catalogue, first)
    assert len(again.unchanged) == 133 and not again.updated and not again.created
    assert _export(catalogue) == first
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    _load(fresh, first)
    assert _export(fresh) == first
    fresh.dispose()


def test_a_full_official_service_round_trips_without_losing_a_field(engine, tmp_path):
    official = in_lille(json.loads((EXAMPLES / "service_full.json").read_text("utf-8")))
    _load(engine, official)
    first = _export(engine)
    assert problems(first[0], "service") == []
    (service,) = first
    assert service["id"] == official["id"]
    for field in ("cost_options", "contacts", "funding", "program", "required_documents",
                  "wait_time", "alert", "interpretation_services", "last_modified"):  # fmt: skip
        assert service[field] == official[field], field
    (schedule,) = service["schedules"]
    original = official["schedules"][0]
    for field in ("byweekno", "bymonthday", "byyearday", "until", "dtstart", "count",
                  "interval", "wkst", "timezone", "notes", "attending_type", "schedule_link"):  # fmt: skip
        assert schedule[field] == original[field], field
    assert schedule["id"] == original["id"]
    (phone,) = service["phones"]
    assert phone["number"] == "+44 1234 234567"  # the file's literal quotes are gone
    assert (phone["type"], phone["extension"]) == ("voice", 100)
    assert service["attributes"] == official["attributes"]  # another taxonomy: kept as it came
    assert service["languages"][0]["id"] == official["languages"][0]["id"]
    assert service["languages"][0]["note"] == official["languages"][0]["note"]
    area = service["service_areas"][0]
    assert (area["id"], area["extent"]) == (official["service_areas"][0]["id"], "extent")
    sal = service["service_at_locations"][0]
    assert sal["id"] == official["service_at_locations"][0]["id"]
    location = sal["location"]
    assert (
        location["transportation"]
        == official["service_at_locations"][0]["location"]["transportation"]
    )
    assert location["addresses"][0]["id"] == "74706e55-df26-4b84-80fe-ecc30b5befb4"
    assert location["addresses"][0]["attention"] == "A. Persona"

    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    _load(fresh, first)
    assert _export(fresh) == first
    assert not _load(engine, first).updated
    fresh.dispose()


@pytest.mark.parametrize(
    ("example", "outcome"),
    [
        ("service_list.json", "1 would be created, 0 would be updated, 0 unchanged"),  # a page
        ("service_full.json", [LATITUDE_100, AREA_NAME]),
        ("service_at_location_full.json", [LATITUDE_100, AREA_NAME]),
        ("service_at_location_list.json", [LATITUDE_100]),
        ("organization_full.json", [LATITUDE_100, AREA_NAME]),
        ("organization_list.json", "not a service: an organization without services: Relais reads services"),
        ("location.json", "not a service: a location: Relais reads locations with the services given there"),
        ("taxonomy.json", "not a service: a taxonomy: Relais reads the terms attached to services"),
        ("taxonomy_list.json", "not a service: a taxonomy: Relais reads the terms attached to services"),
        ("taxonomy_term.json", "not a service: a taxonomy term: Relais reads the terms attached to services"),
        ("taxonomy_term_list.json", "not a service: a taxonomy term: Relais reads the terms attached to services"),
        ("base.json", "not a service: the root document of an HSDS API, not services"),
        ("tabular.json", "not a service: tabular HSDS (one table per object): give the compiled JSON of the services"),
    ],
)  # fmt: skip
def test_each_official_example_is_read_or_refused_with_a_reason(sqlite_engine, example, outcome):
    report = importer.import_bytes(
        sqlite_engine, (EXAMPLES / example).read_bytes(), example, actor="test", dry_run=True
    )
    if report.ok():
        assert report.summary() == outcome
    elif isinstance(outcome, list):
        assert report.problem_lines() == [f"item 1, {line}" for line in outcome]
    else:
        assert report.problem_lines() == [f"item 1: {outcome}"]


def test_a_place_outside_the_metropolis_is_refused(sqlite_engine):
    london = json.loads((EXAMPLES / "service_full.json").read_text("utf-8"))
    london["service_at_locations"][0]["location"].update(latitude=51.5072, longitude=-0.1276)
    report = importer.import_bytes(sqlite_engine, json.dumps(london).encode(), "f.json",
                                   actor="test")  # fmt: skip
    assert report.problem_lines()[0] == (
        "item 1, latitude: place 'MyCity Civic Center': (51.5072, -0.1276) is outside the Lille "
        "metropolis"
    )


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ('"+44 1234 234567"', "+44 1234 234567"),
        ("03 20 12 34 56", "+33 3 20 12 34 56"),
        ("+33320123456", "+33 3 20 12 34 56"),
        ("115", "115"),
    ],
)
def test_phones_are_parsed_and_normalised(given, stored):
    assert normalise_phone(given) == stored


def test_a_phone_that_is_no_number_is_refused_with_its_field():
    doc = {"id": "s", "name": "S", "status": "active",
           "phones": [{"id": "p", "number": "call the office"}]}  # fmt: skip
    assert [str(p) for p in parse_hsds(json.dumps(doc).encode())[1]] == [
        "item 1, phones[0].number: not a phone number: 'call the office'"
    ]


def test_reimporting_the_csv_export_changes_nothing(catalogue):
    sheet = importer.export_bytes(catalogue, "csv")
    before = _export(catalogue)
    report = importer.import_bytes(catalogue, sheet, "export.csv", actor="test")
    assert report.ok(), report.problem_lines()
    assert (len(report.unchanged), report.updated, report.created) == (133, [], [])
    assert _export(catalogue) == before  # phone kinds, notes and HSDS extras stay
