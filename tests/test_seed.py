"""The seed catalogue: real programmes from the seed documents, nothing invented."""

import json

import pytest

from catalogue.db import session_scope
from catalogue.importer import SEED_DIR, ensure_seeded, import_bytes
from catalogue.services import TRANSLATABLE, list_services
from catalogue.taxonomy import LANGUAGES

PROGRAMMES = ["MobilimEL", "Emmaüs Connect", "PANIERS", "Fonds de Solidarité Logement",
              "Émergence", "VoisinMalin", "Quartiers fertiles", "MEL-toi du territoire",
              "Ambassadeurs Santé Mentale", "Fonds d'Innovation Jeunes en Métropole",
              "La Fabrique de l'Emploi", "Lille Avenirs"]  # fmt: skip


@pytest.fixture
def seeded(engine):
    assert ensure_seeded(engine) > len(PROGRAMMES)
    with session_scope(engine) as session:
        return list_services(session)


def test_seed_holds_the_programmes_of_the_issue(seeded):
    names = " / ".join(s.name for s in seeded)
    for programme in PROGRAMMES:
        assert programme in names


def test_seed_invents_no_contact_address_hours_and_cites_its_source(seeded):
    for service in seeded:
        assert service.source and service.description and service.categories
        assert service.phones == [] and service.hours == [] and service.email is None
        for place in service.locations:
            assert place.address is None and place.approximate is True


def test_seed_loads_only_into_an_empty_database(engine):
    import_bytes(engine, b'[{"id": "x", "name": "Local service"}]', "a.json", actor="t")
    assert ensure_seeded(engine) == 0
    with session_scope(engine) as session:
        assert [s.id for s in list_services(session)] == ["x"]


def test_seed_translations_name_seed_services_and_known_fields():
    ids = {s["id"] for s in json.loads((SEED_DIR / "catalogue.json").read_text("utf-8"))}
    translations = json.loads((SEED_DIR / "translations.json").read_text("utf-8"))
    for service_id, languages in translations.items():
        assert service_id in ids
        assert set(languages) <= set(LANGUAGES) - {"fr"}
        for fields in languages.values():
            assert set(fields) <= set(TRANSLATABLE)
