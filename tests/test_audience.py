"""Whom a service is for (`catalogue.audience`): read once when it is written, stored, and then
the same for the search's filters and the card (issue 18)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.render import render_service_card
from catalogue.audience import read
from catalogue.db import session_scope
from catalogue.importer import import_bytes
from catalogue.search import Query, SearchIndex
from catalogue.services import get_service, save_service

MONDAY = datetime(2026, 3, 30, 10, tzinfo=UTC)


def _gender(eligibility: str | None = None, name: str = "Accueil", stated: str | None = None):
    return read(name, stated, eligibility, None, None).audience_gender


@pytest.mark.parametrize(
    ("text", "gender"),
    [
        ("Femmes seules ou avec enfants.", "women"),
        ("Femmes et jeunes filles.", "women"),
        ("Hommes seuls de 18 ans et plus, sans enfant.", "men"),
        ("Personnes sans domicile, femmes victimes de violences.", "women"),
        ("Femmes enceintes et parents d'enfants de moins de 6 ans.", None),  # families first
        ("Familles avec enfants mineurs et femmes enceintes.", None),
        ("Publics : Jeunes, public féminin.", None),  # one public of several (data·inclusion)
        ("Personnes majeures.", None),
        ("Hommes et femmes majeurs.", None),  # was men only for the search
        ("Femmes, hommes, couples.", None),
        (None, None),
    ],
)
def test_the_eligibility_text_gives_the_gender_it_names_first(text, gender):
    assert _gender(text) == gender


def test_the_name_gives_the_gender_when_nothing_else_does():
    assert _gender(name="Accueil de jour pour femmes") == "women"
    assert _gender(name="Résidence étudiante pour femmes") == "women"
    assert _gender(name="Vestiaire hommes et femmes") is None  # both: no restriction
    assert _gender("Hommes seuls.", name="Accueil de jour pour femmes") == "men"  # text first


def test_a_stated_gender_wins_over_the_texts():
    assert _gender("Femmes seules.", name="Accueil pour femmes", stated="men") == "men"


def test_reserved_audiences_children_and_walk_in_are_read_from_the_texts():
    reading = read(
        "Épicerie étudiante", None, "Demandeurs d'emploi et seniors, sans enfant.", None,
        "Sans rdv le mardi.",
    )  # fmt: skip
    assert reading.reserved_for == ["student", "senior", "job_seeker"]
    assert reading.refuses_children is True and reading.walk_in is True
    assert read("Douches", None, None, "unconditional", None).walk_in is True
    assert read("Douches", None, None, "appointment", "Sur rendez-vous").walk_in is False


def _hsds(name: str, eligibility: str | None = None) -> bytes:
    return json.dumps([{
        "id": "svc-w", "name": name, "eligibility_description": eligibility,
        "attributes": [{"taxonomy_term": {"taxonomy": "soliguide", "code": "day_hosting"}}],
    }]).encode()  # fmt: skip


def _men_and_women_find(engine) -> tuple[bool, bool]:
    index = SearchIndex.from_engine(engine)
    return tuple(  # type: ignore[return-value]
        bool(index.search(Query(text="accueil de jour", gender=g), now=MONDAY).results)
        for g in ("men", "women")
    )


def test_a_women_s_service_named_so_is_women_only_on_its_card_and_under_the_filter(engine):
    """Before, only the search read the name: the card showed no restriction while the men's
    filter left the service out."""
    report = import_bytes(engine, _hsds("Accueil de jour pour femmes"), "a.json", actor="t")
    assert report.ok()
    with session_scope(engine) as session:
        service = get_service(session, "svc-w")
        assert service.gender is None  # nothing stated: read, not invented
        assert service.audience_gender == "women"
        card = render_service_card(service, "en", now=MONDAY).text
    assert "women only" in card
    assert _men_and_women_find(engine) == (False, True)


def test_every_write_reads_again(engine):
    """Import, then an admin's edit: the stored reading follows the texts and what is stated."""
    assert import_bytes(engine, _hsds("Accueil de jour", "Hommes seuls."), "a.json", actor="t").ok()
    assert _men_and_women_find(engine) == (True, False)
    sheet = "id,name,gender,eligibility,access\nsvc-w,Accueil de jour,,Tout public,unconditional\n"
    assert import_bytes(engine, sheet.encode(), "a.csv", actor="t").ok()
    with session_scope(engine) as session:
        service = get_service(session, "svc-w")
        assert (service.audience_gender, service.walk_in) == (None, True)
        service.gender, service.eligibility = "women", "Étudiants, sans enfant."
        save_service(session, service, actor="admin")
    with session_scope(engine) as session:
        service = get_service(session, "svc-w")
        assert (service.audience_gender, service.reserved_for) == ("women", ["student"])
        assert service.refuses_children is True
    assert _men_and_women_find(engine) == (False, True)
