"""Validators shared by /add and /edit."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from bot.admin.common import keyboard
from bot.admin.fields import (
    BY_KEY,
    FIELDS,
    Invalid,
    hours_preview,
    location_value,
    new_organization,
    new_service,
    parse_access,
    parse_audience,
    parse_categories,
    parse_closure_days,
    parse_contact,
    parse_cost,
    parse_hours,
    parse_languages,
    parse_name,
    parse_place,
    parse_source,
    summary,
)
from bot.admin.files import report_text
from bot.admin.manage import history_text
from bot.i18n import translator
from catalogue.importer import ImportReport, Problem, validate_snapshot
from catalogue.limits import TEXT_LIMITS
from catalogue.models import AuditEntry
from tests.factories import make_location

EN = translator("en")


def problem(parse, text):
    with pytest.raises(Invalid) as caught:
        parse(text)
    return caught.value.text(EN)


def test_name_is_trimmed_and_bounded():
    assert parse_name("  Bains   douches ") == "Bains douches"
    assert "2 to 120" in problem(parse_name, "x")
    assert "2 to 120" in problem(parse_name, "y" * 121)


@pytest.mark.parametrize(
    ("parse", "key", "text"),
    [
        (parse_name, "name", "n"),
        (parse_cost, "fees", "2 €"),
        (parse_source, "source", "Flyer"),
        (parse_place, "locations.address", "rue, Roubaix"),
    ],
)
def test_add_and_import_share_one_table_of_lengths(parse, key, text):
    """What /add refuses, an import refuses too (catalogue.limits), and the reverse."""
    limit = TEXT_LIMITS[key]
    at_limit = (
        text + "x" * (limit - len(text))
        if key != "locations.address"
        else "r" * limit + ", Roubaix"
    )
    parse(at_limit)
    too_long = at_limit.replace("x", "xx", 1).replace("r", "rr", 1)
    assert str(limit) in problem(parse, too_long)
    field, _, sub = key.partition(".")
    snap = {"id": "s", "name": "n", field: at_limit}
    if sub:
        snap = {"id": "s", "name": "n", field: [{"id": "l", sub: "r" * limit}]}
    assert not [p for p in validate_snapshot(snap) if p[0] == key]
    over = (
        {**snap, field: [{"id": "l", sub: "r" * (limit + 1)}]} if sub else {**snap, field: too_long}
    )
    assert [p for p in validate_snapshot(over) if p[0] == key]


def test_control_characters_never_reach_a_name():
    assert parse_name("\x1b[31mBains\x1b[0m\x00 douches") == "Bains douches"


def test_categories_are_known_keys():
    assert parse_categories("shower, laundry|shower") == ["shower", "laundry"]
    assert "Unknown category: douche" in problem(parse_categories, "shower douche")
    assert "at least one" in problem(parse_categories, " ")


def test_place_by_commune_address_coordinates_or_none():
    town = parse_place("Roubaix")
    assert (town["city"], town["address"], town["approximate"]) == ("Roubaix", None, True)
    street = parse_place("12 rue Pierre Motte, 59100 Roubaix")
    assert (street["address"], street["postcode"], street["city"]) == (
        "12 rue Pierre Motte",
        "59100",
        "Roubaix",
    )
    exact = parse_place("50.6942, 3.1746")
    assert exact["approximate"] is False and exact["latitude"] == 50.6942
    assert parse_place("-") is None
    assert "do not know" in problem(parse_place, "12 rue de Rivoli, Paris")
    assert "outside" in problem(parse_place, "48.85,2.35")
    assert "outside" in problem(lambda _: location_value(43.3, 5.4), "")


def test_hours_normalised_with_a_readable_preview():
    value = parse_hours("MO-FR 09:00-12:00")
    assert value == parse_hours(value)  # normalised form parses to itself
    assert "Monday" in hours_preview(value, EN)
    assert parse_hours("-") == "" and hours_preview("", EN) == "unknown"
    assert "not understood" in problem(parse_hours, "le matin")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("all", (None, None, None)),
        ("women", ("women", None, None)),
        ("men 18-25", ("men", 18, 25)),
        ("18+", (None, 18, None)),
        ("-25", (None, None, 25)),
    ],
)
def test_audience(text, expected):
    value = parse_audience(text)
    assert (value["gender"], value["min_age"], value["max_age"]) == expected


def test_audience_rejects_nonsense():
    assert "all, women or men" in problem(parse_audience, "kids")
    assert "not possible" in problem(parse_audience, "30-20")
    assert "not possible" in problem(parse_audience, "200+")


def test_access_cost_source():
    assert parse_access("Appointment") == "appointment"
    assert parse_access("-") is None
    assert "buttons" in problem(parse_access, "maybe")
    assert parse_cost("gratuit") == {"free": True, "fees": None}
    assert parse_cost("2 € le repas") == {"free": False, "fees": "2 € le repas"}
    assert parse_cost("-") == {"free": None, "fees": None}
    assert "Say where" in problem(parse_source, "-")


def test_contact_finds_phones_email_and_website():
    value = parse_contact("tél 03 20 12 34 56, accueil@example.org www.example.org")
    assert value == {
        "phones": ["+33 3 20 12 34 56"],
        "email": "accueil@example.org",
        "website": "https://www.example.org",
    }
    assert parse_contact("-") == {"phones": [], "email": None, "website": None}
    assert "No phone" in problem(parse_contact, "ask at the desk")


def test_every_field_reads_back_what_it_wrote():
    draft = {
        "name": parse_name("Bains douches"),
        "organization": new_organization("Bains et douches du Nord"),
        "categories": parse_categories("shower"),
        "place": parse_place("12 rue Pierre Motte, 59100 Roubaix"),
        "hours": parse_hours("mo-fr 09:00-12:00; sa 10:00-12:00"),
        "closures": parse_closure_days("fermé du 24/12 au 2/1"),
        "audience": parse_audience("women 18+"),
        "access": parse_access("unconditional"),
        "cost": parse_cost("free"),
        "contact": parse_contact("03 20 12 34 56"),
        "description": "Douches chaudes.",
        "eligibility": None,
        "languages": parse_languages("fr ar"),
        "source": parse_source("Flyer 2026"),
    }
    service = new_service(draft, verified_on=date(2026, 3, 1))
    for spec in FIELDS:
        assert spec.read(service) == draft[spec.key], spec.key
    assert service.verified_on == date(2026, 3, 1)
    second = make_location("second")
    service.locations.append(second)
    BY_KEY["place"].apply(service, parse_place("Roubaix"))
    assert [loc.city for loc in service.locations] == ["Roubaix", "Lille"]
    text = summary(draft, EN)
    assert "Roubaix" in text and "women aged 18 or more" in text


def test_keyboard_leaves_out_buttons_past_64_bytes():
    markup = keyboard([[("ok", "adm:ver:short")], [("long", "adm:ver:" + "x" * 60)]])
    assert [[b.callback_data for b in row] for row in markup.inline_keyboard] == [["adm:ver:short"]]


def test_hours_preview_reads_like_a_sentence():
    preview = hours_preview(
        parse_hours("mo-fr 09:00-12:00; mo,we 14:00-17:00; 1sa 10:00-12:00"), EN
    )
    lines = preview.splitlines()
    assert lines[0].startswith("Monday – Friday:")
    assert lines[1].startswith("Monday and Wednesday:")
    assert lines[2].startswith("first Saturday of the month:")
    assert hours_preview(parse_hours("-1fr 10:00-12:00"), EN).startswith("last Friday of the month")


def test_history_names_changed_fields_in_paris_time():
    entry = AuditEntry(
        at=datetime(2026, 1, 15, 23, 30, tzinfo=UTC),
        actor="telegram:1",
        action="undo",
        entity_id="s",
        before={"name": "A", "fees": None},
        after={"name": "B", "fees": None, "undoes": 3},
    )
    text = history_text([entry], "B", EN)
    assert "January 16, 2026" in text and "(Name)" in text and "undone" in text  # the field's label


def test_import_report_stays_under_telegram_limit():
    problems = [Problem(i, "description", "x" * 500) for i in range(1, 200)]
    report = ImportReport(problems=problems, unit="line")
    text = report_text(report, EN, applied=False)
    assert len(text) < 4096 and "line 1 [description]" in text and "179 more" in text


@pytest.mark.parametrize("lang", ["fr", "en", "ar", "ps", "fa", "uk", "ru", "ro", "es"])
def test_the_hours_prompts_first_example_reads_as_the_week_it_shows(lang):
    """Each language's example is what an admin may copy: it must parse, to the same week."""
    prompt = translator(lang).gettext(BY_KEY["hours"].prompt)
    example = re.search(r":\s(.*?)\.\s", prompt).group(1)
    assert parse_hours(example) == "mo-fr 09:00-12:00,14:00-17:00; sa 09:00-12:00"
