"""Opening hours: "is it open at this moment?", a day's openings, and the compact syntax.

Rules (Europe/Paris wall-clock time):
- A weekly opening applies on its days (`byday` "MO,TU"); a monthly one on the n-th weekday of
  the month (`1SA` first Saturday, `-1FR` last Friday), as in HSDS/iCalendar.
- `closes_at` earlier than `opens_at` is an overnight opening: open from `opens_at` on that day
  until `closes_at` the next morning (Monday 20:00-08:00 is open on Tuesday at 02:00). The night
  belongs to the day it starts: a closure or holiday on the next day does not cut it short.
  `opens_at == closes_at` (written `00:00-24:00`) means open around the clock.
- `valid_from`/`valid_to` (inclusive) bound the period a rule applies (summer hours).
- Exceptions (inclusive dates) override the weekly rules: without times the service is closed
  those days (temporary closure); with times those are the day's only hours. When several
  exceptions cover a day, the one with the shortest period wins (an opening on 15 August inside
  a closure for all of August).
- Our rule for French public holidays (`holidays` package): closed, unless an exception gives
  hours for that day, or the opening runs every day of the week (`MO..SU`: a night shelter or a
  daily meal is taken to open on holidays too; telling someone sleeping outside that the shelter
  is closed on Christmas would be the worse mistake). Most other services close on holidays.

OpenStreetMap syntax (`Service.opening_hours_osm`, as open data gives it: "Mo-Fr 09:00-12:00;
PH off") is kept whole and evaluated by opening-hours-py, French public holidays included, so
what our rules cannot hold (PH, week numbers, months) still reads right. OSM hours follow their
own text on public holidays (no rule of ours is added). Precedence for a day: an exception, else
the compact rules (an administrator's edit), else the OSM text.

Compact syntax (admin CSV and the /add conversation), rules separated by `;` or new lines:

    mo-fr 09:00-12:00,14:00-17:00; sa 09:00-12:00
    lu,me,ve 9h-12h ; 1sa 10:00-12:00 ; -1fr 14:00-16:00 ; su 20:00-08:00
    mo-fr 09:00-17:00 (2025-07-01..2025-08-31)

Days: mo tu we th fr sa su, or French lu ma me je ve sa di (three letters and full names in
either language also work); ranges `mo-fr`, lists `mo,we`; monthly `1sa`, `2tu`, `-1fr`.
Times: `09:00`, `9:00`, `9h`, `9h30`; `24:00` closes at midnight. An optional period in
brackets `(from..to)`, either side may be empty.

A rule the compact syntax cannot read is read again as people write hours (`_natural_rules`):
"du lundi au vendredi de 9h à 17h", "lun-ven 9h-12h 14h-17h", "samedi matin 9h a 12h",
"lundi au vendredi 9h-17h, samedi 9h-12h", "tous les jours sauf dimanche 8h-20h", "9am-5pm"
(words in data/hours_words.json, day names of every bot language from CLDR). What stays
ambiguous ("samedi matin" without times) is refused, saying what is missing.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from holidays import HolidayBase
from holidays.countries.france import France
from opening_hours import OpeningHours as OsmHours
from opening_hours import ParserError, State  # type: ignore[attr-defined]  # not in its stub

from catalogue.models import HoursException, OpeningHours
from catalogue.taxonomy import LANGUAGES
from catalogue.text import N_

PARIS = ZoneInfo("Europe/Paris")

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES = (
    ("mo", "lu", "mon", "lun", "monday", "lundi"),
    ("tu", "ma", "tue", "mar", "tuesday", "mardi"),
    ("we", "me", "wed", "mer", "wednesday", "mercredi"),
    ("th", "je", "thu", "jeu", "thursday", "jeudi"),
    ("fr", "ve", "fri", "ven", "friday", "vendredi"),
    ("sa", "sam", "sat", "saturday", "samedi"),
    ("su", "di", "sun", "dim", "sunday", "dimanche"),
)
_DAY_INDEX = {name: index for index, names in enumerate(_DAY_NAMES) for name in names}
_MIDNIGHT = time(0, 0)


class Days(str):
    """Day codes given to a message ("mo", "MO,TU,WE", "1SA"): the bot names them in the reader's
    language ("Monday"); the command line says them as they are."""


class HoursSyntaxError(ValueError):
    """A compact-hours text that cannot be read; the message says what and where. `message`
    (English, marked for translation) and `params` let the bot say it in the admin's language."""

    def __init__(self, where: str, message: str, **params: str) -> None:
        self.message, self.params = message, params
        self.rule: tuple[int, str] | None = None  # (number, text) of the rule among several
        super().__init__(f"{where}: {message.format(**params)}")


# --------------------------------------------------------------------------- is it open?


def _weekday_rules(rule: OpeningHours) -> tuple[tuple[int, int | None], ...]:
    """(weekday index, n-th of month or None for weekly) for each byday item."""
    return _parse_byday(rule.byday or "")


@lru_cache(maxsize=1024)
def _parse_byday(byday: str) -> tuple[tuple[int, int | None], ...]:
    """`_weekday_rules` of one `byday` text (a catalogue has few distinct ones: read once)."""
    items = [item.strip().upper() for item in byday.split(",") if item.strip()]
    if not items:  # no day given: every day
        return tuple((index, None) for index in range(7))
    parsed = []
    for item in items:
        match = re.fullmatch(r"([+-]?\d)?([A-Z]{2})", item)
        if match is None or match.group(2) not in DAY_CODES:
            continue  # an unreadable item never opens anything
        # A numbered day is monthly even if `freq` says otherwise: the safer reading.
        nth = int(match.group(1)) if match.group(1) else None
        parsed.append((DAY_CODES.index(match.group(2)), nth))
    return tuple(parsed)


def _every_day(rule: OpeningHours) -> bool:
    return _runs_every_day(rule.byday or "")


@lru_cache(maxsize=1024)
def _runs_every_day(byday: str) -> bool:
    return {(index, None) for index in range(7)} <= set(_parse_byday(byday))


def _nth_of_month(day: date) -> tuple[int, int]:
    """Which occurrence of its weekday `day` is, counted from the start and from the end."""
    following = day + timedelta(days=7)
    from_end = -1
    while following.month == day.month:
        from_end -= 1
        following += timedelta(days=7)
    return (day.day - 1) // 7 + 1, from_end


def _applies(rule: OpeningHours, day: date, *, sure: bool = True) -> bool:
    """Whether the rule opens on `day`. A rule with a recurrence part Relais cannot evaluate
    never does when `sure` (its hours are "to confirm", see `hours_to_confirm`)."""
    if rule.valid_from is not None and day < rule.valid_from:
        return False
    if rule.valid_to is not None and day > rule.valid_to:
        return False
    if not _on_weekday(rule, day):
        return False
    text = getattr(rule, "recurrence", None)
    if not text:
        return True
    recurrence = read_recurrence(text, rule.freq)
    if sure and recurrence.unsure:
        return False
    last = _last_occurrence(rule.freq, rule.byday or "", text) if recurrence.count else None
    return _recurs(recurrence, rule.freq, day) and (last is None or day <= last)


def _on_weekday(rule: OpeningHours, day: date) -> bool:
    weekday = day.weekday()
    return any(
        index == weekday and (nth is None or nth in _nth_of_month(day))
        for index, nth in _weekday_rules(rule)
    )


# --------------------------------------------------------------------------- HSDS recurrence

# The iCalendar (RFC 5545) parts an HSDS schedule may give beyond `freq` and `byday`, kept in
# `OpeningHours.recurrence` as `NAME=value;…`; HSDS names them in lower case.
RECURRENCE_PARTS = ("DTSTART", "UNTIL", "COUNT", "INTERVAL", "WKST", "BYWEEKNO", "BYMONTHDAY",
                    "BYYEARDAY", "TIMEZONE")  # fmt: skip
PARIS_OFFSETS = (1, 2)  # a `timezone` (hours from UTC) Paris wall-clock times can have
_COUNT_HORIZON = 3660  # days walked to find where a COUNT ends (ten years: past it, no end)


@dataclass(frozen=True)
class Recurrence:
    """What `RECURRENCE_PARTS` say, read with their RFC 5545 meaning; `unsure` names (as HSDS
    does) the parts Relais cannot evaluate, which make the rule's hours "to confirm"."""

    dtstart: date | None = None  # the first occurrence: none before it
    until: date | None = None  # the last possible occurrence, inclusive
    count: int | None = None  # occurrences from dtstart (dtstart counts as the first)
    interval: int = 1  # every n-th week (WEEKLY) or month (MONTHLY), counted from dtstart
    wkst: int = 0  # the day weeks start on (for INTERVAL), Monday by default
    weeknos: tuple[int, ...] = ()  # ISO weeks of the year, -1 the last (WEEKLY)
    monthdays: tuple[int, ...] = ()  # days of the month, -1 the last (MONTHLY, with byday)
    unsure: tuple[str, ...] = ()


def recurrence_text(fields: dict[str, object]) -> str | None:
    """The parts of an HSDS schedule beyond its days as one text; None when it gives none."""
    parts = [
        f"{name}={str(value).strip().replace(';', ',')}" for name in RECURRENCE_PARTS
        if (value := fields.get(name.lower())) is not None and str(value).strip()
    ]  # fmt: skip
    return ";".join(parts) or None


@lru_cache(maxsize=1024)
def read_recurrence(text: str | None, freq: str) -> Recurrence:
    """The recurrence of a rule: what is simple and well defined is evaluated (first and last
    date, every n-th week or month from dtstart, a count of occurrences from dtstart, ISO week
    numbers, days of the month); anything else, or a value that cannot be read, is `unsure`."""
    parts = dict(part.split("=", 1) for part in (text or "").split(";") if "=" in part)
    unsure: list[str] = []

    def read(name: str, reader: Callable[[str], Any], default: Any = None) -> Any:
        if name not in parts:
            return default
        value = reader(parts[name].strip())
        if value is None:
            unsure.append(name.lower())
            return default
        return value

    dtstart, until = read("DTSTART", _ical_date), read("UNTIL", _ical_date)
    count = read("COUNT", _positive)
    interval = read("INTERVAL", _positive, 1)
    wkst = read("WKST", lambda v: DAY_CODES.index(v.upper()) if v.upper() in DAY_CODES else None,
                0)  # fmt: skip
    weeknos = read("BYWEEKNO", lambda v: _day_numbers(v, 53), ())
    monthdays = read("BYMONTHDAY", lambda v: _day_numbers(v, 31), ())
    if "BYYEARDAY" in parts:  # only defined for YEARLY rules, which HSDS and Relais do not read
        unsure.append("byyearday")
    if "TIMEZONE" in parts and _number(parts["TIMEZONE"]) not in PARIS_OFFSETS:
        unsure.append("timezone")  # times are read as Paris time: another offset shifts them
    # What cannot be evaluated is left out of the reading (the hours to confirm still follow the
    # rest) and named in `unsure`.
    if dtstart is None:  # both are counted from the first occurrence
        unsure += [name for name, given in (("interval", interval > 1), ("count", count)) if given]
        interval, count = 1, None
    if weeknos and (freq != "WEEKLY" or wkst != 0):  # ISO weeks are RFC 5545 weeks from Monday
        unsure.append("byweekno")
        weeknos = ()
    if monthdays and freq != "MONTHLY":
        unsure.append("bymonthday")
        monthdays = ()
    return Recurrence(dtstart, until, count, interval, wkst, weeknos, monthdays,
                      tuple(dict.fromkeys(unsure)))  # fmt: skip


def unsure_parts(rule: OpeningHours) -> tuple[str, ...]:
    """The recurrence parts of the rule Relais cannot evaluate (HSDS names); () for none."""
    text = getattr(rule, "recurrence", None)
    return read_recurrence(text, rule.freq).unsure if text else ()


def _ical_date(value: str) -> date | None:
    """`2026-10-01`, `20261001` or either with a time after it (`…T090000Z`): the date."""
    digits = value[:10].replace("-", "") if "-" in value[:10] else value[:8]
    try:
        return (
            date(int(digits[:4]), int(digits[4:6]), int(digits[6:8])) if len(digits) == 8 else None
        )
    except ValueError:
        return None


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def _positive(value: str) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number >= 1 and number == int(number) else None


def _day_numbers(value: str, most: int) -> tuple[int, ...] | None:
    """`41,42` or `1,-1`: numbers from 1 to `most`, or counted back from the end."""
    numbers = []
    for item in value.split(","):
        item = item.strip()
        if not re.fullmatch(r"[+-]?\d{1,2}", item) or not 1 <= abs(int(item)) <= most:
            return None
        numbers.append(int(item))
    return tuple(numbers) or None


def _recurs(recurrence: Recurrence, freq: str, day: date) -> bool:
    """Whether `day` (already one of the rule's weekdays) is an occurrence, COUNT aside."""
    r = recurrence
    if r.dtstart is not None and day < r.dtstart or r.until is not None and day > r.until:
        return False
    if r.interval > 1 and r.dtstart is not None:
        if freq == "MONTHLY":
            months = (day.year - r.dtstart.year) * 12 + day.month - r.dtstart.month
            if months % r.interval:
                return False
        else:

            def week_start(d: date) -> date:
                return d - timedelta(days=(d.weekday() - r.wkst) % 7)

            if (week_start(day) - week_start(r.dtstart)).days // 7 % r.interval:
                return False
    if r.weeknos:
        week, weeks = (
            day.isocalendar().week,
            date(day.isocalendar().year, 12, 28).isocalendar().week,
        )
        if week not in r.weeknos and week - weeks - 1 not in r.weeknos:
            return False
    if r.monthdays:
        following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        if day.day not in r.monthdays and day.day - (following - timedelta(days=1)).day - 1 \
                not in r.monthdays:  # fmt: skip
            return False
    return True


@lru_cache(maxsize=1024)
def _last_occurrence(freq: str, byday: str, text: str) -> date | None:
    """The date of the COUNT-th occurrence (dtstart is the first, RFC 5545); None past ten
    years. Read once per rule text."""
    r = read_recurrence(text, freq)
    assert r.dtstart is not None and r.count is not None  # else the rule is unsure
    rule = OpeningHours(id="", service_id="", freq=freq, byday=byday, opens_at=_MIDNIGHT,
                        closes_at=_MIDNIGHT)  # fmt: skip
    seen = 1
    for offset in range(1, _COUNT_HORIZON):
        if seen >= r.count:
            break
        day = r.dtstart + timedelta(days=offset)
        if _on_weekday(rule, day) and _recurs(r, freq, day):
            seen += 1
    else:
        return None
    return day if r.count > 1 else r.dtstart


@cache
def _french_holidays(year: int) -> HolidayBase:
    # The country's class itself: `holidays.country_holidays` loads all 250 countries (0.5 s).
    return France(years=year)


@lru_cache(maxsize=4096)
def is_public_holiday(day: date) -> bool:
    """A French public holiday (metropolitan France)."""
    return day in _french_holidays(day.year)


def _knows_hours(hours: Sequence[OpeningHours], exceptions: Sequence[HoursException]) -> bool:
    return bool(hours) or any(_has_times(e) for e in exceptions)


@lru_cache(maxsize=4096)
def osm_hours(text: str) -> OsmHours | None:
    """The OSM opening_hours text read (Paris time, French holidays); None when it is not
    OSM syntax ("sur rendez-vous uniquement"), which callers keep as a note instead."""
    try:
        return OsmHours(text, timezone=PARIS, country="FR")
    except ParserError:
        return None


def _osm_day(osm: OsmHours, day: date) -> list[tuple[time, time]] | None:
    """The openings of an OSM text that start on `day`, in our (opens, closes) form: an opening
    past midnight ends on the next day, one of 24 hours or more is (00:00, 00:00). None when the
    text says the state is unknown that day."""
    start = datetime.combine(day, _MIDNIGHT, PARIS)
    since = start - timedelta(days=1)
    openings = []
    for opens, closes, state, _comment in osm.intervals(since, start + timedelta(days=2)):
        if state == State.UNKNOWN and opens < start + timedelta(days=1) and closes > start:
            return None
        if state != State.OPEN or closes <= start or opens >= start + timedelta(days=1):
            continue
        if opens < start and opens > since:  # a night that began the day before
            continue
        if closes - max(opens, start) >= timedelta(days=1):
            openings.append((_MIDNIGHT, _MIDNIGHT))
        else:
            openings.append((max(opens, start).time(), closes.time()))
    return sorted(set(openings))


def _has_times(exception: HoursException) -> bool:
    return _times(exception) is not None


def _times(exception: HoursException) -> tuple[time, time] | None:
    """The exceptional hours of a day, or None for a closure."""
    if exception.opens_at is None or exception.closes_at is None:
        return None
    return exception.opens_at, exception.closes_at


def day_openings(
    hours: Sequence[OpeningHours],
    exceptions: Sequence[HoursException],
    day: date,
    osm: str | None = None,
) -> list[tuple[time, time]] | None:
    """The openings that start on `day`, sorted; [] when closed; None when no hours are known.

    An overnight opening appears as (20:00, 08:00) on the day it starts. `osm` is the
    service's OpenStreetMap text, used when no compact rule is given.
    """
    read = osm_hours(osm) if osm and not hours else None
    if read is None and not _knows_hours(hours, exceptions):
        return None
    covering = [e for e in exceptions if e.starts_on <= day <= e.ends_on]
    if covering:
        shortest = min(e.ends_on - e.starts_on for e in covering)
        chosen = [e for e in covering if e.ends_on - e.starts_on == shortest]
        return sorted(times for e in chosen if (times := _times(e)) is not None)
    if read is not None:
        return _osm_day(read, day)
    holiday = is_public_holiday(day)
    return sorted(
        {
            (r.opens_at, r.closes_at)
            for r in hours
            if _applies(r, day) and (not holiday or _every_day(r))
        }
    )


def _local(at: datetime) -> datetime:
    """Paris wall-clock time; a naive datetime is taken as Paris time already."""
    return at.replace(tzinfo=PARIS) if at.tzinfo is None else at.astimezone(PARIS)


def is_open(
    hours: Sequence[OpeningHours],
    exceptions: Sequence[HoursException],
    at: datetime,
    osm: str | None = None,
) -> bool | None:
    """Whether the service is open at `at`; None when no hours are known."""
    local = _local(at)
    today, now = local.date(), local.time()
    openings = day_openings(hours, exceptions, today, osm)
    if openings is None:
        return None
    for opens, closes in openings:
        if opens <= now and (now < closes or closes <= opens):
            return True
    for opens, closes in day_openings(hours, exceptions, today - timedelta(days=1), osm) or []:
        if closes <= opens and now < closes:  # the night that started yesterday
            return True
    for opens, closes in hours_to_confirm(hours, exceptions, today):
        if opens <= now and (now < closes or closes <= opens):
            return None  # it may be open: never say closed, nor open
    for opens, closes in hours_to_confirm(hours, exceptions, today - timedelta(days=1)):
        if closes <= opens and now < closes:
            return None
    return False


def hours_to_confirm(
    hours: Sequence[OpeningHours], exceptions: Sequence[HoursException], day: date
) -> list[tuple[time, time]]:
    """The openings on `day` of rules whose recurrence Relais cannot evaluate (`unsure_parts`):
    they may apply, so they are shown as hours to confirm with the service and never make
    "open now" true. An exception on the day and public holidays rule them out as for others."""
    unsure = [r for r in hours if getattr(r, "recurrence", None) and unsure_parts(r)]
    if not unsure or any(e.starts_on <= day <= e.ends_on for e in exceptions):
        return []
    holiday = is_public_holiday(day)
    return sorted({(r.opens_at, r.closes_at) for r in unsure
                   if _applies(r, day, sure=False) and (not holiday or _every_day(r))})  # fmt: skip


def next_change(
    hours: Sequence[OpeningHours],
    exceptions: Sequence[HoursException],
    at: datetime,
    osm: str | None = None,
) -> datetime | None:
    """When the open/closed state of `is_open` next changes, within a week; None if unknown
    or never. Read from the week's openings, so exceptions and rules count as in `is_open`."""
    state = is_open(hours, exceptions, at, osm)
    if state is None:
        return None
    local = _local(at)
    edges = []
    for offset in range(-1, 8):
        day = local.date() + timedelta(days=offset)
        for opens, closes in day_openings(hours, exceptions, day, osm) or []:
            start = datetime.combine(day, opens, PARIS)
            end_day = day + timedelta(days=1) if closes <= opens else day
            edges += [start, datetime.combine(end_day, closes, PARIS)]
    later = sorted(e for e in edges if e > local)
    return next((e for e in later if is_open(hours, exceptions, e, osm) != state), None)


# --------------------------------------------------------------------------- compact syntax

_TIME = re.compile(r"(\d{1,2})(?:[:hH.](\d{2})?)?")
_PERIOD = re.compile(r"\(\s*([0-9-]*)\s*\.\.\s*([0-9-]*)\s*\)\s*$")


@dataclass(frozen=True)
class _Rule:
    days: tuple[tuple[int, int | None], ...]
    spans: tuple[tuple[time, time], ...]
    valid_from: date | None
    valid_to: date | None


def _parse_time(text: str, where: str, *, closing: bool) -> time:
    match = _TIME.fullmatch(text)
    if match is None:
        raise HoursSyntaxError(where, N_("'{text}' is not a time (write 09:00 or 9h30)"), text=text)
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if closing and (hour, minute) == (24, 0):
        return _MIDNIGHT
    if hour > 23 or minute > 59:
        raise HoursSyntaxError(
            where, N_("'{text}' is not a time of day (00:00 to 23:59)"), text=text
        )
    return time(hour, minute)


def _parse_span(text: str, where: str) -> tuple[time, time]:
    parts = re.split(r"\s*[-–]\s*", text.strip())
    if len(parts) != 2 or not all(parts):
        raise HoursSyntaxError(
            where, N_("'{text}' should be opening-closing, e.g. 09:00-12:00"), text=text
        )
    opens = _parse_time(parts[0], where, closing=False)
    closes = _parse_time(parts[1], where, closing=True)
    if opens == closes and opens != _MIDNIGHT:
        raise HoursSyntaxError(where, N_("'{text}' opens and closes at the same time"), text=text)
    return opens, closes


def _day_index(name: str, where: str) -> int:
    index = _DAY_INDEX.get(name.lower())
    if index is None:
        raise HoursSyntaxError(
            where,
            N_("unknown day '{name}' (use mo tu we th fr sa su, or lu ma me je ve sa di)"),
            name=name,
        )
    return index


def _parse_days(text: str, where: str) -> list[tuple[int, int | None]]:
    days: list[tuple[int, int | None]] = []
    for item in text.split(","):
        item = item.strip()
        monthly = re.fullmatch(r"([+-]?\d)\s*([^\W\d_]+)", item)
        if monthly:
            nth = int(monthly.group(1))
            if nth == 0 or not -5 <= nth <= 5:
                raise HoursSyntaxError(
                    where, N_("'{item}': the week of the month is 1 to 5 or -1"), item=item
                )
            days.append((_day_index(monthly.group(2), where), nth))
            continue
        bounds = [b.strip() for b in re.split(r"[-–]", item)]
        if len(bounds) > 2 or not all(bounds):
            raise HoursSyntaxError(
                where, N_("'{item}' is not a day or a range like mo-fr"), item=item
            )
        first, last = (_day_index(b, where) for b in (bounds[0], bounds[-1]))
        span = range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
        days.extend((index, None) for index in span)
    return list(dict.fromkeys(days))


def _parse_date(text: str, where: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HoursSyntaxError(
            where, N_("'{text}' is not a date (write 2025-07-01)"), text=text
        ) from None


def _parse_rule(text: str, where: str) -> _Rule:
    valid_from = valid_to = None
    period = _PERIOD.search(text)
    if period:
        valid_from = _parse_date(period.group(1), where)
        valid_to = _parse_date(period.group(2), where)
        if valid_from and valid_to and valid_to < valid_from:
            raise HoursSyntaxError(where, N_("the period ends before it starts"))
        text = text[: period.start()]
    match = re.match(r"\s*(.*?)\s+(\d.*)$", text)
    if match is None:
        raise HoursSyntaxError(
            where, N_("'{text}' needs days then hours, e.g. mo-fr 09:00-12:00"), text=text.strip()
        )
    days = _parse_days(match.group(1), where)
    spans = [_parse_span(span, where) for span in match.group(2).split(",")]
    return _Rule(tuple(days), tuple(sorted(spans)), valid_from, valid_to)


_WORDS_FILE = Path(__file__).parent / "data" / "hours_words.json"
_NATURAL_TOKEN = re.compile(
    r"(?P<monthly>(?<!\w)[+-]?\d(?=[^\W\d_])(?![ap]\.?m\b|h))"
    r"|(?P<time>\d{1,2}(?:\s*(?:[h:.]\d{2}|h(?![^\W\d_])))?(?:\s*[ap]\.?m\b\.?)?)"
    r"|(?P<dash>[-–—])|(?P<sep>[,/&+])|(?P<word>[^\W\d_]+)|(?P<skip>[\s'’.:;()!]+)|(?P<other>.)"
)


@cache
def _natural_words() -> tuple[dict[str, str], dict[str, int]]:
    """(word -> its kind or time, day name -> weekday index): the data file's words, and the
    day names of every bot language (CLDR, wide and abbreviated) unless two languages give
    one name to different days."""
    data = json.loads(_WORDS_FILE.read_text(encoding="utf-8"))
    kinds = {w: kind for kind in ("range", "list", "filler", "daypart", "closed", "except")
             for w in data[kind]}  # fmt: skip
    kinds.update(data["times"])
    days: dict[str, set[int]] = {name: {index} for name, index in _DAY_INDEX.items()}
    for lang in LANGUAGES:
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for index, name in Locale.parse(lang).days[context][width].items():
                    days.setdefault(name.lower().strip("."), set()).add(index)
    return kinds, {name: found.pop() for name, found in days.items() if len(found) == 1}


@cache
def _phrases() -> tuple[tuple[str, str], ...]:
    data = json.loads(_WORDS_FILE.read_text(encoding="utf-8"))["phrases"]
    return tuple(sorted(data.items(), key=lambda item: -len(item[0])))


def _natural_time(text: str) -> str:
    """ "9h", "9 h 30", "17:45", "5pm" -> "09:00", "09:30", "17:45", "17:00" (not yet checked:
    the compact reading says what is wrong with "25h")."""
    digits = re.findall(r"\d+", text)
    hour, minute = int(digits[0]), int(digits[1]) if len(digits) > 1 else 0
    suffix = re.sub(r"[^ap]", "", text.lower().replace("h", ""))[-1:]
    if suffix == "p" and hour < 12:
        hour += 12
    elif suffix == "a" and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}"


def _afternoon(opens: str, closes: str, closes_text: str) -> str:
    """ "2-5pm": the opening is in the afternoon too when only the closing says pm."""
    hour = int(opens[:2])
    if "p" in closes_text.lower() and hour < 12 and hour + 12 <= int(closes[:2]):
        return f"{hour + 12:02d}{opens[2:]}"
    return opens


@dataclass
class _Said:
    """One rule as it is being read: days, days taken out, spans, and what was said."""

    days: list[int]
    spans: list[tuple[str, str]]
    excluded: set[int]
    closed: bool = False
    excluding: bool = False
    vague: bool = False  # "matin": a part of the day, not a time

    def compact(self, where: str, period: str, chunk: str) -> str | None:
        days = [d for d in dict.fromkeys(self.days) if d not in self.excluded]
        if not self.spans and (self.closed or not (days or self.vague)):
            return None  # "dimanche fermé": no opening
        if not self.spans and days:
            named = ",".join(DAY_CODES[d].lower() for d in days)
            raise HoursSyntaxError(
                where,
                N_("the times are missing for {days} (e.g. {example})"),
                days=Days(named),
                example=f"{named} 09:00-12:00",
            )
        if not days or not self.spans:
            spans = ",".join(f"{o}-{c}" for o, c in self.spans) or chunk
            raise HoursSyntaxError(
                where, N_("'{text}' needs days then hours, e.g. mo-fr 09:00-12:00"), text=spans
            )
        codes = ",".join(DAY_CODES[d].lower() for d in days)
        return f"{codes} {','.join(f'{o}-{c}' for o, c in self.spans)} {period}".strip()


def _natural_rules(text: str, where: str) -> list[str] | None:
    """Hours as people write them, as compact rules ("mo,tu,we,th,fr 09:00-17:00"); None when
    the text has no word of that kind (the compact reading's error then says what is wrong).
    Raises HoursSyntaxError for what stays ambiguous."""
    kinds, day_names = _natural_words()
    chunk, period = text.strip(), _PERIOD.search(text)
    period_text = period.group(0).strip() if period else ""
    text = " " + (text[: period.start()] if period else text).lower() + " "
    text = re.sub(r"(?<=[а-яіїєґ])['’](?=[а-яіїєґ])", "ʼ", text)  # пʼятниця, as CLDR writes it
    natural = False
    for phrase, days in _phrases():
        if f" {phrase} " in text or f" {phrase}," in text:
            text, natural = text.replace(f" {phrase}", f" {days}"), True
    said, rules = _Said([], [], set()), []
    pending: str | None = None
    joined: str | None = None  # "range" or "list" since the last day or time
    last: str | None = None  # "day" or "time"

    def finish() -> None:
        nonlocal said, pending
        if pending is not None:
            raise HoursSyntaxError(
                where, N_("'{text}' should be opening-closing, e.g. 09:00-12:00"), text=pending
            )
        rules.append(said)
        said = _Said([], [], set())

    for match in _NATURAL_TOKEN.finditer(text):
        kind, value = match.lastgroup, match.group()
        if kind == "word" and value in day_names or kind == "monthly":
            if kind == "monthly":
                return None  # "1sa": only the compact syntax has monthly days
            index, natural = day_names[value], natural or value not in _DAY_INDEX
            if said.spans and said.days and last == "time":
                finish()
            target = said.excluded if said.excluding else said.days
            if joined == "range" and last == "day" and (said.days or said.excluded):
                first = said.days[-1] if not said.excluding else max(said.excluded)
                span = (
                    range(first, index + 1)
                    if first <= index
                    else [*range(first, 7), *range(index + 1)]
                )
                target.extend(span) if isinstance(target, list) else target.update(span)
            elif isinstance(target, list):
                target.append(index)
            else:
                target.add(index)
            joined, last = None, "day"
        elif kind == "time" or (kind == "word" and ":" in kinds.get(value, "")):
            moment = kinds[value] if kind == "word" else _natural_time(value)
            natural = natural or kind == "word" or _TIME.fullmatch(value) is None  # 9am, 9 h
            if pending is not None and joined == "range":
                said.spans.append((_afternoon(pending, moment, value), moment))
                pending = None
            elif pending is not None:
                raise HoursSyntaxError(
                    where, N_("'{text}' should be opening-closing, e.g. 09:00-12:00"), text=pending
                )
            else:
                pending = moment
            joined, last = None, "time"
        elif kind == "dash" or kinds.get(value) == "range":
            natural, joined = natural or kind == "word", "range"
        elif kind == "sep" or kinds.get(value) == "list":
            natural, joined = natural or kind == "word", joined or "list"
        elif kind == "word" and value in kinds:
            natural = True
            if kinds[value] == "except":
                said.excluding = True
            elif kinds[value] == "closed":
                said.closed = True
            elif kinds[value] == "daypart":
                said.vague = True
        elif kind == "word" or kind == "other":
            if not natural:
                return None
            raise HoursSyntaxError(where, N_("'{word}' is not a day or a time"), word=value)
    if not natural:
        return None
    finish()
    return [rule for said in rules if (rule := said.compact(where, period_text, chunk))]


def _read_rule(chunk: str, where: str) -> list[_Rule]:
    """A rule in the compact syntax, else as people write hours (maybe several rules)."""
    try:
        return [_parse_rule(chunk, where)]
    except HoursSyntaxError as compact:
        written = _natural_rules(chunk, where)
        if written is None:
            raise compact from None
    return [_parse_rule(text, where) for text in written]


HoursRule = tuple[str, str, time, time, date | None, date | None]  # freq, byday, opens, closes,
# valid_from, valid_to


@lru_cache(maxsize=4096)
def compact_rules(text: str) -> tuple[HoursRule, ...]:
    """The compact syntax read into (freq, byday, opens, closes, valid_from, valid_to), one per
    time span and kind (weekly days together, monthly days together). Raises HoursSyntaxError.
    Remembered: an import's thousands of rows share a few dozen texts."""
    rules: list[HoursRule] = []
    chunks = [c.strip() for c in re.split(r"[;\n]", text or "")]
    for number, chunk in enumerate(chunks, start=1):
        if not chunk:
            continue
        where = f"rule {number} ('{chunk}')" if len(chunks) > 1 else f"'{chunk}'"
        try:
            read = _read_rule(chunk, where)
        except HoursSyntaxError as exc:
            exc.rule = (number, chunk) if len(chunks) > 1 else None
            raise
        for rule in read:
            weekly = [DAY_CODES[i] for i, nth in rule.days if nth is None]
            monthly = [f"{nth}{DAY_CODES[i]}" for i, nth in rule.days if nth is not None]
            for freq, byday in (("WEEKLY", weekly), ("MONTHLY", monthly)):
                if byday:
                    rules.extend((freq, ",".join(byday), opens, closes, rule.valid_from,
                                  rule.valid_to) for opens, closes in rule.spans)  # fmt: skip
    return tuple(rules)


def parse_compact_hours(
    text: str, *, service_id: str = "", id_prefix: str | None = None
) -> list[OpeningHours]:
    """Read the compact syntax; blank text gives []. Raises HoursSyntaxError.

    Ids are `<id_prefix>-1`, `-2`... when a prefix is given (stable re-imports), else uuid4 hex.
    One OpeningHours per time span and kind (weekly days together, monthly days together).
    """
    return [
        OpeningHours(id=f"{id_prefix}-{n}" if id_prefix else uuid.uuid4().hex,
                     service_id=service_id, freq=freq, byday=byday, opens_at=opens,
                     closes_at=closes, valid_from=valid_from, valid_to=valid_to)
        for n, (freq, byday, opens, closes, valid_from, valid_to)
        in enumerate(compact_rules(text or ""), start=1)
    ]  # fmt: skip


def _format_days(days: Iterable[tuple[int, int | None]]) -> str:
    """Weekly days as ranges of three or more (mo-fr) and lists; monthly days as 1sa, -1fr."""
    weekly = sorted({i for i, nth in days if nth is None})
    parts: list[str] = []
    run: list[int] = []
    for index in [*weekly, None]:
        if index is not None and run and index == run[-1] + 1:
            run.append(index)
            continue
        if len(run) >= 3:
            parts.append(f"{DAY_CODES[run[0]]}-{DAY_CODES[run[-1]]}".lower())
        else:
            parts.extend(DAY_CODES[i].lower() for i in run)
        run = [index] if index is not None else []
    parts.extend(f"{nth}{DAY_CODES[i].lower()}" for i, nth in days if nth is not None)
    return ",".join(parts)


def _format_time(value: time, *, closing: bool) -> str:
    return "24:00" if closing and value == _MIDNIGHT else value.strftime("%H:%M")


_Days = tuple[tuple[int, int | None], ...]  # (weekday index, n-th of month or None)


def _compact_key(
    rule: OpeningHours,
) -> tuple[frozenset[tuple[int, int | None]], time, time, date | None, date | None]:
    """What the compact syntax says of a rule: its days, times and period."""
    days = frozenset(_weekday_rules(rule))
    return days, rule.opens_at, rule.closes_at, rule.valid_from, rule.valid_to


def keep_unchanged(
    current: Sequence[OpeningHours], new: Sequence[OpeningHours]
) -> list[OpeningHours]:
    """`new` (read from compact text), where a current rule says the same thing, that rule.

    The compact syntax holds no note and no place: an edit written in it keeps those (and the
    id) of every rule it leaves as it was; a changed or new rule starts without them.
    """
    unused: dict[tuple[object, ...], list[OpeningHours]] = {}
    for rule in current:
        unused.setdefault(_compact_key(rule), []).append(rule)
    kept = []
    for rule in new:
        same = unused.get(_compact_key(rule))
        kept.append(same.pop(0) if same else rule)
    return kept


def format_compact_hours(hours: Sequence[OpeningHours]) -> str:
    """The compact text of `hours`, the inverse of parse_compact_hours (notes are not kept).

    Rules with the same days and period are merged ("mo-fr 09:00-12:00,14:00-17:00").
    """
    grouped: dict[tuple[_Days, date | None, date | None], list[tuple[time, time]]] = {}
    for rule in hours:
        days = tuple(_weekday_rules(rule))
        grouped.setdefault((days, rule.valid_from, rule.valid_to), []).append(
            (rule.opens_at, rule.closes_at)
        )
    texts = []
    for (days, valid_from, valid_to), spans in grouped.items():
        times = ",".join(
            f"{_format_time(o, closing=False)}-{_format_time(c, closing=True)}"
            for o, c in sorted(set(spans))
        )
        text = f"{_format_days(days)} {times}"
        if valid_from or valid_to:
            text += f" ({valid_from or ''}..{valid_to or ''})"
        texts.append(text)
    return "; ".join(texts)


# --------------------------------------------------------------------------- closures

_CLOSURE_TOKEN = re.compile(
    r"(?P<iso>\d{4}-\d{1,2}-\d{1,2})|(?P<dmy>\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?)"
    r"|(?P<year>\d{4})|(?P<day>\d{1,2})(?:er|st|nd|rd|th)?(?![\d/.])"
    r"|(?P<dots>\.\.|[-–—])|(?P<sep>[,;/&+\n])|(?P<word>[^\W\d_]+)|(?P<skip>[\s'’.:()!]+)"
    r"|(?P<other>.)"
)
MAX_CLOSURE_DAYS = 366  # a longer closure is not an exception: the service is closed


@cache
def _closure_words() -> tuple[dict[str, str], dict[str, int]]:
    """(word -> range, list or filler; month name -> month 1-12): the data file's words and
    the month names of every bot language (CLDR), with and without accents."""
    data = json.loads(_WORDS_FILE.read_text(encoding="utf-8"))["closures"]
    kinds = {w: kind for kind in ("range", "list", "filler") for w in data[kind]}
    months: dict[str, set[int]] = {}
    for lang in LANGUAGES:
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in Locale.parse(lang).months[context][width].items():
                    name = name.lower().strip(".")
                    for form in (name, strip_accents(name)):
                        months.setdefault(form, set()).add(number)
    return kinds, {name: found.pop() for name, found in months.items() if len(found) == 1}


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


@dataclass
class _Day:
    """A date as written: a day of a month, or a whole month; the year when given."""

    day: int | None
    month: int | None
    year: int | None
    text: str


def _closure_dates(part: _Day, where: str) -> tuple[date, date]:
    """The first and last day `part` names in year `part.year`."""
    assert part.month is not None and part.year is not None
    try:
        if part.day is None:
            following = date(part.year + part.month // 12, part.month % 12 + 1, 1)
            return date(part.year, part.month, 1), following - timedelta(days=1)
        day = date(part.year, part.month, part.day)
    except ValueError:
        raise HoursSyntaxError(where, N_("'{text}' is not a date"), text=part.text) from None
    return day, day


def _read_closure_days(text: str, where: str) -> list[list[_Day]]:
    """The periods of `text` as written: each one day or month, or two joined by "au"/"to"."""
    kinds, months = _closure_words()
    periods: list[list[_Day]] = []
    joined = False
    for match in _CLOSURE_TOKEN.finditer(text.lower()):
        kind, value = match.lastgroup, match.group()
        found: _Day | None = None
        if kind == "iso":
            y, m, d = (int(n) for n in value.split("-"))
            found = _Day(d, m, y, value)
        elif kind == "dmy":
            numbers = [int(n) for n in re.split(r"[/.]", value)]
            year = (
                numbers[2] + 2000
                if len(numbers) == 3 and numbers[2] < 100
                else (numbers[2] if len(numbers) == 3 else None)
            )
            found = _Day(numbers[0], numbers[1], year, value)
        elif kind == "day":
            found = _Day(int(value), None, None, value)
        elif kind == "word" and value in months:
            last = periods[-1][-1] if periods else None
            if last is not None and last.month is None and not joined:
                last.month, last.text = months[value], f"{last.text} {value}"
                continue
            found = _Day(None, months[value], None, value)
        elif kind == "year":
            if not periods or periods[-1][-1].year is not None:
                raise HoursSyntaxError(where, N_("'{text}' is not a date"), text=value)
            periods[-1][-1].year = int(value)
            continue
        elif kind == "dots" or kinds.get(value) == "range":
            joined = bool(periods)
            continue
        elif kind in ("sep", "skip") or kinds.get(value) in ("list", "filler"):
            if kind == "sep" or kinds.get(value) == "list":
                joined = False
            continue
        else:
            raise HoursSyntaxError(where, N_("'{text}' is not a date"), text=value)
        if joined and periods and len(periods[-1]) == 1:
            periods[-1].append(found)
        else:
            periods.append([found])
        joined = False
    return periods


def parse_closures(text: str, today: date) -> list[tuple[date, date]]:
    """Exceptional closures as people write them, as (first day, last day) periods, in order:
    "fermé du 24/12 au 2/1", "closed 15 August", "tout le mois d'août", "24 et 25 décembre",
    "2026-12-24..2027-01-02". A date without a year is the next one not yet over (on 7
    December, "du 1/12 au 10/12" is this December, "15 août" next August). Raises
    HoursSyntaxError for a date that is not one, a closure over or longer than a year."""
    closures = []
    where = f"'{text.strip()}'"
    periods = _read_closure_days(text, where)
    for period in periods:  # "du 24 au 31 décembre", "24 et 25 décembre": the month said once
        for i, part in enumerate(period):
            if part.month is None:
                later = next((p for p in [*period[i:], *(q[0] for q in periods)] if p.month), None)
                if later is None:
                    raise HoursSyntaxError(where, N_("'{text}': which month?"), text=part.text)
                part.month = later.month
    for period in periods:
        first, last = period[0], period[-1]
        said = " – ".join(p.text for p in period)
        if last.year is None:
            last.year = today.year
            if _closure_dates(last, where)[1] < today:
                last.year += 1
        if first.year is None:
            first.year = last.year
            if _closure_dates(first, where)[0] > _closure_dates(last, where)[1]:
                first.year -= 1  # "du 24/12 au 2/1"
        starts, ends = _closure_dates(first, where)[0], _closure_dates(last, where)[1]
        if ends < starts:
            raise HoursSyntaxError(where, N_("the period ends before it starts"))
        if ends < today:
            raise HoursSyntaxError(where, N_("'{text}' is over"), text=said)
        if (ends - starts).days >= MAX_CLOSURE_DAYS:
            raise HoursSyntaxError(where, N_("'{text}' is longer than a year"), text=said)
        closures.append((starts, ends))
    merged: list[tuple[date, date]] = []
    for starts, ends in sorted(closures):  # "24 et 25 décembre": one closure of two days
        if merged and starts <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(ends, merged[-1][1]))
        else:
            merged.append((starts, ends))
    return merged
