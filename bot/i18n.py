"""Per-user translation, CLDR formatting and right-to-left display.

Each update gets the translator of its user's language (`known_language`: chosen, else the
language of what they write, else Telegram's `language_code` negotiated with Babel, else
French): there is no global `_` shared between users.
Messages are English msgids with `{name}` placeholders filled by `str.format` (keyword names).
Numbers stay in Latin digits in every language, like the addresses and phone numbers around them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, time
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale, negotiate_locale
from babel.dates import format_date as _babel_date
from babel.dates import format_interval, get_day_names, get_time_format
from babel.dates import format_time as _babel_time
from babel.lists import format_list as _babel_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from babel.units import format_unit

from catalogue.language import detect
from catalogue.models import Service
from catalogue.taxonomy import LANGUAGES
from catalogue.text import N_ as N_  # one marker for bot/ and catalogue/

SUPPORTED: tuple[str, ...] = LANGUAGES
DEFAULT = "fr"
RTL = frozenset({"ar", "fa", "ps"})
LOCALES_DIR = Path(__file__).resolve().parents[1] / "locales"
# Telegram language codes Babel does not map to one of ours: Dari, the Pashto varieties, Moldovan.
ALIASES = {"prs": "fa", "pbt": "ps", "pbu": "ps", "pst": "ps", "mo": "ro"}
TYPED = "typed_lang"  # user_data key: the language detected in what the user wrote


class Translator:
    """gettext/ngettext of one language, with `.lang` so formatting can follow it."""

    def __init__(self, lang: str, translations: NullTranslations) -> None:
        self.lang = lang
        self._translations = translations

    def gettext(self, message: str) -> str:
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations.ngettext(singular, plural, n)


@cache
def translator(lang: str) -> Translator:
    """The translator of `lang` (its catalogue in locales/, else the English msgids)."""
    lang = lang if lang in SUPPORTED else DEFAULT
    return Translator(lang, _load(lang))


def _load(lang: str) -> NullTranslations:
    """The compiled .mo; straight from the .po when the .mo is missing or older (fresh edits)."""
    po = LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fp:
            return Translations(fp, domain="messages")
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as pybabel compile does
    compiled.seek(0)
    return Translations(compiled, domain="messages")


def negotiate(language_code: str | None) -> str | None:
    """A supported language for a Telegram `language_code` ("uk", "pt-br", "fa-AF"), or None."""
    if not language_code:
        return None
    parts = language_code.strip().replace("-", "_").split("_")
    parts[0] = ALIASES.get(parts[0].lower(), parts[0].lower())
    return negotiate_locale(["_".join(parts)], SUPPORTED, sep="_")


def known_language(user_data: Any, language_code: str | None) -> str | None:
    """The one rule for a user's language, or None when nothing says it: the language chosen
    with /language or a button, else the one their last clear message was written in
    (`note_typed_language`), else the Telegram client language."""
    user_data = user_data or {}
    for stored in (user_data.get("lang"), user_data.get(TYPED)):
        if stored in SUPPORTED:
            return stored
    return negotiate(language_code)


def user_language(update: Any, context: Any) -> str:  # PTB Update/Context
    """`known_language` of the update's user, else French."""
    user = getattr(update, "effective_user", None)
    return (
        known_language(getattr(context, "user_data", None), getattr(user, "language_code", None))
        or DEFAULT
    )


def note_typed_language(context: Any, text: str, read: str | None = None) -> None:  # PTB Context
    """Remember the language a free text is clearly written in, to answer in it from now on
    (a language chosen explicitly still wins). `read`: the one language whose danger phrases
    read the text, when its letters alone cannot tell ("نمیخوام زنده باشم" is Persian)."""
    typed = detect(text) or read
    if typed in SUPPORTED and context.user_data is not None:
        context.user_data[TYPED] = typed


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang if lang in SUPPORTED else DEFAULT)


# Units Relais writes itself where CLDR has no words of the language: Pashto would show "860 m"
# beside Arabic "860 مترًا" and Persian "860 متر".
UNIT_WORDS = {"ps": {"length-meter": "{0} متره", "length-kilometer": "{0} کیلومتره"}}


def format_distance(km: float, lang: str) -> str:
    """ "350 m" under a kilometre, "1,2 km" under ten, then "12 km" (CLDR units and decimals)."""
    if km < 1:
        value, unit = max(10, round(km * 1000, -1)), "length-meter"
    else:
        value, unit = (round(km, 1) if km < 10 else round(km)), "length-kilometer"
    return _distance_text(value, unit, lang)


@lru_cache(maxsize=4096, typed=True)  # typed: 10 and 10.0 may be written differently
def _distance_text(value: float, unit: str, lang: str) -> str:
    """Babel's unit formatting, remembered: it costs a result list about a millisecond and
    rounded distances take few values (10 m steps, then 100 m, then kilometres)."""
    words = UNIT_WORDS.get(lang, {}).get(unit)
    text = (
        words.format(format_decimal(value, locale=_locale(lang)))
        if words
        else format_unit(value, unit, length="short", locale=_locale(lang))
    )
    # Some CLDR patterns glue the unit to the number ("350متر"): keep them apart.
    return re.sub(r"(\d)(?=[^\W\d_])", "\\1\u00a0", text)


def format_time(t: time, lang: str) -> str:
    """A time of day as the language writes it: "09:00", "9:00 AM", "9:00 ص"."""
    if t.tzinfo is None:  # a wall-clock time, as services' hours are: remembered
        return _wall_time(t, lang)
    return _babel_time(t, format="short", locale=_locale(lang))


@lru_cache(maxsize=4096)
def _wall_time(t: time, lang: str) -> str:
    """Babel's short time (50 µs, five per result list); services open at few times."""
    return _babel_time(t, format="short", locale=_locale(lang))


def format_hours_range(opens: time, closes: time, lang: str) -> str:
    """An opening as CLDR writes intervals: "09:00 – 12:00", "9:00 AM – 12:00 PM", "9:00 تا 12:00"."""
    locale = _locale(lang)
    skeleton = "hm" if "h" in get_time_format("short", locale=locale).pattern else "Hm"
    return format_interval(opens, closes, skeleton, locale=locale)


# Weekday names Relais decides itself instead of following the installed Babel. Pashto: CLDR's
# names changed between releases (the native "دونۍ"… in Babel 2.18; Persian-derived names but the
# native "اونۍ", "week", for Saturday in 2.19). Afghan Pashto — that of most Pashto speakers in
# France — writes the Persian-derived names on calendars and in the press: one consistent set,
# Monday first.
WEEKDAY_NAMES = {"ps": ("دوشنبه", "سه شنبه", "چهارشنبه", "پنج شنبه", "جمعه", "شنبه", "یکشنبه")}


def format_weekday(i: int, lang: str) -> str:
    """Weekday name, 0 = Monday: "lundi", "Monday", "понеділок", "الاثنين"."""
    if lang in WEEKDAY_NAMES:
        return WEEKDAY_NAMES[lang][i]
    return get_day_names("wide", locale=_locale(lang))[i]


def format_date(d: date, lang: str) -> str:
    """A date with its month spelt out ("5 mars 2026"): easier to read than digits only."""
    return _babel_date(d, format="long", locale=_locale(lang))


def format_list(items: Iterable[str], lang: str) -> str:
    """ "A, B et C", "A, B, and C", "A وB وC"."""
    items = list(items)
    return _babel_list(items, locale=_locale(lang)) if items else ""


# Right-to-left display. Telegram lays out each line by its first strong character, so a line
# of an Arabic message that starts with a Latin name or a number would run left-to-right, and a
# phone number or street address inside Arabic text would have its parts reordered. We start
# every line with a RIGHT-TO-LEFT MARK and wrap Latin/number runs in LEFT-TO-RIGHT ISOLATEs.
RLM, LRI, PDI = "\u200f", "\u2066", "\u2069"
# HTML tags, HTML entities and runs already isolated are kept whole; anything else is one char.
_TOKENS = re.compile(r"</?[a-zA-Z][^<>]*>|&#?\w+;|[\u2066-\u2068][^\u2069]*\u2069|.", re.DOTALL)
_STRONG = {"L", "EN"}
_INSIDE = {"L", "EN", "ES", "ET", "CS", "WS", "NSM", "BN"}
_CLOSERS = ")]"
# Signs that belong to the Latin word after them: "+33…", "/forget", "@relais_bot", "#tag".
_OPENERS = "+/@#"
SEPARATOR = " · "  # between the facts of a line (name, commune, distance, state...)
SENTENCE_SPACES = 4  # a Latin run with this many spaces is a sentence, not a name


def _starts_run(token: str) -> bool:
    return len(token) == 1 and unicodedata.bidirectional(token) in _STRONG


def _inside_run(token: str) -> bool:
    if token.startswith("&"):
        return True
    if len(token) != 1:
        return False
    kind = unicodedata.bidirectional(token)
    return kind in _INSIDE or (kind == "ON" and unicodedata.category(token).startswith("P"))


def _needs_isolate(run: str) -> bool:
    """Anything but a plain number ("12", "1,2", "9:00"): Latin text, phones, "+33…", ranges."""
    return any(unicodedata.bidirectional(c) not in {"EN", "CS"} for c in run)


def _unit_sign(run: list[str], at: int) -> bool:
    """A currency or percent sign after a number ("2,50 €", "30 %") belongs to the run."""
    if len(run[at]) != 1 or unicodedata.bidirectional(run[at]) != "ET":
        return False
    before = "".join(run[:at]).rstrip(" \u00a0\u202f")
    return bool(before) and before[-1].isdigit()


def _close_run(run: list[str], *, last: bool = False) -> tuple[str, str]:
    """Split a run into its isolated part and the trailing spaces and punctuation. A run that
    ends the line and is a sentence of its own (a French description: several words) keeps its
    final punctuation, which would otherwise show at the start of a right-to-left line."""
    end = len(run)
    while end and not _starts_run(run[end - 1]) and not _unit_sign(run, end - 1):
        end -= 1
    if last and "".join(run[:end]).count(" ") >= SENTENCE_SPACES:
        while end < len(run) and not run[end].isspace():
            end += 1
    core = "".join(run[:end])
    for closer, opener in zip(_CLOSERS, "([", strict=True):
        while end < len(run) and run[end] == closer and core.count(opener) > core.count(closer):
            core += closer
            end += 1
    rest = "".join(run[end:])
    return (f"{LRI}{core}{PDI}" if _needs_isolate(core) else core), rest


def _isolate_line(line: str) -> str:
    """Each fact between " · " on its own: "Roubaix · 600 m" is two runs, not one that would
    put the unit beside the town."""
    return SEPARATOR.join(_isolate_part(part) for part in line.split(SEPARATOR))


def _isolate_part(line: str) -> str:
    out: list[str] = []
    run: list[str] = []
    for token in _TOKENS.findall(line):
        if run and _inside_run(token):
            run.append(token)
            continue
        if run:
            out.extend(_close_run(run))
            run = []
        if _starts_run(token) or token in _OPENERS:
            run = [token]
        else:
            out.append(token)
    if run:
        out.extend(_close_run(run, last=True))
    return "".join(out)


def bidi(text: str, lang: str) -> str:
    """Make a whole outgoing text (or button label) display right in `lang`; LTR unchanged.

    Idempotent: applying it twice gives the same text.
    """
    if lang not in RTL:
        return text
    lines = []
    for line in text.split("\n"):
        line = _isolate_line(line.lstrip(RLM))
        lines.append(f"{RLM}{line}" if line else line)
    return "\n".join(lines)


def apart(value: object, lang: str) -> str:
    """`value` as a run of its own in a right-to-left text: RIGHT-TO-LEFT MARKs around it keep
    `bidi` from joining it with the numbers or Latin words beside it (a line number, a field
    name, a quoted value), as a result's number is kept apart from its name."""
    return f"{RLM}{value}{RLM}" if lang in RTL else str(value)


def localized_field(service: Service, field: str, lang: str) -> tuple[str | None, bool]:
    """A translatable service field in `lang`: (text, True when it is the French fallback)."""
    french = getattr(service, field)
    if lang != DEFAULT:
        for translation in service.translations:
            if translation.lang == lang and translation.field == field and translation.text:
                return translation.text, False
    return french, bool(french) and lang != DEFAULT


_A_WORD = re.compile(r"[^\W\d_]{2}")  # two letters in a row: a text in some language


def localized(service: Service, field: str, lang: str) -> str | None:
    """The field in `lang`, else the French text marked "(in French)" in the user's language;
    a text of no language ("1 €", "0,50 € – 2 €") is no French to mark."""
    text, fallback = localized_field(service, field, lang)
    if not fallback or not _A_WORD.search(text or ""):
        return text
    return translator(lang).gettext("(in French)") + f" {text}"
