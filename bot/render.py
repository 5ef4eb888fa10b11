"""What the resident sees: result lists, service cards and keyboards, in the user's language.

Texts are HTML (parse mode HTML everywhere, no entities), short plain sentences, and pass
through `i18n.bidi` so right-to-left languages display well. Callback data stays under
Telegram's 64 bytes: `d:<service id>` opens a card, `pg:<search>:<offset>` turns a page (`bk:` goes back to it),
`r:<search>:<filter>` refines, `g:`/`c:` pick a category group/key, `l:` a language.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import holidays
import phonenumbers
from babel import Locale
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot import callbacks
from bot.i18n import (
    RTL,
    SUPPORTED,
    Translator,
    bidi,
    format_date,
    format_distance,
    format_hours_range,
    format_list,
    format_time,
    format_weekday,
    localized,
    localized_field,
    translator,
)
from catalogue import places, taxonomy
from catalogue.danger import lines_for
from catalogue.emergency import EmergencyLine
from catalogue.emergency import label as line_label
from catalogue.hours import PARIS, day_openings, hours_to_confirm, is_open, unsure_parts
from catalogue.hsds import derive_access
from catalogue.models import Access, Gender, Location, Service

if TYPE_CHECKING:  # only types: rendering needs no search code
    from catalogue.search import Result, SearchOutcome

MAX_DESCRIPTION = 1500  # keeps a card well under Telegram's 4,096 characters
OLD_CHECK_DAYS = 365  # a card checked longer ago tells people to check before going
FILTERS = ("open", "free", "appt", "aud")  # refine buttons, in display order
_FR_HOLIDAYS = holidays.country_holidays("FR")
SEMICOLON = {"fr": " ; ", "ar": "؛ ", "fa": "؛ ", "ps": "؛ "}  # how each language writes "; "
MAX_TEXT_IN_LIST = 60  # a price or access text longer than this is cut in a list line
RLM = "\u200f"


@dataclass(frozen=True)
class Venue:
    """A native map message (sendVenue) for a precise, public address."""

    latitude: float
    longitude: float
    title: str
    address: str


@dataclass(frozen=True)
class RenderedMessage:
    text: str
    keyboard: InlineKeyboardMarkup | None = None
    venue: Venue | None = None


@dataclass(frozen=True)
class Page:
    """Where a result list stands: search number (to spot stale buttons), offset, filters."""

    serial: int
    offset: int
    size: int
    filters: Sequence[str] = field(default_factory=tuple)
    need: str = ""  # labels of the needs understood, or the words typed
    place: str | None = None  # place display name; None = the whole metropolis
    audience: str | None = None  # code of the "Who is it for?" choice, if any
    when: dict[str, Any] | None = None  # the "open" filter's day and evening said in words
    danger: Sequence[str] = ()  # kinds of danger read (catalogue.danger): their lines first


def place_label(name: str, lang: str) -> str:
    """A place understood, as the resident reads it: a postcode with the communes it serves
    ("59650 Villeneuve-d'Ascq", "59160 Capinghem et Lille"), any other place by its name."""
    communes = places.commune_for_postcode(name) if name.isdigit() else []
    return f"{name} {format_list([c.name for c in communes], lang)}" if communes else name


def button(label: str, data: str, lang: str) -> InlineKeyboardButton:
    """An inline button; callback data must fit Telegram's 64 bytes."""
    if not callbacks.fits(data):
        raise ValueError(f"callback data too long: {data!r}")
    return InlineKeyboardButton(bidi(label, lang), callback_data=data)


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


# -- keyboards ------------------------------------------------------------------------------
def _own_name(code: str) -> str:
    return (Locale.parse(code).get_display_name(code) or code).capitalize()


def language_keyboard() -> InlineKeyboardMarkup:
    """Each language in its own name and script: the one place where no translation applies."""
    buttons = [button(_own_name(code), callbacks.language(code), code) for code in SUPPORTED]
    return InlineKeyboardMarkup(_rows(buttons, 3))


def groups_keyboard(lang: str) -> InlineKeyboardMarkup:
    buttons = [
        button(taxonomy.label(g.key, lang), callbacks.group(g.key), lang) for g in taxonomy.groups()
    ]
    return InlineKeyboardMarkup(_rows(buttons, 2))


def children_keyboard(group: str, lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang).gettext
    everything = _("All of: {category}").format(category=taxonomy.label(group, lang))
    buttons = [button(everything, callbacks.category(group), lang)]
    buttons += [
        button(taxonomy.label(c.key, lang), callbacks.category(c.key), lang)
        for c in taxonomy.children(group)
    ]
    rows = _rows(buttons, 2)
    # TRANSLATORS: button going back to the list of category groups
    rows.append([button(f"{arrows(lang)[0]} " + _("Back"), callbacks.GROUPS, lang)])
    return InlineKeyboardMarkup(rows)


def categories_keyboard(keys: Sequence[str], lang: str) -> InlineKeyboardMarkup:
    """Buttons for a few plausible needs (when a message named several)."""
    buttons = [button(taxonomy.label(k, lang), callbacks.category(k), lang) for k in keys]
    return InlineKeyboardMarkup(_rows(buttons, 2))


def place_keyboard(lang: str) -> ReplyKeyboardMarkup:
    """Reply keyboard of the place step: share the location, or search everywhere."""
    _ = translator(lang).gettext
    return ReplyKeyboardMarkup(
        [
            [KeyboardButton(bidi("📍 " + _("Send my location"), lang), request_location=True)],
            [KeyboardButton(bidi(anywhere_label(lang), lang))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def anywhere_label(lang: str) -> str:
    return "🏙 " + translator(lang).gettext("Anywhere in the metropolis")


def yes_no_keyboard(yes: str, no: str, lang: str) -> InlineKeyboardMarkup:
    _ = translator(lang).gettext
    return InlineKeyboardMarkup([[button(_("Yes"), yes, lang), button(_("No"), no, lang)]])


def audiences(lang: str) -> dict[str, str]:
    """The "Who is it for?" choices: code → label."""
    _ = translator(lang).gettext
    return {
        "w": _("A woman"),
        "m": _("A man"),
        "c": _("A child under 18"),
        "y": _("A young person 18 to 25"),
        "o": _("A person over 60"),
        "-": _("Anyone"),
    }


def audience_keyboard(serial: int, lang: str) -> InlineKeyboardMarkup:
    buttons = [
        button(text, callbacks.audience(serial, code), lang)
        for code, text in audiences(lang).items()
    ]
    return InlineKeyboardMarkup(_rows(buttons, 2))


# -- result list ----------------------------------------------------------------------------
def specific(keys: Sequence[str]) -> list[str]:
    """The needs to show: a group is left out when one of its children is there
    ("French classes", not "Training and jobs and French classes")."""
    groups = {c.group for c in map(taxonomy.get_category, keys) if c is not None and c.group}
    return [k for k in keys if k not in groups]


def need_labels(keys: Sequence[str], lang: str, limit: int = 3) -> list[str]:
    return [taxonomy.label(k, lang) for k in specific(keys)[:limit]]


def arrows(lang: str) -> tuple[str, str]:
    """(back, forward) arrows, mirrored in right-to-left languages."""
    return ("▶", "◀") if lang in RTL else ("◀", "▶")


def _why(result: Result, tr: Translator, service: Service | None = None) -> str:
    _ = tr.gettext
    if result.why == "category" and result.matched_categories:
        keys: list[str] = list(result.matched_categories)
        if service is not None:  # the service's own kinds of help under the needs asked
            asked = frozenset().union(*map(taxonomy.expand, keys))
            own = [c.key for c in service.categories if c.key in asked]
            keys = own or keys
        labels = need_labels(keys, tr.lang, limit=3)
        return _("Offers: {what}").format(what=format_list(labels, tr.lang))
    if result.why == "name":
        return _("Its name matches your words.")
    return _("Its description matches your words.")


def _open_word(
    open_now: bool | None,
    tr: Translator,
    service: Service | None = None,
    now: datetime | None = None,
) -> str:
    _ = tr.gettext
    # TRANSLATORS: state of a place in the result list, after its name and distance
    if open_now is None:
        if service is not None and any(unsure_parts(rule) for rule in service.hours):
            # TRANSLATORS: in the result list, hours Relais could not check (see the card)
            return _("hours to confirm")
        return _("hours unknown")
    if open_now:
        return _("open now")
    opening = next_opening(service, now) if service is not None and now is not None else None
    if opening is None or now is None:
        return _("closed now")
    day, at = opening
    today = now.astimezone(PARIS).date()
    when = {"time": format_time(at, tr.lang)}
    if day == today:
        # TRANSLATORS: in the result list, a place closed at the moment that opens later today
        return _("closed now, opens at {time}").format(**when)
    if day == today + timedelta(days=1):
        return _("closed now, opens tomorrow at {time}").format(**when)
    return _("closed now, opens {day} at {time}").format(
        day=format_weekday(day.weekday(), tr.lang), **when
    )


def next_opening(service: Service, now: datetime) -> tuple[date, Any] | None:
    """When a closed service opens next (day, time) within a week; None when unknown."""
    local = now.astimezone(PARIS)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        for start, _end in (
            day_openings(service.hours, service.exceptions, day, service.opening_hours_osm) or []
        ):
            if offset or start > local.time():
                return day, start
    return None


def as_of(now: datetime, lang: str) -> str:
    """The date a card or a list was made: what was true then (for paper and forwarded text)."""
    # TRANSLATORS: under a printed or forwarded list, e.g. "Information as of March 2, 2026."
    text = translator(lang).gettext("Information as of {date}.")
    return one_stop(text.format(date=format_date(now.astimezone(PARIS).date(), lang)))


def conditions(service: Service, tr: Translator) -> str:
    """What decides whether one can go, in a few words: for whom, how to get in, the price."""
    cost = price(service, tr)
    return " · ".join([*admission(service, tr), *([cost] if cost else [])])


def price(service: Service, tr: Translator) -> str:
    """The price in a few words, "" when free or unknown."""
    fees = localized(service, "fees", tr.lang)
    return "💶 " + esc(_cut(fees)) if fees and not service.free else ""


def admission(service: Service, tr: Translator) -> list[str]:
    """For whom and how to get in, in a few words each."""
    _ = tr.gettext
    parts = _gender_and_ages(service, tr)
    short = {
        Access.appointment: _("by appointment"),
        Access.registration: _("registration first"),
        # TRANSLATORS: in a result list: one cannot come alone, a professional or a service
        # (a social worker, the 115...) must refer one ("sur orientation")
        Access.orientation: _("on referral only"),
    }
    if service.access in short:
        own = _own_access_words(service, tr.lang)
        parts.append(esc(_cut(own)) if own else short[Access(service.access)])
    return parts


def render_emergency_block(
    lines: Sequence[EmergencyLine], tr: Translator, heading: str | None = None
) -> str:
    """National lines to call at once, put before anything else; "" when none applies.

    Numbers stay plain digits outside any markup so Telegram can make them tappable.
    `heading` replaces the words said to someone in danger (a printed list's footer).
    """
    if not lines:
        return ""
    _ = tr.gettext
    # TRANSLATORS: heading above national phone numbers (police, suicide prevention,
    # emergency shelter...), shown when someone describes a danger. Calm, short.
    heading = heading or _("If you are in danger or need help now, call:")
    text = ["🆘 <b>" + heading + "</b>"]
    all_free = all(line.free for line in lines)
    always = all(line.round_the_clock for line in lines)
    if all_free and always:
        text.append(_("These numbers are free, day and night."))
    elif all_free:
        text.append(_("These numbers are free."))
    for line in lines:
        facts = [f"📞 {tel(line.number)}", esc(line_label(line, tr.lang))]
        if line.free and not all_free:
            # TRANSLATORS: a phone line that costs nothing to call
            facts.append(_("free of charge"))
        if line.round_the_clock and not always:
            # TRANSLATORS: a phone line open all day, every day; keep it very short
            facts.append(_("24/7"))
        elif line.hours and not always:
            facts.append(esc(line.hours))
        text.append(" · ".join(facts))
    return "\n".join(text)


def emergency_block(kinds: Sequence[str], lang: str) -> str:
    """The emergency block for the kinds of danger read ("" when none)."""
    return render_emergency_block(lines_for(kinds), translator(lang))


def open_label(when: dict[str, Any] | None, lang: str) -> str:
    """The "open" filter button: open now, or when the text said ("dimanche soir")."""
    _ = translator(lang).gettext
    day = when.get("day") if when else None
    if when and when.get("evening"):
        if day is None:
            # TRANSLATORS: filter button: places open this evening (at 7 pm)
            return _("Open this evening")
        # TRANSLATORS: filter button: places open on that weekday in the evening (at 7 pm)
        return _("Open {day} evening").format(day=format_weekday(day, lang))
    if day is not None:
        # TRANSLATORS: filter button: places open some time on that weekday
        return _("Open on {day}").format(day=format_weekday(day, lang))
    return _("Open now")


def render_results(
    outcome: SearchOutcome,
    page: Page,
    lang: str,
    services: Mapping[str, Service] | None = None,
    now: datetime | None = None,
) -> RenderedMessage:
    """One page of results with details, page, refine and new-search buttons; the emergency
    block first when a danger was read. With the page's `services`, each line also says the
    commune, the kind of help, when a closed place opens, and the conditions."""
    tr = translator(lang)
    _ = tr.gettext
    sos = emergency_block(page.danger, lang)
    lines = [sos, ""] if sos else []
    if page.need:
        lines.append("🔎 " + esc(page.need))
    lines.append("📍 " + esc(page.place or _("The whole metropolis")))
    if page.audience and page.audience != "-":
        lines.append("👥 " + audiences(lang)[page.audience])
    if not outcome.results:
        lines.append(_("I found nothing with these choices. Remove a filter or try another place."))
    else:
        first, last = page.offset + 1, page.offset + len(outcome.results)
        count = tr.ngettext("I found {count} place.", "I found {count} places.", outcome.total)
        count = count.format(count=outcome.total)
        if outcome.total > len(outcome.results):
            count += " " + _("Here are {first} to {last}:").format(first=first, last=last)
        lines.append(count)
    lines.append("")
    services = services or {}
    mark = RLM if lang in RTL else ""  # the number stays first, outside a Latin name's isolate
    for number, result in enumerate(outcome.results, start=page.offset + 1):
        service = services.get(result.service_id)
        facts = [f"<b>{number}.{mark} {esc(result.name)}</b>"]
        commune = (
            next((loc.city for loc in service.locations if loc.city), None) if service else None
        )
        if commune:
            facts.append(esc(commune))
        if result.distance_km is not None:
            facts.append(format_distance(result.distance_km, lang))
        if not (page.when and page.when.get("evening")):  # open then: the ticked filter says
            facts.append(_open_word(result.open_now, tr, service, now))
        lines.append(" · ".join(facts))
        lines.append("   " + _why(result, tr, service))
        said = conditions(service, tr) if service else ""
        if said:
            lines.append("   " + said)
    rows = []
    details = [
        button(str(n), callbacks.details(r.service_id), lang)  # an id too long for a button
        for n, r in enumerate(outcome.results, start=page.offset + 1)  # gets none
        if callbacks.fits(callbacks.details(r.service_id))
    ]
    rows += _rows(details, 5)
    nav = []
    back, forward = arrows(lang)
    if page.offset > 0:
        nav.append(
            button(
                f"{back} " + _("Previous"),
                callbacks.page(page.serial, max(0, page.offset - page.size)),
                lang,
            )
        )
    if page.offset + page.size < outcome.total:
        nav.append(
            button(
                _("Next") + f" {forward}",
                callbacks.page(page.serial, page.offset + page.size),
                lang,
            )
        )
    if nav:
        rows.append(nav)
    labels = {
        "open": open_label(page.when, lang),
        # TRANSLATORS: filter buttons under the results: open at this moment, costs nothing,
        # no appointment needed, choose who the help is for
        "free": _("Free"),
        "appt": _("No appointment"),
        "aud": _("Who is it for?"),
    }
    refine = [
        button(
            ("✅ " if key in page.filters else "") + labels[key],
            callbacks.refine(page.serial, key),
            lang,
        )
        for key in FILTERS
    ]
    rows += _rows(refine, 2)
    rows.append([button("🔎 " + _("New search"), callbacks.NEW, lang)])
    return RenderedMessage(bidi("\n".join(lines).rstrip(), lang), InlineKeyboardMarkup(rows))


# -- service card ---------------------------------------------------------------------------


def _gender_and_ages(service: Service, tr: Translator) -> list[str]:
    """Who the service admits by gender and age ("women only", "18 and over"): lines and cards.
    The gender is the one the search filters on (`catalogue.audience`), stated or read."""
    parts = []
    if service.audience_gender == Gender.women:
        parts.append(tr.gettext("women only"))
    elif service.audience_gender == Gender.men:
        parts.append(tr.gettext("men only"))
    ages = _ages(service, tr)
    if ages:
        parts.append(ages)
    return parts


def _audience(service: Service, tr: Translator) -> str:
    _ = tr.gettext
    parts = _gender_and_ages(service, tr)
    eligibility = localized(service, "eligibility", tr.lang)
    if eligibility:
        parts.append(esc(eligibility))
    if not parts:
        return _("Who can come: unknown.")
    return _("Who can come: {who}").format(who=SEMICOLON.get(tr.lang, "; ").join(parts))


def _ages(service: Service, tr: Translator) -> str:
    _ = tr.gettext
    low, high = service.min_age, service.max_age
    if low is not None and high is not None:
        return _("from {low} to {high} years old").format(low=low, high=high)
    if low is not None:
        return _("{age} years old and over").format(age=low)
    if high is not None:
        return _("up to {age} years old").format(age=high)
    return ""


def _access(service: Service, tr: Translator) -> str:
    _ = tr.gettext
    ways = {
        Access.unconditional: _("Just come, no appointment needed."),
        Access.appointment: _("Only with an appointment."),
        Access.registration: _("You must register first."),
        # TRANSLATORS: on a card: one cannot come alone ("sur orientation"); who refers
        # (the 115, a social worker...) follows when the service says it
        Access.orientation: _("Only on referral: a social worker or a service must send you."),
    }
    parts = [ways[Access(service.access)]] if service.access in ways else []
    note = localized(service, "access_note", tr.lang)
    if (
        note
        and parts
        and not localized_field(service, "access_note", tr.lang)[1]
        and derive_access(service.access_note) == service.access
    ):
        parts = []  # "Sans rendez-vous, sans condition" says it, and more: once is enough
    if note and not (parts and _says_little(service.access_note or "")):
        parts.append(esc(note))
    if not parts:
        return _("How to get in: unknown.")
    return _("How to get in: {how}").format(how=" ".join(parts))


def _cut(text: str) -> str:
    """A text of a list line cut at a word (the card has it all)."""
    if len(text) <= MAX_TEXT_IN_LIST:
        return text
    return text[:MAX_TEXT_IN_LIST].rsplit(" ", 1)[0] + " …"


def _own_access_words(service: Service, lang: str) -> str | None:
    """The service's own short access note in `lang` when it says the same mode as the list's
    few words, and more ("Sur orientation du 115 ou du SIAO" rather than "on referral only")."""
    note, fallback = localized_field(service, "access_note", lang)
    if not note or fallback or derive_access(service.access_note) != service.access:
        return None
    return note


def _says_little(note: str) -> bool:
    """A note of a word or three ("Gratuit", "Sans rendez-vous") only repeats the line it
    would follow (judged on the French text: a translation or "(in French)" mark says no
    more)."""
    return len(note.split()) <= 3


def _cost(service: Service, tr: Translator) -> str:
    _ = tr.gettext
    fees = localized(service, "fees", tr.lang)
    if service.free:
        said = f" {esc(fees)}" if fees and not _says_little(service.fees or "") else ""
        return _("Cost: free.") + said
    if fees:
        return _("Cost: {cost}").format(cost=esc(fees))
    return _("Cost: unknown.")


def _ranges(openings: list[Any], tr: Translator) -> str:
    if not openings:
        # TRANSLATORS: opening hours of one day when the place is closed all day
        return tr.gettext("closed")
    return ", ".join(format_hours_range(start, end, tr.lang) for start, end in openings)


def _hours(service: Service, now: datetime, tr: Translator, *, week: bool = False) -> list[str]:
    """Open or closed now, then the next seven days from today; or, for `week` (paper, cards
    posted elsewhere: read later), the week from Monday with no "now" and no "today"."""
    _ = tr.gettext
    today = now.astimezone(PARIS).date()
    osm = service.opening_hours_osm
    if day_openings(service.hours, service.exceptions, today, osm) is None:
        if service.hours_note:
            # TRANSLATORS: hours given only as a text, in French ("sur rendez-vous uniquement")
            return [_("Opening hours: {hours}").format(hours=esc(service.hours_note))]
        return [_("Opening hours: unknown.")]
    lines = []
    if not week:
        state = is_open(service.hours, service.exceptions, now, osm)
        if state is None:  # a rule Relais cannot check may apply now
            lines.append(_("Open now? Confirm the hours with the service before you go."))
        else:
            lines.append(_("Open now.") if state else _("Closed now."))
    offsets = sorted(range(7), key=lambda n: (today.weekday() + n) % 7) if week else range(7)
    for offset in offsets:
        day = today + timedelta(days=offset)
        name = _("Today") if offset == 0 and not week else format_weekday(day.weekday(), tr.lang)
        certain = day_openings(service.hours, service.exceptions, day, osm) or []
        hours = _ranges(certain, tr)
        if unsure := hours_to_confirm(service.hours, service.exceptions, day):
            # TRANSLATORS: hours of a day that may apply, e.g. "09:00 – 12:00 (to confirm)"
            maybe = _("{hours} (to confirm)").format(hours=_ranges(unsure, tr))
            hours = f"{hours}, {maybe}" if certain else maybe
        # TRANSLATORS: one line of the week's opening hours, e.g. "Monday: 09:00 – 12:00"
        line = _("{day}: {hours}").format(day=name, hours=hours)
        if day in _FR_HOLIDAYS:
            line += " (" + _("public holiday") + ")"
        lines.append(("<b>" + line + "</b>") if offset == 0 and not week else line)
    for exc in service.exceptions:
        if exc.ends_on >= today and exc.starts_on <= today + timedelta(days=30):
            lines.append(
                "⚠ "
                + _notice(exc.starts_on, exc.ends_on, exc.opens_at is None, tr)
                + (f" {esc(exc.note)}" if exc.note else "")
            )
    return lines


_IMPORTED_FILE = re.compile(r"[^\s/]+\.(?:json|csv)", re.IGNORECASE)


def provenance(service: Service) -> str:
    """Where the facts come from, for residents: the source text, with every producer of a
    service that open data publishes several times ("data·inclusion / dora, emplois-de-
    linclusion (…)"); "" for the name of the catalogue file an HSDS record came in (the
    importer's stand-in, kept for administrators' /edit and sheet): it tells a resident
    nothing."""
    if not service.source or _IMPORTED_FILE.fullmatch(service.source.strip()):
        return ""
    producers = [src.producer for src in service.sources if src.present and src.producer]
    if len(producers) < 2:
        return service.source
    head, _slash, rest = service.source.partition(" / ")
    licence = rest[rest.find(" (") :] if " (" in rest else ""
    return f"{head} / {', '.join(dict.fromkeys(producers))}{licence}"


def _notice(start: date, end: date, closed: bool, tr: Translator) -> str:
    _ = tr.gettext
    dates = {"start": format_date(start, tr.lang), "end": format_date(end, tr.lang)}
    if closed:
        return one_stop(_("Closed from {start} to {end}.").format(**dates))
    return one_stop(_("Special hours from {start} to {end}.").format(**dates))


def one_stop(sentence: str) -> str:
    """A sentence ending in a date that ends with its own dot ("2026 р.") keeps one dot."""
    return sentence[:-1] if sentence.endswith("..") else sentence


def _address(location: Location, tr: Translator) -> str:
    town = " ".join(p for p in (location.postcode, location.city) if p)
    if location.address:
        return esc(", ".join(p for p in (location.address, town) if p))
    parts = [tr.gettext("Address: unknown.")]
    if town:
        parts.append(esc(town))
    if location.description:  # why it is withheld, or how to find it (written in French)
        mark = "" if tr.lang == "fr" else tr.gettext("(in French)") + " "
        parts.append(mark + esc(location.description))
    return " — ".join(parts)


def public_venue(service: Service) -> Venue | None:
    """A map pin only for a precise street address: never for approximate or withheld places."""
    for loc in service.locations:
        if (
            loc.address
            and loc.latitude is not None
            and loc.longitude is not None
            and not loc.approximate
        ):
            town = " ".join(p for p in (loc.postcode, loc.city) if p)
            address = ", ".join(p for p in (loc.address, town) if p)
            return Venue(loc.latitude, loc.longitude, service.name, address)
    return None


def phone(number: str) -> str:
    """A phone number as people read and dial it ("03 53 01 10 01"), tappable: a tel: link to
    its E.164 form. A number phonenumbers cannot read is shown as written."""
    try:
        parsed = phonenumbers.parse(number, "FR")
    except phonenumbers.NumberParseException:
        return esc(number)
    if not phonenumbers.is_possible_number(parsed):
        return esc(number)
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return f'<a href="tel:{e164}">{esc(national)}</a>'


def tel(number: str) -> str:
    """A phone number in E.164 (+33…) so Telegram makes it tappable; as written if unparseable."""
    try:
        parsed = phonenumbers.parse(number, "FR")
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_possible_number(parsed):
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _language_names(codes: Sequence[str], lang: str) -> str:
    locale = Locale.parse(lang)
    return format_list([locale.languages.get(c, c) for c in codes], lang)


def render_service_card(
    service: Service,
    lang: str,
    *,
    now: datetime,
    back: str | None = None,
    extra_rows: Sequence[Sequence[InlineKeyboardButton]] = (),
    week: bool = False,
) -> RenderedMessage:
    """The full card of a service; unknown facts are said as unknown, never guessed.

    `back` is the callback data of a "back to the list" button; `extra_rows` are added below
    (share, shortlist... from bot.share). `week`: a card read later (printed, posted in
    another chat) shows the week's hours and the date, never "closed now".
    """
    tr = translator(lang)
    _ = tr.gettext
    lines = [f"<b>{esc(service.name)}</b>"]
    if service.organization and service.organization.name != service.name:
        lines.append(esc(service.organization.name))
    description = localized(service, "description", lang)
    if description and len(description) > MAX_DESCRIPTION:
        description = description[:MAX_DESCRIPTION].rsplit(" ", 1)[0] + " …"
    lines += ["", esc(description) if description else _("What it offers: unknown."), ""]
    lines.append("👥 " + _audience(service, tr))
    lines.append("🚪 " + _access(service, tr))
    lines.append("💶 " + _cost(service, tr))
    lines.append("")
    hours = _hours(service, now, tr, week=week)
    lines += ["🕘 " + line if i == 0 else line for i, line in enumerate(hours)]
    lines.append("")
    if service.locations:
        lines += ["📍 " + _address(loc, tr) for loc in service.locations]
    else:
        lines.append("📍 " + _("Address: unknown."))
    if service.phones:
        lines += ["📞 " + _("Phone: {phone}").format(phone=phone(p.number)) for p in service.phones]
    else:
        lines.append("📞 " + _("Phone: unknown."))
    website = service.website or (service.organization.website if service.organization else None)
    if website:
        lines.append("🌐 " + esc(website))
    email = service.email or (service.organization.email if service.organization else None)
    if email:
        lines.append("✉ " + esc(email))
    if service.languages:
        names = _language_names(service.languages, lang)
        lines.append("🗣 " + _("Languages spoken: {languages}").format(languages=names))
    else:
        lines.append("🗣 " + _("Languages spoken: unknown."))
    lines.append("")
    checked = service.verified_on
    old = checked is None or (now.astimezone(PARIS).date() - checked).days > OLD_CHECK_DAYS
    mark = "⚠ " if old else "✅ "
    if checked:
        lines.append(
            mark + one_stop(_("Last checked: {date}.").format(date=format_date(checked, lang)))
        )
    else:
        lines.append(mark + _("Last checked: unknown."))
    if old:
        # TRANSLATORS: under a card not checked for over a year (or never): plain and short
        lines.append(_("It may have changed since. Check before you go."))
    source = provenance(service)
    if source:
        lines.append(_("Source: {source}").format(source=esc(source)))
    if service.source:
        lines += ["🔗 " + esc(src.link) for src in service.sources if src.present and src.link]
    if week:
        lines.append(as_of(now, lang))
    rows: list[list[InlineKeyboardButton]] = [list(row) for row in extra_rows]
    nav = []
    if back:
        nav.append(button(f"{arrows(lang)[0]} " + _("Back to the list"), back, lang))
    nav.append(button("🔎 " + _("New search"), callbacks.NEW, lang))
    rows.append(nav)
    return RenderedMessage(
        bidi("\n".join(lines).strip(), lang), InlineKeyboardMarkup(rows), public_venue(service)
    )
