"""The national emergency lines: complete data, and which need picked calls which line."""

from __future__ import annotations

import unicodedata

import pytest

from catalogue import danger, emergency, taxonomy
from catalogue.emergency import label

LINES = emergency.all_lines()
SCRIPTS = {"ar": "ARABIC", "fa": "ARABIC", "ps": "ARABIC", "uk": "CYRILLIC", "ru": "CYRILLIC"}


def numbers(lines: list[emergency.EmergencyLine]) -> list[str]:
    return [line.number for line in lines]


def lines_for(keys) -> list[emergency.EmergencyLine]:
    """The lines shown when these needs are picked or understood."""
    return danger.from_categories(keys).lines


def test_the_eight_national_lines_are_there_once():
    assert sorted(numbers(list(LINES))) == sorted(
        ["112", "15", "17", "115", "3919", "3114", "119", "114"]
    )
    assert len({line.id for line in LINES}) == len(LINES)


@pytest.mark.parametrize("line", LINES, ids=lambda line: line.number)
def test_every_line_is_well_formed(line):
    assert line.number.isascii() and line.number.isdigit()
    assert line.free is True
    assert line.source.startswith("service-public.fr")
    assert line.verified_on is None  # to be set by an administrator after checking


@pytest.mark.parametrize("lang", taxonomy.LANGUAGES)
def test_every_label_exists_is_short_and_in_the_right_script(lang):
    for line in LINES:
        text = line.labels.get(lang, "")
        assert text.strip(), (line.number, lang)
        assert len(text) <= 70, (line.number, lang)
        letters = [c for c in text if c.isalpha() and not c.isascii()]
        if lang in SCRIPTS:  # Latin allowed only for proper names (SAMU, Samu social, SMS)
            assert any(SCRIPTS[lang] in unicodedata.name(c) for c in letters), (line.number, lang)


def test_label_falls_back_to_french():
    line = LINES[0]
    assert label(line, "de") == line.labels["fr"]
    assert label(line, "uk") == line.labels["uk"]


def test_violence_calls_for_the_police_first_then_3919_and_112():
    found = numbers(lines_for(["sexual_violence_support", "legal_advice"]))
    assert found == ["17", "3919", "112", "114"]


@pytest.mark.parametrize("key", ["psychological_support", "mental_health", "psychiatry"])
def test_distress_calls_for_suicide_prevention_and_emergency(key):
    found = numbers(lines_for([key]))
    assert found[0] == "3114"
    assert {"15", "112"} <= set(found)


def test_lines_come_kind_after_kind_and_once():
    found = numbers(
        lines_for(
            [
                "psychiatry",
                "sexual_violence_support",
                "mental_health",
                "emergency_accommodation",
                "overnight_stop",
            ]
        )
    )
    assert found == ["3114", "15", "112", "114", "17", "3919", "115"]


def test_a_night_outside_calls_for_115_only():
    assert numbers(lines_for(["emergency_accommodation"])) == ["115"]
    assert numbers(lines_for(iter(["overnight_stop", "accomodation_and_housing"]))) == ["115"]


@pytest.mark.parametrize(
    "keys", [[], ["food"], ["health"], ["accomodation_and_housing"], ["food_packages", "shower"]]
)
def test_ordinary_needs_call_for_no_line(keys):
    assert lines_for(keys) == []
