"""Phone numbers read from files: parsed with phonenumbers and written one way.

Numbers are stored in the international format the admin `/add` step writes ("+33 3 20 12 34
56"), national short numbers (115, 3919) as their digits, so that the same number read from a
sheet, an HSDS file or a chat compares equal, and the bot can make it tappable.
"""

from __future__ import annotations

from typing import Any

import phonenumbers

from catalogue.text import N_

REGION = "FR"  # numbers written without +country are French
_QUOTES = "\"'“”«» \t"


class PhoneError(ValueError):
    """Not a phone number; `message` (marked for translation) and `params` say why."""

    def __init__(self, message: str, **params: Any) -> None:
        self.message, self.params = message, params
        super().__init__(message.format(**params))


def normalise_phone(text: str) -> str:
    """The number in its stored form; PhoneError with the reason when it is not one."""
    raw = text.strip().strip(_QUOTES)
    try:
        number = phonenumbers.parse(raw, REGION)
    except phonenumbers.NumberParseException as exc:
        raise PhoneError(N_("not a phone number: '{text}'"), text=text) from exc
    if phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if phonenumbers.shortnumberinfo.is_valid_short_number(number):
        return str(number.national_number)
    raise PhoneError(N_("not a valid phone number: '{text}'"), text=text)
