"""Service cards and result pages rendered from in-memory services (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.i18n import translator
from bot.render import Page, place_label, render_results, render_service_card, tel
from catalogue.models import HoursException, Service
from catalogue.search import Result, SearchOutcome
from tests.factories import make_location, make_service

# A Monday morning in Paris; 2026-04-06 is Easter Monday, a public holiday in France.
MONDAY = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)


def shower(**changes) -> Service:
    """A fictional service for rendering tests (never shipped)."""
    service = make_service(
        "t-1", "Douches du Test", where=("59512", "Roubaix", 50.69, 3.17),
        address="1 rue du Test", postcode="59100", description="Douches chaudes.",
        access="unconditional", free=True, min_age=18, gender="women", languages=["fr", "ar"],
        source="fiche de test", verified_on=date(2026, 1, 15),
        hours=[("MO,TU,WE,TH,FR", time(9), time(12))], phones=["03 53 01 00 00"],
    )  # fmt: skip
    service.exceptions = []
    for key, value in changes.items():
        setattr(service, key, value)
    return service


def test_card_says_every_fact_and_sends_a_venue():
    card = render_service_card(shower(), "en", now=MONDAY)
    text = card.text
    assert "<b>Douches du Test</b>" in text
    assert "women only" in text and "18 years old and over" in text
    assert "Just come, no appointment needed." in text and "Cost: free." in text
    assert "Open now." in text and "Saturday: closed" in text
    assert 'Phone: <a href="tel:+33353010000">03 53 01 00 00</a>' in text
    assert "Languages spoken: French and Arabic" in text
    assert "Last checked: January 15, 2026." in text and "Source: fiche de test" in text
    assert card.venue is not None and card.venue.address == "1 rue du Test, 59100 Roubaix"
    assert card.keyboard.inline_keyboard[-1][-1].callback_data == "new"


def test_unknown_facts_are_said_unknown_and_no_venue_for_an_approximate_place():
    bare = make_service("t-2", "Programme X", where=None)
    bare.locations = [make_location("t-2", approximate=True, description="Adresse non publiée.")]
    card = render_service_card(bare, "en", now=MONDAY)
    for unknown in (
        "Who can come: unknown.",
        "How to get in: unknown.",
        "Cost: unknown.",
        "Opening hours: unknown.",
        "Address: unknown.",
        "Phone: unknown.",
        "Languages spoken: unknown.",
        "Last checked: unknown.",
    ):
        assert unknown in card.text
    assert "(in French) Adresse non publiée." in card.text
    assert card.venue is None
    near = make_service("t-3", "Programme Y", address="12 rue du Test", approximate=True)
    assert render_service_card(near, "en", now=MONDAY).venue is None  # a street, not the door


def test_week_shows_public_holidays_and_closures():
    closure = HoursException(
        id="x-1",
        service_id="t-1",
        starts_on=date(2026, 4, 1),
        ends_on=date(2026, 4, 3),
        note="Travaux.",
    )
    card = render_service_card(shower(exceptions=[closure]), "en", now=MONDAY)
    assert "Wednesday: closed" in card.text
    assert "Closed from April 1, 2026 to April 3, 2026. Travaux." in card.text
    easter = render_service_card(shower(), "en", now=datetime(2026, 4, 6, 8, 0, tzinfo=UTC))
    assert "(public holiday)" in easter.text and "Closed now." in easter.text


def test_arabic_card_keeps_latin_runs_isolated():
    card = render_service_card(shower(), "ar", now=MONDAY)
    assert all(line.startswith("\u200f") for line in card.text.split("\n") if line)
    assert "tel:+33353010000" in card.text and "\u206603 53 01 00 00\u2069" in card.text


def test_tel_keeps_what_it_cannot_parse():
    assert tel("03 53 01 00 00") == "+33353010000"
    assert tel("appeler le 115") == "appeler le 115"


def test_results_page_buttons():
    results = [
        Result(f"s{i}", f"Service {i}", 1.0, 0.4 * i, "category", ("shower",), None)
        for i in range(5)
    ]
    outcome = SearchOutcome(
        results=results, total=12, categories=("shower",), place=None, suggestions=()
    )
    page = Page(serial=3, offset=5, size=5, filters=("free",), need="Shower", place="Roubaix")
    message = render_results(outcome, page, "en")
    assert "I found 12 places. Here are 6 to 10:" in message.text
    assert "<b>7. Service 1</b> · 400 m · hours unknown" in message.text
    data = [b.callback_data for row in message.keyboard.inline_keyboard for b in row]
    assert data[:5] == [f"d:s{i}" for i in range(5)]
    assert "pg:3:0" in data and "pg:3:10" in data
    assert "r:3:free" in data and data[-1] == "new"
    labels = [b.text for row in message.keyboard.inline_keyboard for b in row]
    assert "✅ Free" in labels


def test_place_label_names_a_postcode_s_communes_and_leaves_other_places_alone():
    assert place_label("59650", "en") == "59650 Villeneuve-d'Ascq"
    assert place_label("59510", "fr") == "59510 Forest-sur-Marque et Hem"
    assert place_label("Wazemmes (Lille)", "fr") == "Wazemmes (Lille)"
    assert place_label("75001", "fr") == "75001"  # not a postcode of the metropolis


@pytest.mark.parametrize("lang", ["fr", "uk"])
def test_the_name_of_an_imported_file_is_no_source_for_residents(lang):
    """An HSDS record without a source keeps its file's name for administrators; the card a
    resident reads, shares or prints says no "Source: catalogue.json"."""
    tr = translator(lang)
    imported = render_service_card(shower(source="catalogue.json"), lang, now=MONDAY).text
    assert tr.gettext("Source: {source}").split("{")[0] not in imported
    assert "catalogue.json" not in imported
    named = render_service_card(shower(source="CCAS de Roubaix, 2026"), lang, now=MONDAY).text
    assert tr.gettext("Source: {source}").format(source="CCAS de Roubaix, 2026") in named
