"""HSDS schedule parts beyond the days (RFC 5545): evaluated when simple and well defined, else
"hours to confirm" — never "open now" — and an import warning (issue 16)."""

from __future__ import annotations

import json
from datetime import date, datetime, time

import pytest

from bot.render import Page, render_results
from catalogue.hours import PARIS, hours_to_confirm, is_open, read_recurrence, recurrence_text
from catalogue.importer import export_bytes, import_bytes
from catalogue.models import HoursException, OpeningHours
from catalogue.search import Result, SearchOutcome
from tests.factories import make_hours, make_service


def rule(byday: str = "TH", freq: str = "WEEKLY", **parts: object) -> OpeningHours:
    return make_hours("s", byday, time(9), time(12), freq=freq, recurrence=recurrence_text(parts))


def at(day: str, hour: int = 10) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour), PARIS)


def opened(r: OpeningHours, *days: str) -> list[bool | None]:
    return [is_open([r], [], at(day)) for day in days]


def test_weeks_of_the_year_thursdays_of_weeks_41_and_42_only():
    # 2026: Thursday 1 October is in ISO week 40, 8 and 15 October in 41 and 42.
    r = rule(byweekno="41,42")
    assert opened(r, "2026-10-01", "2026-10-08", "2026-10-15", "2026-10-22") == [
        False,
        True,
        True,
        False,
    ]
    last = rule(byweekno="-1")  # the last ISO week: 2026 has 53, 2027 has 52
    assert opened(last, "2026-12-31", "2027-12-30", "2027-12-23") == [True, True, False]


def test_every_other_week_counted_from_dtstart():
    r = rule(interval=2, dtstart="2026-10-08")
    assert opened(r, "2026-10-01", "2026-10-08", "2026-10-15", "2026-10-22") == [
        False,
        True,
        False,
        True,
    ]
    monthly = rule("1TU", "MONTHLY", interval=3, dtstart="2026-01-06")
    assert opened(monthly, "2026-01-06", "2026-02-03", "2026-04-07") == [True, False, True]


def test_count_and_until_end_the_rule():
    counted = rule(count=3, dtstart="2026-10-08")  # 8, 15 and 22 October
    assert opened(counted, "2026-10-22", "2026-10-29") == [True, False]
    until = rule(until="2026-10-15")
    assert opened(until, "2026-10-15", "2026-10-22") == [True, False]
    assert read_recurrence("UNTIL=20261015T235959Z", "WEEKLY").until == date(2026, 10, 15)


def test_days_of_the_month_restrict_a_monthly_rule():
    # The second Tuesday, only when it falls on the 8th to the 10th.
    r = rule("2TU", "MONTHLY", bymonthday="8,9,10")
    assert opened(r, "2026-01-13", "2026-02-10") == [False, True]


@pytest.mark.parametrize("parts", [
    {"interval": 2},  # every other week, but from which one?
    {"count": 4},  # four times, from when?
    {"byyearday": "100"},  # defined for YEARLY rules only
    {"byweekno": "41", "wkst": "SU"},  # weeks from Sunday are not ISO weeks
    {"bymonthday": "13"},  # a WEEKLY rule has no days of the month
    {"timezone": -5},  # times in another time zone than Paris
    {"until": "next spring"},  # unreadable
])  # fmt: skip
def test_a_rule_relais_cannot_evaluate_is_never_open_now_but_to_confirm(parts):
    r = rule(**parts)
    assert read_recurrence(r.recurrence, r.freq).unsure
    assert is_open([r], [], at("2026-10-08")) is None  # a Thursday at 10:00: may be open
    assert is_open([r], [], at("2026-10-08", 13)) is False  # after its hours: surely closed
    assert is_open([r], [], at("2026-10-05")) is False  # a Monday: never one of its days
    assert hours_to_confirm([r], [], date(2026, 10, 8)) == [(time(9), time(12))]
    sure = make_hours("s", "TH", time(9), time(10, 30), 1)
    assert is_open([r, sure], [], at("2026-10-08")) is True  # a sure rule still says open
    closed = HoursException(id="x", service_id="s", starts_on=date(2026, 10, 8),
                            ends_on=date(2026, 10, 8))  # fmt: skip
    assert is_open([r], [closed], at("2026-10-08")) is False  # a closure still closes


SCHEDULES = {
    "sure": {"freq": "WEEKLY", "byday": "TH", "byweekno": "41,42", "opens_at": "09:00",
             "closes_at": "12:00"},
    "unsure": {"freq": "WEEKLY", "byday": "TU", "interval": 2, "opens_at": "14:00",
               "closes_at": "16:00"},
}  # fmt: skip


def hsds_file(*schedules: dict[str, object]) -> bytes:
    return json.dumps([{"id": "s-1", "name": "Épicerie", "schedules": list(schedules)}]).encode()


def test_import_warns_of_what_it_cannot_evaluate_imports_and_exports_it_unchanged(sqlite_engine):
    report = import_bytes(sqlite_engine, hsds_file(*SCHEDULES.values()), "s.json", actor="test")
    assert report.ok() and report.created == ["s-1"]
    assert report.problem_lines(report.warnings) == [
        "item 1, hours: TU 14:00-16:00 repeats by interval, which Relais cannot check: "
        "shown as hours to confirm, never as open now"
    ]
    (service,) = json.loads(export_bytes(sqlite_engine, "hsds"))
    exported = {s["byday"]: s for s in service["schedules"]}
    assert exported["TH"]["byweekno"] == "41,42" and exported["TU"]["interval"] == 2
    again = import_bytes(sqlite_engine, json.dumps([service]).encode(), "s.json", actor="test")
    assert again.unchanged == ["s-1"]


def test_the_result_list_says_hours_to_confirm():
    service = make_service("s-1", "Épicerie", where=None)
    service.hours, service.exceptions = [rule(interval=2)], []
    outcome = SearchOutcome(results=[Result("s-1", "Épicerie", 1.0, 0.4, "category", ("food",),
                                            None)], total=1, categories=("food",), place=None,
                            suggestions=())  # fmt: skip
    page = Page(serial=1, offset=0, size=5, filters=(), need="Food", place="Roubaix")
    text = render_results(outcome, page, "fr", services={"s-1": service}, now=at("2026-10-08")).text
    assert "horaires à confirmer" in text
