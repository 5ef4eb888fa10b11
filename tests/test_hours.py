"""Opening hours: overnight, monthly, validity, closures, holidays and the compact syntax."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalogue.hours import (
    PARIS,
    HoursSyntaxError,
    day_openings,
    format_compact_hours,
    is_open,
    keep_unchanged,
    parse_closures,
    parse_compact_hours,
)
from catalogue.models import HoursException
from tests.factories import make_hours

ZoneInfoUTC = ZoneInfo("UTC")


def at(day: str, clock: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), PARIS)


def closure(start: str, end: str, opens: str | None = None, closes: str | None = None):
    return HoursException(
        id=f"x{start}{opens}",
        service_id="s",
        starts_on=date.fromisoformat(start),
        ends_on=date.fromisoformat(end),
        opens_at=time.fromisoformat(opens) if opens else None,
        closes_at=time.fromisoformat(closes) if closes else None,
    )


WEEKDAYS = parse_compact_hours("mo-fr 09:00-12:00,14:00-17:00")
# 2025-11-24 is a Monday.


def test_weekly_hours():
    assert is_open(WEEKDAYS, [], at("2025-11-24", "09:00")) is True
    assert is_open(WEEKDAYS, [], at("2025-11-24", "12:00")) is False  # closing time is closed
    assert is_open(WEEKDAYS, [], at("2025-11-24", "13:00")) is False
    assert is_open(WEEKDAYS, [], at("2025-11-29", "10:00")) is False  # Saturday


def test_no_hours_is_unknown():
    assert is_open([], [], at("2025-11-24", "10:00")) is None
    assert day_openings([], [], date(2025, 11, 24)) is None
    # A closure alone says nothing about ordinary days.
    assert is_open([], [closure("2025-11-24", "2025-11-30")], at("2025-11-24", "10:00")) is None


def test_time_zone_is_paris():
    utc = datetime(2025, 11, 24, 8, 30, tzinfo=ZoneInfoUTC)  # 09:30 in Paris (winter)
    assert is_open(WEEKDAYS, [], utc) is True
    summer = datetime(2025, 7, 1, 7, 30, tzinfo=ZoneInfoUTC)  # 09:30 in Paris (summer)
    assert is_open(WEEKDAYS, [], summer) is True
    assert is_open(WEEKDAYS, [], datetime(2025, 11, 24, 9, 30)) is True  # naive = Paris


def test_overnight_runs_into_the_next_morning():
    night = parse_compact_hours("mo 20:00-08:00")
    assert is_open(night, [], at("2025-11-24", "19:59")) is False
    assert is_open(night, [], at("2025-11-24", "23:30")) is True
    assert is_open(night, [], at("2025-11-25", "02:00")) is True  # Tuesday morning
    assert is_open(night, [], at("2025-11-25", "08:00")) is False
    assert is_open(night, [], at("2025-11-24", "02:00")) is False  # Sunday night not open
    assert day_openings(night, [], date(2025, 11, 24)) == [(time(20), time(8))]


def test_round_the_clock_and_midnight_closing():
    always = parse_compact_hours("mo-su 00:00-24:00")
    assert is_open(always, [], at("2025-11-26", "03:17")) is True
    evening = parse_compact_hours("fr 18:00-24:00")
    assert is_open(evening, [], at("2025-11-28", "23:59")) is True
    assert is_open(evening, [], at("2025-11-29", "00:30")) is False


def test_monthly_first_saturday_and_last_friday():
    hours = parse_compact_hours("1sa 10:00-12:00; -1fr 14:00-16:00")
    assert is_open(hours, [], at("2025-12-06", "11:00")) is True  # first Saturday
    assert is_open(hours, [], at("2025-12-13", "11:00")) is False  # second Saturday
    assert is_open(hours, [], at("2025-11-28", "15:00")) is True  # last Friday
    assert is_open(hours, [], at("2025-11-21", "15:00")) is False


def test_validity_period():
    summer = parse_compact_hours("mo-fr 10:00-16:00 (2025-07-01..2025-08-31)")
    assert is_open(summer, [], at("2025-07-01", "11:00")) is True
    assert is_open(summer, [], at("2025-08-29", "11:00")) is True
    assert is_open(summer, [], at("2025-09-01", "11:00")) is False
    open_ended = parse_compact_hours("mo-fr 10:00-16:00 (2025-09-01..)")
    assert is_open(open_ended, [], at("2025-08-29", "11:00")) is False
    assert is_open(open_ended, [], at("2030-01-07", "11:00")) is True


def test_temporary_closure_and_exceptional_hours():
    august = closure("2025-08-01", "2025-08-31")
    assert is_open(WEEKDAYS, [august], at("2025-08-04", "10:00")) is False
    assert is_open(WEEKDAYS, [august], at("2025-09-01", "10:00")) is True
    # A shorter exception inside the closure wins: open that morning only.
    special = closure("2025-08-14", "2025-08-14", "10:00", "11:00")
    assert day_openings(WEEKDAYS, [august, special], date(2025, 8, 14)) == [(time(10), time(11))]
    assert is_open(WEEKDAYS, [august, special], at("2025-08-14", "10:30")) is True
    assert is_open(WEEKDAYS, [august, special], at("2025-08-14", "14:30")) is False


def test_closed_on_public_holidays_unless_an_exception_opens():
    christmas = at("2025-12-25", "10:00")  # a Thursday
    assert is_open(WEEKDAYS, [], christmas) is False
    assert day_openings(WEEKDAYS, [], date(2025, 7, 14)) == []  # Bastille Day, a Monday
    opened = closure("2025-12-25", "2025-12-25", "09:00", "12:00")
    assert is_open(WEEKDAYS, [opened], christmas) is True


def test_services_open_every_day_stay_open_on_holidays():
    shelter = parse_compact_hours("mo-su 18:00-09:00")
    assert is_open(shelter, [], at("2025-12-25", "20:00")) is True
    assert is_open(shelter, [], at("2025-12-26", "08:00")) is True
    closed_for_works = closure("2025-12-25", "2025-12-25")
    assert is_open(shelter, [closed_for_works], at("2025-12-25", "20:00")) is False


def test_compact_syntax_french_days_and_loose_times():
    hours = parse_compact_hours("lu,me,ve 9h-12h30 ; di 20h-8h")
    assert format_compact_hours(hours) == "mo,we,fr 09:00-12:30; su 20:00-08:00"


def test_compact_syntax_ids():
    first = parse_compact_hours("mo-fr 09:00-12:00,14:00-17:00", id_prefix="svc1-hours")
    assert [h.id for h in first] == ["svc1-hours-1", "svc1-hours-2"]
    random_ids = {h.id for h in parse_compact_hours("mo-fr 09:00-12:00,14:00-17:00")}
    assert len(random_ids) == 2 and all(len(i) == 32 for i in random_ids)


def test_compact_syntax_records():
    hours = parse_compact_hours("mo,1sa 10:00-12:00")
    assert [(h.freq, h.byday) for h in hours] == [("WEEKLY", "MO"), ("MONTHLY", "1SA")]
    assert parse_compact_hours("  ") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mo-fx 09:00-12:00", "unknown day 'fx'"),
        ("mo 25:00-26:00", "'25:00' is not a time of day"),
        ("09:00-12:00", "needs days then hours"),
        ("mo 09:00", "should be opening-closing"),
        ("mo 09:00-09:00", "opens and closes at the same time"),
        ("mo 10:00-12:00; tu 8:00-9:00 (2025-13-01..)", "rule 2"),
        ("mo 10:00-12:00 (2025-02-01..2025-01-01)", "ends before it starts"),
        ("0sa 09:00-10:00", "week of the month"),
        ("mo 9:xx-10:00", "'9:xx' is not a time"),
    ],
)
def test_compact_syntax_errors_say_what_and_where(text, message):
    with pytest.raises(HoursSyntaxError, match=message):
        parse_compact_hours(text)


CANONICAL = [
    "mo-fr 09:00-12:00,14:00-17:00; sa 09:00-12:00",
    "mo,we 08:30-11:00; 1sa,-1fr 10:00-12:00 (2025-01-01..)",
    "tu-th 20:00-08:00 (..2026-03-31); su 00:00-24:00",
    "fr-mo 10:00-11:00",
]


@pytest.mark.parametrize("text", CANONICAL)
def test_compact_syntax_round_trip(text):
    expected = text.replace("fr-mo", "mo,fr-su")
    assert format_compact_hours(parse_compact_hours(text)) == expected


RULE = st.builds(
    lambda days, spans: (days, spans),
    st.sets(st.sampled_from(["mo", "tu", "we", "th", "fr", "sa", "su", "1sa", "-1fr"]), min_size=1),
    st.lists(
        st.tuples(st.integers(0, 23), st.sampled_from([0, 15, 30, 45]), st.integers(1, 12)),
        min_size=1,
        max_size=3,
    ),
)


@given(st.lists(RULE, min_size=1, max_size=4))
def test_format_then_parse_is_stable(rules):
    text = "; ".join(
        ",".join(sorted(days))
        + " "
        + ",".join(f"{h:02d}:{m:02d}-{(h + d) % 24:02d}:{m:02d}" for h, m, d in spans)
        for days, spans in rules
    )
    once = format_compact_hours(parse_compact_hours(text))
    assert format_compact_hours(parse_compact_hours(once)) == once


def check_parses_or_says_why(text: str) -> None:
    try:
        hours = parse_compact_hours(text)
    except HoursSyntaxError as error:
        assert str(error)
    else:
        once = format_compact_hours(hours)
        assert format_compact_hours(parse_compact_hours(once)) == once


@given(st.text(max_size=80))
def test_any_text_parses_or_says_why(text):
    check_parses_or_says_why(text)


@given(st.text(alphabet="motuwefrsalj0123456789:-,;h() .\n", max_size=60))
def test_near_miss_syntax_parses_or_says_why(text):
    check_parses_or_says_why(text)


def test_rules_a_compact_edit_leaves_as_they_were_keep_their_note_and_place():
    current = [
        make_hours("s", "FR,MO,TU,WE,TH", time(9), time(12), note="sauf vacances",
                   location_id="loc-s"),
        make_hours("s", "SA", time(10), time(12), 1, note="été", valid_from=date(2026, 7, 1),
                   valid_to=date(2026, 8, 31)),
    ]  # fmt: skip
    typed = parse_compact_hours("mo-fr 09:00-12:00; sa 10:00-12:00 (2026-07-01..); su 10:00-11:00")
    kept = keep_unchanged(current, typed)
    assert kept[0] is current[0]  # same days, times and period: note, place and id stay
    assert kept[1:] == typed[1:]  # another period on Saturday is a new rule, as is Sunday
    assert format_compact_hours(kept) == format_compact_hours(typed)
    assert keep_unchanged(current, [*typed[:1], *typed[:1]])[1] is typed[0]  # each kept once


@pytest.mark.parametrize(
    ("text", "compact"),
    [
        ("lundi au vendredi de 9h a 17h", "mo-fr 09:00-17:00"),
        ("du lundi au vendredi 9h-12h 14h-17h", "mo-fr 09:00-12:00,14:00-17:00"),
        ("lun-ven 9h-17h", "mo-fr 09:00-17:00"),
        ("samedi matin 9h a 12h", "sa 09:00-12:00"),
        (
            "Lundi, mercredi et vendredi de 9h à 12h et de 14h à 17h",
            "mo,we,fr 09:00-12:00,14:00-17:00",
        ),
        (
            "du lundi au vendredi de 9h à 17h et le samedi matin de 9h à midi",
            "mo-fr 09:00-17:00; sa 09:00-12:00",
        ),
        ("tous les jours sauf dimanche 8h-20h", "mo-sa 08:00-20:00"),
        ("lundi au vendredi 9h-17h, samedi fermé", "mo-fr 09:00-17:00"),
        (
            "9h-17h du lundi au vendredi (2026-07-01..2026-08-31)",
            "mo-fr 09:00-17:00 (2026-07-01..2026-08-31)",
        ),
        ("Monday to Friday 9am-5pm", "mo-fr 09:00-17:00"),
        ("Saturday 9am-12pm; Sunday 2-5pm", "sa 09:00-12:00; su 14:00-17:00"),
        ("lunes a viernes de 9 a 17", "mo-fr 09:00-17:00"),
        ("понеділок-п’ятниця 9:00-17:00", "mo-fr 09:00-17:00"),
        ("lundi 21h-8h", "mo 21:00-08:00"),
    ],
)
def test_hours_written_as_people_write_them(text, compact):
    assert format_compact_hours(parse_compact_hours(text)) == compact


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("samedi matin", "the times are missing for sa"),
        ("le matin", "needs days then hours"),
        ("lundi 9h-12h sauf truc", "'truc' is not a day or a time"),
        ("lu-ve 9h", "'9h' should be opening-closing"),
        ("du lundi au vendredi 9h-25h", "'25:00' is not a time of day"),
    ],
)
def test_hours_left_ambiguous_say_what_is_missing(text, message):
    with pytest.raises(HoursSyntaxError, match=message):
        parse_compact_hours(text)


DECEMBER_7 = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("text", "periods"),
    [
        ("fermé du 24/12 au 2/1", [("2026-12-24", "2027-01-02")]),
        ("closed 15 August", [("2027-08-15", "2027-08-15")]),
        ("fermé tout le mois d'août", [("2027-08-01", "2027-08-31")]),
        ("du 1/12 au 10/12", [("2026-12-01", "2026-12-10")]),  # under way: this year
        ("24 et 25 décembre", [("2026-12-24", "2026-12-25")]),
        (
            "le 25/12, le 1/1 et le 15/8",
            [
                ("2026-12-25", "2026-12-25"),
                ("2027-01-01", "2027-01-01"),
                ("2027-08-15", "2027-08-15"),
            ],
        ),
        ("2026-12-24..2027-01-02", [("2026-12-24", "2027-01-02")]),
        ("cerrado del 24 de diciembre al 2 de enero", [("2026-12-24", "2027-01-02")]),
        ("février 2027", [("2027-02-01", "2027-02-28")]),
    ],
)
def test_closures_written_as_people_write_them(text, periods):
    expected = [(date.fromisoformat(a), date.fromisoformat(b)) for a, b in periods]
    assert parse_closures(text, DECEMBER_7) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fermé sauf lundi", "'sauf' is not a date"),
        ("31/02", "'31/02' is not a date"),
        ("le 25", "which month"),
        ("15/08/2025", "is over"),
        ("du 1/1/2027 au 31/12/2028", "longer than a year"),
        ("du 2/1/2027 au 1/1/2027", "ends before it starts"),
    ],
)
def test_closures_refused_say_why(text, message):
    with pytest.raises(HoursSyntaxError, match=message):
        parse_closures(text, DECEMBER_7)


@given(st.text(max_size=60))
def test_any_closure_text_reads_or_says_why(text):
    try:
        parse_closures(text, DECEMBER_7)
    except HoursSyntaxError as error:
        assert str(error)
