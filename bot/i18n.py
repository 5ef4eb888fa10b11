"""Per-user translation and CLDR formatting.

Each update gets the translator of its user's language (stored preference, else Telegram's
`language_code` negotiated with Babel, else French): there is no global `_` shared between users.
Messages are English msgids with `{name}` placeholders filled by `str.format` (keyword names).
"""

from __future__ import annotations

from datetime import date, time
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_time as _babel_time
from babel.dates import get_day_names
from babel.lists import format_list as _babel_list
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

SUPPORTED: tuple[str, ...] = ("fr", "en", "ar", "uk", "ru", "es", "fa", "ps", "ro")
DEFAULT = "fr"
RTL = frozenset({"ar", "fa", "ps"})
LOCALES_DIR = Path(__file__).resolve().parents[1] / "locales"


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
    """The translator of `lang` (compiled catalogue in locales/, else the English msgids)."""
    lang = lang if lang in SUPPORTED else DEFAULT
    translations = Translations.load(str(LOCALES_DIR), [lang], domain="messages")
    return Translator(lang, translations)


def negotiate(language_code: str | None) -> str | None:
    """A supported language for a Telegram `language_code` such as "pt-br" or "uk", or None."""
    if not language_code:
        return None
    locale = Locale.negotiate([language_code.replace("-", "_")], list(SUPPORTED))
    return locale.language if locale else None


def user_language(update: Any, context: Any) -> str:  # noqa: ANN401 (PTB Update/Context)
    """Stored preference, else the Telegram client language, else French."""
    user_data = getattr(context, "user_data", None) or {}
    stored = user_data.get("lang")
    if stored in SUPPORTED:
        return stored
    user = getattr(update, "effective_user", None)
    return negotiate(getattr(user, "language_code", None)) or DEFAULT


def _locale(lang: str) -> Locale:
    return Locale.parse(lang if lang in SUPPORTED else DEFAULT)


def format_distance(km: float, lang: str) -> str:
    """"350 m" under a kilometre, else "1,2 km" in the language's number format."""
    if km < 1:
        meters = max(10, round(km * 1000, -1))
        return f"{format_decimal(meters, format='#,##0', locale=_locale(lang))} m"
    return f"{format_decimal(km, format='#,##0.#', locale=_locale(lang))} km"


def format_time(t: time, lang: str) -> str:
    return _babel_time(t, format="short", locale=_locale(lang))


def format_weekday(i: int, lang: str) -> str:
    """Weekday name, 0 = Monday."""
    return get_day_names("wide", locale=_locale(lang))[i]


def format_date(d: date, lang: str) -> str:
    return _babel_date(d, format="long", locale=_locale(lang))


def format_list(items: list[str], lang: str) -> str:
    return _babel_list(items, locale=_locale(lang)) if items else ""


def bidi(text: str, lang: str) -> str:
    """Start right-to-left messages with a RIGHT-TO-LEFT MARK so mixed Latin text stays in order."""
    return f"\u200f{text}" if lang in RTL else text
