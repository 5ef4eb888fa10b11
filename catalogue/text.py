"""Text normalisation shared by search, places and taxonomy: one folded form per script.

People type with or without accents, in Latin, Arabic or Cyrillic script, with the letter
variants their keyboard gives them. Everything we compare goes through `normalise` first.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that are the same for matching purposes (after combining marks are removed).
_FOLD = str.maketrans(
    {
        # Arabic script: alef variants, alef maqsura / Persian yeh, teh marbuta, kaf, heh.
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",
        "ې": "ي",
        "ۍ": "ي",
        "ئ": "ي",
        "ة": "ه",
        "ۀ": "ه",
        "ە": "ه",
        "ک": "ك",
        "ؤ": "و",
        "ـ": None,  # tatweel
        "\u200c": " ",  # zero-width non-joiner (Persian): a word boundary for matching
        "\u200d": None,
        "\u200e": None,
        "\u200f": None,
        # Cyrillic: ё→е, Ukrainian ї/і→и-like forms are kept apart but folded to і.
        "ё": "е",
        "ї": "і",
        "ґ": "г",
        # Latin ligatures and letters NFKD does not split.
        "œ": "oe",
        "æ": "ae",
        "ß": "ss",
        "ø": "o",
        "ł": "l",
        "đ": "d",
        # Apostrophes and dashes people type.
        "’": "'",
        "ʼ": "'",
        "`": "'",
        "‘": "'",
        "–": "-",
        "—": "-",
    }
)
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
# Arabic-Indic and Persian digits read as ASCII digits (postcodes typed on an Arabic keyboard).
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def fold(text: str) -> str:
    """Case-fold, drop combining marks (accents, Arabic harakat, hamza seats) and unify letters."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.translate(_FOLD).translate(_DIGITS)


def normalise(text: str) -> str:
    """Folded text with punctuation turned into single spaces: the form every index stores."""
    return " ".join(_NON_WORD.sub(" ", fold(text)).replace("_", " ").split())


def tokens(text: str) -> list[str]:
    """The words of a normalised text."""
    return normalise(text).split()
