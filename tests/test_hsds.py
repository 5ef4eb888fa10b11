"""HSDS 3.0 mapping: derivation rules, parsing problems, and the shared fixture round trip."""

import json

import pytest

from catalogue.hsds import derive_access, parse_hsds, to_hsds
from catalogue.importer import export_bytes, import_bytes
from catalogue.phones import normalise_phone
from catalogue.services import normalise_snapshot
from tests.conftest import CATALOGUE

FIXTURE = CATALOGUE


@pytest.mark.parametrize(
    ("text", "access"),
    [
        ("Sans rendez-vous", "unconditional"),
        ("Accès libre", "unconditional"),
        ("Avec ou sans rendez-vous", "unconditional"),
        ("Sur rendez-vous par téléphone", "appointment"),
        ("Sur inscription avec justificatifs", "registration"),
        ("Sur orientation du CCAS", "orientation"),
        ("Sur rendez-vous ; créneaux sans rendez-vous le mardi matin", None),  # two modes
        ("Réservation 48 h à l'avance", None),
        (None, None),
    ],
)
def test_access_is_derived_only_when_plain(text, access):
    assert derive_access(text) == access


def test_fixture_parses_without_problems():
    items, problems = parse_hsds(FIXTURE.read_bytes())
    assert problems == []
    assert len(items) == 119
    by_id = {snap["id"]: snap for _, snap in items}
    mobilimel = by_id["svc-040"]
    assert mobilimel["areas"] == ["Métropole Européenne de Lille"]
    place = mobilimel["locations"][0]
    assert place["address"] is None and place["approximate"] is True
    assert place["description"].startswith("Adresse précise non renseignée")
    assert by_id["svc-001"]["access"] == "unconditional"
    assert by_id["svc-001"]["languages"] == ["fr", "en", "ar"]


def test_problems_name_item_and_field():
    doc = [
        {"id": "a", "name": "A", "minimum_age": "18"},
        {"id": "b", "schedules": [{"byday": "XX", "opens_at": "9h", "closes_at": "12:00"}]},
        "not an object",
    ]
    _, problems = parse_hsds(json.dumps(doc).encode())
    where = {(p.item, p.field) for p in problems}
    assert (1, "minimum_age") in where
    assert (2, "name") in where
    assert (2, "schedules[0].byday") in where
    assert (2, "schedules[0].opens_at") in where
    assert (3, None) in where


def test_bad_extension_values_are_problems():
    doc = {"id": "s", "name": "S", "x_relais": {
        "exceptions": ["x", {"starts_on": "2026-01-01"}], "free": "maybe",
        "translations": {"en": "x", "uk": {"name": "y"}}}}  # fmt: skip
    _, problems = parse_hsds(json.dumps(doc).encode())
    assert {p.field for p in problems} == {
        "x_relais.free", "x_relais.exceptions[0]", "x_relais.exceptions[1].ends_on",
        "x_relais.translations.en", "x_relais.translations.uk",
    }  # fmt: skip


def test_extension_values_win_over_derivation():
    doc = {"id": "s", "name": "S", "application_process": "Sans rendez-vous",
           "x_relais": {"access": None, "free": False, "source": "Flyer 2025"}}  # fmt: skip
    ((_, snap),) = parse_hsds(json.dumps(doc).encode())[0]
    assert snap["access"] is None and snap["free"] is False and snap["source"] == "Flyer 2025"


def _export_after_import(engine) -> list[dict]:
    report = import_bytes(engine, FIXTURE.read_bytes(), FIXTURE.name, actor="test")
    assert report.ok(), report.problem_lines()
    assert len(report.created) == 119
    return json.loads(export_bytes(engine, "hsds"))


def _rid(obj: dict) -> str:
    """Relais's own id of an exported object (its HSDS id is a UUID made from it)."""
    return obj.get("x_relais", {}).get("id", obj["id"])


def _location_fields(sal: dict) -> dict:
    loc = sal["location"]
    address = loc["addresses"][0]
    return {
        "id": _rid(loc), "name": loc.get("name"), "description": loc.get("description"),
        "latitude": loc["latitude"], "longitude": loc["longitude"],
        "address_1": address["address_1"], "city": address["city"],
        "postal_code": address["postal_code"],
    }  # fmt: skip


def _phone_fields(phone: dict) -> dict:
    return {"id": _rid(phone), "number": normalise_phone(phone["number"]),
            "type": phone.get("type"), "description": phone.get("description")}  # fmt: skip


def _schedule_fields(schedule: dict) -> dict:
    fields = {k: v for k, v in schedule.items() if k not in ("service_id", "x_relais")}
    return fields | {"id": _rid(schedule)}


def test_fixture_round_trip_keeps_every_field_the_model_holds(engine):
    original = {s["id"]: s for s in json.loads(FIXTURE.read_text("utf-8"))}
    exported = {_rid(s): s for s in _export_after_import(engine)}
    assert exported.keys() == original.keys()
    plain = ("name", "alternate_name", "description", "status", "assured_date",
             "eligibility_description", "minimum_age", "maximum_age", "fees_description",
             "application_process")  # fmt: skip
    for sid, before in original.items():
        after = exported[sid]
        for field in plain:
            assert after.get(field) == before.get(field), (sid, field)
        assert after["organization_id"] == after["organization"]["id"]
        org = after["organization"] | {"id": _rid(after["organization"])}
        assert {k: v for k, v in org.items() if k != "x_relais"} == before["organization"], sid
        assert list(map(_phone_fields, after.get("phones", []))) == list(
            map(_phone_fields, before.get("phones", []))
        )
        assert sorted(map(_schedule_fields, after.get("schedules", [])), key=str) == sorted(
            map(_schedule_fields, before.get("schedules", [])), key=str
        )
        assert [lang["code"] for lang in after["languages"]] == [
            lang["code"] for lang in before["languages"]
        ]
        assert [a["name"] for a in after.get("service_areas", [])] == [
            a["name"] for a in before.get("service_areas", [])
        ]
        assert sorted(map(_location_fields, after["service_at_locations"]), key=str) == sorted(
            map(_location_fields, before["service_at_locations"]), key=str
        )
        codes = lambda s: sorted(a["taxonomy_term"]["code"] for a in s["attributes"])  # noqa: E731
        assert codes(after) == codes(before)


def test_export_then_import_is_unchanged(engine):
    exported = json.dumps(_export_after_import(engine)).encode()
    again = import_bytes(engine, exported, "export.json", actor="test")
    assert again.ok() and len(again.unchanged) == 119 and not again.updated


def test_to_hsds_is_the_inverse_of_parse_hsds():
    snap = normalise_snapshot({
        "id": "s1", "name": "Douches", "access": "appointment", "free": None, "gender": "women",
        "source": "Flyer", "categories": ["shower"],
        "exceptions": [{"id": "e1", "starts_on": "2026-08-01", "ends_on": "2026-08-31"}],
        "translations": {"en": {"description": "Showers"}},
        "locations": [{"id": "l1", "city": "Roubaix", "latitude": 50.69, "longitude": 3.17,
                       "approximate": True, "insee_code": "59512"}],
        "hours": [{"id": "h1", "byday": "MO", "opens_at": "20:00", "closes_at": "08:00",
                   "note": "la nuit"}],
    })  # fmt: skip
    ((_, back),) = parse_hsds(json.dumps(to_hsds([snap])).encode())[0]
    assert normalise_snapshot(back) == snap
