"""Cards of services synced from open data: OSM hours shown per weekday (public holidays
included), hours said only as text, and where the facts come from, with links."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.i18n import translator
from bot.render import render_service_card
from bot.share import share_text
from catalogue.models import Service, ServiceSource
from tests.factories import make_service

# Thursday 24 December 2026, 9:00 in Paris; Christmas is the next day.
CHRISTMAS_EVE = datetime(2026, 12, 24, 8, 0, tzinfo=UTC)
SOURCE = "data·inclusion / dora (Licence Ouverte 2.0)"


def synced(**changes) -> Service:
    """A fictional synced service (never shipped)."""
    service = make_service(
        "di-1",
        "Colis du Test",
        where=None,
        source=SOURCE,
        verified_on=date(2026, 12, 1),
        opening_hours_osm="Mo-Fr 09:00-12:00,14:00-17:00; PH off",
    )
    service.exceptions = []
    service.sources = [
        ServiceSource(
            source="data-inclusion",
            record_id="dora--1",
            service_id="di-1",
            producer="dora",
            link="https://dora.example/services/1",
        ),
        ServiceSource(
            source="data-inclusion",
            record_id="emplois--1",
            service_id="di-1",
            producer="emplois-de-linclusion",
            link="https://emplois.example/1",
        ),
    ]
    for key, value in changes.items():
        setattr(service, key, value)
    return service


def test_osm_hours_per_weekday_with_the_holiday_closed():
    text = " ".join(render_service_card(synced(), "en", now=CHRISTMAS_EVE).text.split())
    assert "Open now." in text
    assert "Today: 9:00 AM – 12:00 PM, 2:00 – 5:00 PM" in text
    assert "Friday: closed (public holiday)" in text


def test_hours_said_as_text_are_shown_as_they_are():
    service = synced(opening_hours_osm=None, hours_note="sur rendez-vous uniquement")
    text = render_service_card(service, "fr", now=CHRISTMAS_EVE).text
    assert "Horaires : sur rendez-vous uniquement" in text


def test_the_card_names_every_producer_the_licence_and_links():
    text = render_service_card(synced(), "en", now=CHRISTMAS_EVE).text
    assert "Source: data·inclusion / dora, emplois-de-linclusion (Licence Ouverte 2.0)" in text
    assert "🔗 https://dora.example/services/1" in text
    assert "🔗 https://emplois.example/1" in text
    assert "Last checked: December 1, 2026." in text


def test_shared_text_carries_the_osm_hours():
    text = share_text(synced(), translator("en"))
    assert "🕘 Mo-Fr 09:00-12:00,14:00-17:00; PH off" in text
    note = synced(opening_hours_osm=None, hours_note="sur rendez-vous uniquement")
    assert "🕘 sur rendez-vous uniquement" in share_text(note, translator("fr"))
