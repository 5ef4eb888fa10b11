"""The fields an administrator fills in `/add` and changes with `/edit`, with their validators.

One `FieldSpec` per field: the prompt, the parser that turns what the admin typed into a plain
(JSON-able) value or raises `Invalid` with a message saying what is expected, how the value is
written into a `Service`, read back from one, and shown. `/add` and `/edit` share these specs, so a
value accepted by one is accepted by the other. Values stay plain so that a draft can live in the
persisted `user_data` between steps.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Collection
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import phonenumbers
from babel import Locale
from sqlalchemy.orm import object_session
from sqlmodel import Session

from bot.admin.common import N_, labelled
from bot.i18n import (
    SUPPORTED,
    Translator,
    apart,
    format_date,
    format_hours_range,
    format_list,
    format_weekday,
    translator,
)
from catalogue import taxonomy
from catalogue.fees import settle_free
from catalogue.hours import (
    DAY_CODES,
    PARIS,
    Days,
    HoursSyntaxError,
    format_compact_hours,
    keep_unchanged,
    parse_closures,
    parse_compact_hours,
)
from catalogue.hsds import access_mode
from catalogue.limits import COUNT_LIMITS, TEXT_LIMITS, one_line
from catalogue.models import (
    Access,
    Gender,
    HoursException,
    Location,
    Organization,
    Phone,
    Service,
    ServiceCategory,
)
from catalogue.needs import lexicon
from catalogue.places import Place, in_mel, parse_coordinates, place_at, resolve_place
from catalogue.services import Problem

SKIP = "-"  # typed for "unknown / none" wherever a field may stay empty
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
WEBSITE = re.compile(r"(?:https?://|www\.)[^\s,;]+", re.IGNORECASE)
AGES = re.compile(r"^(?:(\d{1,3})-(\d{1,3})|(\d{1,3})\+|-(\d{1,3}))$")
POSTCODE = re.compile(r"^(\d{5})\s*(.*)$")
FREE_WORDS = ("free", "gratuit")  # typed alone: free, nothing more to say


class Invalid(ValueError):
    """What the admin typed is not acceptable; the message says what is expected."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params

    def text(self, tr: Translator) -> str:
        """The message in the admin's language; an hours error inside it too."""
        params = {
            key: Problem(None, None, value.message, value.params)
            if isinstance(value, HoursSyntaxError)
            else value
            for key, value in self.params.items()
        }
        return problem_text(Problem(None, None, self.message, params), tr)


def problem_text(problem: Problem, tr: Translator) -> str:
    """A catalogue problem (an import's, a value typed) in the admin's language: day codes
    named ("Monday", not "mo"), each value kept apart from the text in a right-to-left one."""

    def say(value: Any) -> str:
        return apart(name_days(value, tr) if isinstance(value, Days) else value, tr.lang)

    return problem.text(tr.gettext, say)


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str  # msgid, for the field buttons of /edit
    prompt: str  # msgid
    parse: Callable[[str], Any]
    apply: Callable[[Service, Any], None]
    read: Callable[[Service], Any]
    show: Callable[[Any, Translator], str]
    choices: tuple[tuple[str, str], ...] = ()  # (label msgid, text sent to parse) quick buttons
    # In /edit, how the value typed joins the current one (closures add up); None: it replaces it.
    join: Callable[[Any, Any], Any] | None = None


def _new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def _unknown(tr: Translator) -> str:
    return tr.gettext("unknown")


# --- name -------------------------------------------------------------------------------------


def _at_most(text: str, key: str) -> str:
    """`text`, refused when longer than the limit imports have too (catalogue.limits)."""
    if len(text) > TEXT_LIMITS[key]:
        raise Invalid(N_("Too long: {max} characters at most."), max=TEXT_LIMITS[key])
    return text


def parse_name(text: str) -> str:
    name = one_line(text)
    if not 2 <= len(name) <= TEXT_LIMITS["name"]:
        raise Invalid(N_("A name needs 2 to {max} characters."), max=TEXT_LIMITS["name"])
    return name


def _set_name(service: Service, value: str) -> None:
    service.name = value


# --- organisation -----------------------------------------------------------------------------


def parse_organization_name(text: str) -> str | None:
    """The name typed to look an organisation up (or create it); `-` for unknown."""
    name = one_line(text)
    if name == SKIP:
        return None
    if not 2 <= len(name) <= TEXT_LIMITS["organization.name"]:
        raise Invalid(
            N_("A name needs 2 to {max} characters."), max=TEXT_LIMITS["organization.name"]
        )
    return name


def organization_value(organization: Organization | None) -> dict[str, str] | None:
    return {"id": organization.id, "name": organization.name} if organization else None


def new_organization(name: str) -> dict[str, str]:
    return {"id": _new_id("org"), "name": name}


def _set_organization(service: Service, value: dict[str, str] | None) -> None:
    """The organisation picked (the stored one, its other facts untouched) or created."""
    if value is None:
        service.organization = None
        return
    session = object_session(service)
    stored = session.get(Organization, value["id"]) if session is not None else None
    service.organization = stored or Organization(id=value["id"], name=value["name"])


def _show_organization(value: dict[str, str] | None, tr: Translator) -> str:
    return value["name"] if value else _unknown(tr)


# --- categories -------------------------------------------------------------------------------


def parse_categories(text: str) -> list[str]:
    """Category keys separated by commas, spaces or `|` (the buttons send them this way)."""
    keys = list(dict.fromkeys(k for k in re.split(r"[\s,|]+", text.strip()) if k))
    if not keys:
        raise Invalid(N_("Choose at least one category."))
    for key in keys:
        if taxonomy.get_category(key) is None:
            raise Invalid(N_("Unknown category: {key}."), key=key)
    return keys


def _set_categories(service: Service, keys: list[str]) -> None:
    service.categories = [ServiceCategory(service_id=service.id, key=key) for key in keys]


def _show_categories(keys: list[str], tr: Translator) -> str:
    return format_list([taxonomy.label(k, tr.lang) for k in keys], tr.lang) or _unknown(tr)


# --- place ------------------------------------------------------------------------------------


def place_value(place: Place, *, address: str | None, approximate: bool) -> dict[str, Any]:
    return {
        "address": address,
        "postcode": None,
        "city": place.commune,
        "insee_code": place.insee_code,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "approximate": approximate,
    }


def location_value(latitude: float, longitude: float) -> dict[str, Any]:
    """A location shared from Telegram: exact coordinates, inside the metropolis."""
    if not in_mel(latitude, longitude):
        raise Invalid(N_("This location is outside the Lille metropolis."))
    return place_value(place_at(latitude, longitude), address=None, approximate=False)


def _commune(text: str) -> tuple[Place, str | None]:
    """Resolve "59100 Roubaix", "Roubaix" or "59100" to a place, with the postcode if given."""
    postcode = None
    match = POSTCODE.match(text)
    if match:
        postcode, text = match.group(1), match.group(2) or match.group(1)
    found = resolve_place(text)
    if found is None or not found.certain or found.place.kind == "coordinates":
        raise Invalid(
            N_(
                "I do not know the commune {text}. Send a commune of the metropolis, "
                "or “street, commune”, or share a location."
            ),
            text=text,
        )
    return found.place, postcode


def parse_place(text: str) -> dict[str, Any] | None:
    """`Roubaix`, `12 rue de l'Epeule, 59100 Roubaix`, `50.69,3.17`, or `-` for no place.

    We do not geocode street addresses: with an address, the coordinates are the commune's
    centre and marked approximate, so search never ranks the service as if it were near.
    """
    text = " ".join(text.split())
    if text == SKIP:
        return None
    coordinates = parse_coordinates(text)
    if coordinates is not None:
        return location_value(coordinates.latitude, coordinates.longitude)
    address, _, commune = text.rpartition(",")
    _at_most(address.strip(), "locations.address")
    place, postcode = _commune(commune.strip())
    value = place_value(place, address=address.strip() or None, approximate=True)
    value["postcode"] = postcode
    return value


def _set_place(service: Service, value: dict[str, Any] | None) -> None:
    """Replace the first place (the one the field shows); a service's other places stay.

    Hours given at the replaced place now apply at the new one (or anywhere, with no place).
    The replaced place is deleted on saving when no service is given there any more.
    """
    others = list(service.locations[1:])
    place = None if value is None else Location(id=_new_id("loc"), **value)
    if service.locations:
        replaced = service.locations[0].id
        for rule in service.hours:
            if rule.location_id == replaced:
                rule.location_id = place.id if place else None
    service.locations = others if place is None else [place, *others]


def _read_place(service: Service) -> dict[str, Any] | None:
    if not service.locations:
        return None
    loc = service.locations[0]
    keys = ("address", "postcode", "city", "insee_code", "latitude", "longitude", "approximate")
    return {key: getattr(loc, key) for key in keys}


def _show_place(value: dict[str, Any] | None, tr: Translator) -> str:
    if value is None:
        return _unknown(tr)
    town = " ".join(p for p in (value.get("postcode"), value.get("city")) if p)
    parts = [p for p in (value.get("address"), town) if p]
    if value.get("latitude") is None:
        return ", ".join(parts)
    if not value.get("approximate"):
        if not value.get("address"):
            parts.append(f"{value['latitude']:.5f}, {value['longitude']:.5f}")
        return ", ".join(parts)
    # A note in brackets follows the town without a comma.
    note = (
        # TRANSLATORS: an address typed in /add that is not located on the map
        tr.gettext("(on the map: centre of {commune} only)").format(commune=value.get("city"))
        if value.get("address")
        else tr.gettext("(no street address)")
    )
    return " ".join([", ".join(parts), note]).strip()


# --- hours ------------------------------------------------------------------------------------


def parse_hours(text: str) -> str:
    """Compact hours (see catalogue.hours); returned normalised. `-` means unknown."""
    text = text.strip()
    if text == SKIP:
        return ""
    try:
        return format_compact_hours(parse_compact_hours(text))
    except HoursSyntaxError as exc:
        raise Invalid(
            N_("These hours are not understood ({error}). Example: {example}"),
            error=exc,
            example="mo-fr 09:00-12:00,14:00-17:00; sa 09:00-12:00",
        ) from exc


def _set_hours(service: Service, value: str) -> None:
    """The hours typed; rules left as they were keep their notes and places."""
    hours = parse_compact_hours(value) if value else []
    for rule in hours:
        rule.id = _new_id("hrs")
        rule.service_id = service.id
    service.hours = keep_unchanged(service.hours, hours)


def _read_hours(service: Service) -> str:
    return format_compact_hours(service.hours) if service.hours else ""


MONTHLY = {  # position of the weekday in the month, as in HSDS/iCal byday "1SA", "-1FR"
    "1": N_("first {weekday} of the month"),
    "2": N_("second {weekday} of the month"),
    "3": N_("third {weekday} of the month"),
    "4": N_("fourth {weekday} of the month"),
    "-1": N_("last {weekday} of the month"),
}


def name_days(byday: str, tr: Translator) -> str:
    """ "MO,TU,WE,TH,FR" -> "Monday – Friday"; "MO,WE" -> "Monday and Wednesday";
    "1SA" -> "first Saturday of the month"."""
    codes = byday.upper().split(",")
    if all(code in DAY_CODES for code in codes):
        index = sorted(DAY_CODES.index(code) for code in codes)
        runs: list[list[int]] = []
        for i in index:
            if runs and i == runs[-1][-1] + 1:
                runs[-1].append(i)
            else:
                runs.append([i])
        # Runs of three days or more read as a range; shorter runs as single days, all in one
        # list ("Monday, Tuesday, Thursday and Friday", not "Monday and Tuesday and …").
        names = []
        for run in runs:
            if len(run) >= 3:
                names.append(
                    f"{format_weekday(run[0], tr.lang)} – {format_weekday(run[-1], tr.lang)}"
                )
            else:
                names.extend(format_weekday(i, tr.lang) for i in run)
        return format_list(names, tr.lang)
    names = []
    for code in codes:
        position, day = code[:-2], code[-2:]
        if position in MONTHLY and day in DAY_CODES:
            weekday = format_weekday(DAY_CODES.index(day), tr.lang)
            names.append(tr.gettext(MONTHLY[position]).format(weekday=weekday))
        else:
            names.append(code)
    return format_list(names, tr.lang)


def _period(valid_from: date | None, valid_to: date | None, tr: Translator) -> str:
    """The period a rule applies ("from 1 July 2026 to 31 August 2026"), "" for all year."""
    start = format_date(valid_from, tr.lang) if valid_from else None
    end = format_date(valid_to, tr.lang) if valid_to else None
    if start and end:
        # TRANSLATORS: the period an opening-hours rule applies, e.g. summer hours
        return tr.gettext("from {start} to {end}").format(start=start, end=end)
    if start:
        # TRANSLATORS: the first day an opening-hours rule applies
        return tr.gettext("from {start}").format(start=start)
    # TRANSLATORS: the last day an opening-hours rule applies
    return tr.gettext("until {end}").format(end=end) if end else ""


def hours_preview(value: str, tr: Translator) -> str:
    """The week as people will read it: one line per days and period, with all its times
    ("lundi – vendredi : 09:00 – 12:00, 14:00 – 17:00"), in their language, with the period
    if there is one (so an admin editing it sees it is there)."""
    if not value:
        return _unknown(tr)
    times: dict[tuple[Any, ...], list[str]] = {}
    for rule in parse_compact_hours(value):
        key = (rule.byday, rule.valid_from, rule.valid_to)
        times.setdefault(key, []).append(format_hours_range(rule.opens_at, rule.closes_at, tr.lang))
    lines = []
    for (byday, start, end), ranges in times.items():
        period = _period(start, end, tr)
        said = ", ".join(ranges)
        lines.append(
            labelled(name_days(byday, tr), f"{said} ({period})" if period else said, tr.lang)
        )
    return "\n".join(lines)


# --- closures ---------------------------------------------------------------------------------


def parse_closure_days(text: str) -> list[dict[str, str]]:
    """Exceptional closures ("du 24/12 au 2/1; 15 août"), read by catalogue.hours; `-` for none."""
    text = text.strip()
    if text == SKIP:
        return []
    try:
        periods = parse_closures(text, datetime.now(PARIS).date())
    except HoursSyntaxError as exc:
        raise Invalid(
            N_("These closures are not understood ({error}). Example: {example}"),
            error=exc,
            example="du 24/12 au 2/1; 15/8",
        ) from exc
    if len(periods) > COUNT_LIMITS["exceptions"]:
        raise Invalid(N_("At most {max} closures."), max=COUNT_LIMITS["exceptions"])
    return [{"starts_on": s.isoformat(), "ends_on": e.isoformat()} for s, e in periods]


def add_closures(
    current: list[dict[str, str]], typed: list[dict[str, str]]
) -> list[dict[str, str]]:
    """In /edit, the closures typed join those already there (an admin adds a holiday); `-`
    (nothing typed) removes them all."""
    if not typed:
        return []
    joined = {(c["starts_on"], c["ends_on"]): c for c in [*current, *typed]}
    if len(joined) > COUNT_LIMITS["exceptions"]:
        raise Invalid(N_("At most {max} closures."), max=COUNT_LIMITS["exceptions"])
    return [joined[key] for key in sorted(joined)]


def _whole_days(service: Service) -> list[HoursException]:
    """The exceptions that close whole days (the others give a day's hours, from an import)."""
    return [e for e in service.exceptions if e.opens_at is None or e.closes_at is None]


def _set_closures(service: Service, value: list[dict[str, str]]) -> None:
    """The closures typed; exceptional hours stay, and a closure left as it was keeps its id
    and note (like the hours)."""
    current = {(e.starts_on.isoformat(), e.ends_on.isoformat()): e for e in _whole_days(service)}
    closures = [
        current.get((v["starts_on"], v["ends_on"]))
        or HoursException(
            id=_new_id("cls"),
            service_id=service.id,
            starts_on=date.fromisoformat(v["starts_on"]),
            ends_on=date.fromisoformat(v["ends_on"]),
        )
        for v in value
    ]
    timed = [e for e in service.exceptions if e not in _whole_days(service)]
    service.exceptions = [*timed, *closures]


def _read_closures(service: Service) -> list[dict[str, str]]:
    return [
        {"starts_on": e.starts_on.isoformat(), "ends_on": e.ends_on.isoformat()}
        for e in sorted(_whole_days(service), key=lambda e: (e.starts_on, e.ends_on))
    ]


def _show_closures(value: list[dict[str, str]], tr: Translator) -> str:
    periods = []
    for closure in value:
        starts, ends = (date.fromisoformat(closure[k]) for k in ("starts_on", "ends_on"))
        shown = format_date(starts, tr.lang)
        if ends != starts:
            shown += " – " + format_date(ends, tr.lang)
        periods.append(shown)
    # TRANSLATORS: a service has no exceptional closure
    return "; ".join(periods) or tr.gettext("no exceptional closure")


# --- audience ---------------------------------------------------------------------------------


def parse_audience(text: str) -> dict[str, Any]:
    """`all`, `women`, `men`, optionally with ages `18-25`, `18+` or `-25` (e.g. `women 18+`);
    the words of the buttons in the admin's language too (`femmes 18+`, `tout le monde`)."""
    value: dict[str, Any] = {"gender": None, "min_age": None, "max_age": None}
    text = text.lower()
    for lang in SUPPORTED:  # "tout le monde", "الجميع": the button's word for everyone
        text = text.replace(translator(lang).gettext("everyone").lower(), " ")
    for word in text.split():
        if word in ("all", "everyone"):
            continue
        said = {Gender.women, Gender.men} & {word, *lexicon().tags_in(word)}
        if len(said) == 1:  # "women", "femmes", "نساء"
            value["gender"] = said.pop()
            continue
        ages = AGES.match(word)
        if ages is None:
            raise Invalid(N_("Send all, women or men, and ages if any, like 18-25, 18+ or -25."))
        low, high, only_low, only_high = ages.groups()
        value["min_age"] = int(low or only_low) if (low or only_low) else None
        value["max_age"] = int(high or only_high) if (high or only_high) else None
    low, high = value["min_age"], value["max_age"]
    if (
        (low is not None and low > 120)
        or (high is not None and high > 120)
        or (low is not None and high is not None and low > high)
    ):
        raise Invalid(N_("These ages are not possible."))
    return value


def _set_audience(service: Service, value: dict[str, Any]) -> None:
    service.gender, service.min_age, service.max_age = (
        value["gender"],
        value["min_age"],
        value["max_age"],
    )


def _read_audience(service: Service) -> dict[str, Any]:
    return {"gender": service.gender, "min_age": service.min_age, "max_age": service.max_age}


def _show_audience(value: dict[str, Any], tr: Translator) -> str:
    who = {
        None: tr.gettext("everyone"),
        Gender.women: tr.gettext("women"),
        Gender.men: tr.gettext("men"),
    }[value["gender"]]
    low, high = value["min_age"], value["max_age"]
    if low is not None and high is not None:
        who += " " + tr.gettext("aged {low} to {high}").format(low=low, high=high)
    elif low is not None:
        who += " " + tr.gettext("aged {low} or more").format(low=low)
    elif high is not None:
        who += " " + tr.gettext("aged up to {high}").format(high=high)
    return who


# --- access -----------------------------------------------------------------------------------

ACCESS_LABELS = {
    Access.unconditional: N_("walk in, no appointment"),
    Access.appointment: N_("by appointment"),
    Access.registration: N_("registration needed"),
    Access.orientation: N_("referral by a professional"),
}


def parse_access(text: str) -> str | None:
    """A button's mode, its label in any language, or a French text naming one mode ("sans
    rendez-vous", "sur rdv": the rule imports read, catalogue.hsds.access_mode); `-` unknown."""
    said = " ".join(text.split()).lower()
    if said == SKIP:
        return None
    labels = {
        translator(lang).gettext(label).lower(): mode
        for lang in SUPPORTED
        for mode, label in ACCESS_LABELS.items()
    }
    mode = labels.get(said) or access_mode(said)
    if mode is None:
        raise Invalid(N_("Choose one of the buttons."))
    return str(mode)


def _set_access(service: Service, value: str | None) -> None:
    service.access = value


def _show_access(value: str | None, tr: Translator) -> str:
    return tr.gettext(ACCESS_LABELS[Access(value)]) if value else _unknown(tr)


# --- cost -------------------------------------------------------------------------------------


def parse_cost(text: str) -> dict[str, Any]:
    """`free`, `-` (unknown) or the price as text ("2 € per meal")."""
    text = " ".join(text.split())
    if text == SKIP:
        return {"free": None, "fees": None}
    if text.lower() in FREE_WORDS:
        return {"free": True, "fees": None}
    # a price, unless the text itself says free ("Gratuit, 2 fois par semaine"): catalogue.fees
    return {"free": settle_free(False, text), "fees": _at_most(text, "fees")}


def _set_cost(service: Service, value: dict[str, Any]) -> None:
    service.free, service.fees = value["free"], value["fees"]


def _show_cost(value: dict[str, Any], tr: Translator) -> str:
    if value["free"]:
        # TRANSLATORS: a service's cost
        return tr.gettext("free")
    return value["fees"] or _unknown(tr)


# --- contact ----------------------------------------------------------------------------------


def parse_contact(text: str) -> dict[str, Any]:
    """Phone numbers, an e-mail and a website in one message, in any order; `-` for none."""
    if text.strip() == SKIP:
        return {"phones": [], "email": None, "website": None}
    email = EMAIL.search(text)
    rest = EMAIL.sub(" ", text)
    website = WEBSITE.search(rest)
    rest = WEBSITE.sub(" ", rest)
    phones = [
        phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        for m in phonenumbers.PhoneNumberMatcher(rest, "FR")
    ]
    if not (phones or email or website):
        raise Invalid(N_("No phone number, e-mail or website found in this message."))
    site = website.group(0) if website else None
    if site and not site.lower().startswith("http"):
        site = "https://" + site
    if len(phones) > COUNT_LIMITS["phones"]:
        raise Invalid(N_("At most {max} phone numbers."), max=COUNT_LIMITS["phones"])
    for value, key in ((site, "website"), (email and email.group(0), "email")):
        _at_most(value or "", key)
    return {"phones": phones, "email": email.group(0) if email else None, "website": site}


def _set_contact(service: Service, value: dict[str, Any]) -> None:
    service.phones = [
        Phone(id=_new_id("tel"), service_id=service.id, number=n) for n in value["phones"]
    ]
    service.email, service.website = value["email"], value["website"]


def _read_contact(service: Service) -> dict[str, Any]:
    return {
        "phones": [p.number for p in service.phones],
        "email": service.email,
        "website": service.website,
    }


def _show_contact(value: dict[str, Any], tr: Translator) -> str:
    parts = [*value["phones"], value["email"], value["website"]]
    return ", ".join(p for p in parts if p) or _unknown(tr)


# --- description, eligibility, languages ------------------------------------------------------


def _text_field(key: str) -> Callable[[str], str | None]:
    """A free text (French, as the catalogue keeps it); `-` for none; the import's limit."""

    def parse(text: str) -> str | None:
        text = text.strip()
        return None if text == SKIP else _at_most(text, key)

    return parse


def _setter(name: str) -> Callable[[Service, Any], None]:
    return lambda service, value: setattr(service, name, value)


def parse_languages(text: str) -> list[str]:
    """Language codes spoken there, `fr ar uk` (commas too); `-` for unknown."""
    if text.strip() == SKIP:
        return []
    codes = [c.lower() for c in re.split(r"[\s,;|]+", text.strip()) if c]
    unknown = [c for c in codes if not (2 <= len(c) <= 3 and c.isalpha() and _known_language(c))]
    if unknown:
        raise Invalid(
            N_("Unknown language codes: {codes}. Write codes like fr ar uk."),
            codes=", ".join(unknown),
        )
    if len(codes) > COUNT_LIMITS["languages"]:
        raise Invalid(N_("At most {max} languages."), max=COUNT_LIMITS["languages"])
    return list(dict.fromkeys(codes))


def _known_language(code: str) -> bool:
    return code in Locale.parse("en").languages


def _show_languages(codes: list[str], tr: Translator) -> str:
    names = Locale.parse(tr.lang).languages
    return format_list([names.get(c, c) for c in codes], tr.lang) if codes else _unknown(tr)


# --- source -----------------------------------------------------------------------------------


def parse_source(text: str) -> str:
    text = one_line(text)
    if len(text) < 3 or text == SKIP:
        raise Invalid(N_("Say where these facts come from: a document or a web address."))
    return _at_most(text, "source")


def _set_source(service: Service, value: str) -> None:
    service.source = value


def _attr(name: str) -> Callable[[Service], Any]:
    return lambda service: getattr(service, name)


def _plain(value: Any, tr: Translator) -> str:
    return str(value) if value else _unknown(tr)


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "name",
        N_("Name"),
        N_("What is the service called?"),
        parse_name,
        _set_name,
        _attr("name"),
        _plain,
    ),
    FieldSpec(
        "organization",
        N_("Organisation"),
        N_(
            "Which organisation runs it? Send its name: I look for it among the known ones. "
            "Send - if unknown."
        ),
        parse_organization_name,
        _set_organization,
        lambda s: organization_value(s.organization),
        _show_organization,
    ),
    FieldSpec(
        "categories",
        N_("Categories"),
        N_("Choose its categories, then Done."),
        parse_categories,
        _set_categories,
        _attr("category_keys"),
        _show_categories,
    ),
    FieldSpec(
        "place",
        N_("Place"),
        N_(
            "Where is it? Send a commune, or “street, postcode commune”, or share a location. "
            "Send - if it has no place."
        ),
        parse_place,
        _set_place,
        _read_place,
        _show_place,
    ),
    FieldSpec(
        "hours",
        N_("Hours"),
        # TRANSLATORS: keep "mo-fr 09:00-12:00,14:00-17:00; sa 09:00-12:00", "1sa", "-1fr" and
        # "-" verbatim. The first example may be written in your language's day names ("du lundi
        # au vendredi 9h-12h et 14h-17h", "пн-пт 9:00-12:00") when catalogue/hours.py reads them.
        N_(
            "Opening hours, as you would write them: Monday to Friday 9am-12pm and 2pm-5pm; "
            "Saturday 9am-12pm. Or: mo-fr 09:00-12:00,14:00-17:00; sa 09:00-12:00 "
            "(1sa = first Saturday, -1fr = last Friday). Send - if unknown."
        ),
        parse_hours,
        _set_hours,
        _read_hours,
        hours_preview,
    ),
    FieldSpec(
        "closures",
        N_("Closures"),
        # TRANSLATORS: the examples may use month names of your language ("15 août", "15 серпня")
        N_("Exceptional closures (holidays), like: 24/12-2/1; 15 August; August. Send - if none."),
        parse_closure_days,
        _set_closures,
        _read_closures,
        _show_closures,
        join=add_closures,
    ),
    FieldSpec(
        "audience",
        N_("Audience"),
        # TRANSLATORS: keep "all", "women", "men", "18-25", "18+", "-25" verbatim (typed syntax)
        N_("Who is it for? all, women or men, and ages if any (18-25, 18+, -25)."),
        parse_audience,
        _set_audience,
        _read_audience,
        _show_audience,
        # TRANSLATORS: admin buttons for a service's audience
        choices=((N_("everyone"), "all"), (N_("women"), "women"), (N_("men"), "men")),
    ),
    FieldSpec(
        "access",
        N_("Access"),
        N_("How do people get in?"),
        parse_access,
        _set_access,
        _attr("access"),
        _show_access,
        choices=(
            *((label, key.value) for key, label in ACCESS_LABELS.items()),
            (N_("unknown"), SKIP),
        ),
    ),
    FieldSpec(
        "cost",
        # TRANSLATORS: keep "free" and "-" verbatim (typed by the admin)
        N_("Cost"),
        N_("Send free if it is free, otherwise the price. Send - if unknown."),
        parse_cost,
        _set_cost,
        lambda s: {"free": s.free, "fees": s.fees},
        _show_cost,
        choices=((N_("free"), "free"), (N_("unknown"), SKIP)),
    ),
    FieldSpec(
        "contact",
        N_("Contact"),
        N_("Phone numbers, e-mail and website, in one message. Send - if none."),
        parse_contact,
        _set_contact,
        _read_contact,
        _show_contact,
    ),
    FieldSpec(
        "description",
        N_("Description"),
        N_("What does it offer? A few sentences in French. Send - to leave it empty."),
        _text_field("description"),
        _setter("description"),
        _attr("description"),
        _plain,
    ),
    FieldSpec(
        "eligibility",
        N_("Conditions"),
        N_(
            "Other conditions to come, in French (papers, address in the commune…). Send - if none."
        ),
        _text_field("eligibility"),
        _setter("eligibility"),
        _attr("eligibility"),
        _plain,
    ),
    FieldSpec(
        "languages",
        # TRANSLATORS: keep "fr ar uk" and "-" verbatim (typed codes)
        N_("Languages spoken"),
        N_("Languages spoken there, as codes: fr ar uk. Send - if unknown."),
        parse_languages,
        _setter("languages"),
        _attr("languages"),
        _show_languages,
    ),
    FieldSpec(
        "source",
        N_("Source"),
        N_("Where do these facts come from? A document or a web address."),
        parse_source,
        _set_source,
        _attr("source"),
        _plain,
    ),
)
BY_KEY = {spec.key: spec for spec in FIELDS}
# Where each field is kept in a service snapshot (catalogue.services), so that the keys an audit
# entry changed are said as the fields the admin edits.
SNAPSHOT_KEYS = {
    "name": ("name",),
    "organization": ("organization",),
    "categories": ("categories",),
    "place": ("locations",),
    "hours": ("hours",),
    "closures": ("exceptions",),
    "audience": ("gender", "min_age", "max_age"),
    "access": ("access",),
    "cost": ("free", "fees"),
    "contact": ("phones", "email", "website"),
    "description": ("description",),
    "eligibility": ("eligibility",),
    "languages": ("languages",),
    "source": ("source",),
}


def fields_of(keys: Collection[str]) -> tuple[list[FieldSpec], list[str]]:
    """The fields holding the snapshot `keys` (in the order of FIELDS), and the keys no field
    holds (what only an import writes: other names, translations, the status…)."""
    specs = [spec for spec in FIELDS if set(SNAPSHOT_KEYS[spec.key]) & set(keys)]
    held = {key for spec in specs for key in SNAPSHOT_KEYS[spec.key]}
    return specs, sorted(set(keys) - held)


def new_service(
    draft: dict[str, Any], *, verified_on: date, session: Session | None = None
) -> Service:
    """A service built from a complete `/add` draft (field key -> parsed value), added to
    `session` first so that a stored organisation is linked, not copied over.

    The admin has just entered the facts from the named source: that is a verification.
    """
    service = Service(id=_new_id("svc"), name=draft["name"], verified_on=verified_on)
    if session is not None:
        session.add(service)
    with session.no_autoflush if session is not None else nullcontext():
        for spec in FIELDS:
            spec.apply(service, draft[spec.key])
    return service


def summary(values: dict[str, Any], tr: Translator) -> str:
    """Every field and its value, one per line, for the confirmation step."""
    return "\n".join(
        labelled(tr.gettext(spec.label), spec.show(values[spec.key], tr), tr.lang)
        for spec in FIELDS
        if spec.key in values
    )
