"""Text normalisation shared by search, places and taxonomy: one folded form per script.

People type with or without accents, in Latin, Arabic or Cyrillic script, with the letter
variants their keyboard gives them. Everything we compare goes through `normalise` first.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

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
        # Pashto letters typed with a Persian keyboard come out as their nearest Persian letter.
        "ګ": "گ",
        "ډ": "د",
        "ټ": "ت",
        "ړ": "ر",
        "ڼ": "ن",
        "ښ": "ش",
        "ږ": "ژ",
        "ځ": "ز",
        "څ": "س",
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
# Pictographs that say a need (🍞 🚿 🛏 🩺 👕, `data/emoji.json`) are words of their own: a need
# may be said with one alone. Others (🙏 😢) are dropped like punctuation.
_PICTOGRAPHS = "\U0001f300-\U0001faff\u2600-\u27bf"
_NON_WORD = re.compile(rf"[^\w{_PICTOGRAPHS}]+", re.UNICODE)
_PICTOGRAPH = re.compile(rf"[{_PICTOGRAPHS}]")


@cache
def _need_pictographs() -> frozenset[str]:
    data = json.loads((Path(__file__).parent / "data" / "emoji.json").read_text(encoding="utf-8"))
    return frozenset(e for key, es in data.items() if not key.startswith("_") for e in es)


def _pictograph(match: re.Match[str]) -> str:
    return f" {match[0]} " if match[0] in _need_pictographs() else " "


# Arabic-Indic and Persian digits read as ASCII digits (postcodes typed on an Arabic keyboard).
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def N_(message: str) -> str:
    """Mark an English message for extraction: catalogue/ keeps it as it is, with its {named}
    parameters apart, and the bot says it in the admin's language (see `Problem.text`)."""
    return message


def fold(text: str) -> str:
    """Case-fold, drop combining marks (accents, Arabic harakat, hamza seats) and unify letters."""
    text = text.casefold()
    if text.isascii():  # nothing to decompose, drop or unify but the grave accent's apostrophe
        return text.replace("`", "'")
    return unicodedata.normalize("NFKD", text).translate(_UNIFY)


class _Marks(dict[int, int | str | None]):
    """A `str.translate` table deleting combining characters, filled as characters are met
    (one dictionary look-up per character instead of a Python call)."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


# One pass: no letter `_FOLD` or `_DIGITS` maps is a combining mark, none gives a digit.
_UNIFY = _Marks({**_FOLD, **_DIGITS})


# Latin and Cyrillic letters that look alike: a word typed mostly in one script with a stray
# letter of the other ("лiкар" with a Latin i) is written wholly in its main script.
_LATIN_TWINS, _CYRILLIC_TWINS = "aceiopxykmthb", "асеіорхукмтнв"
_TO_CYRILLIC = str.maketrans(_LATIN_TWINS, _CYRILLIC_TWINS)
_FROM_CYRILLIC = str.maketrans(_CYRILLIC_TWINS, _LATIN_TWINS)
_MIXED = re.compile(r"[a-z][\u0400-\u04ff]|[\u0400-\u04ff][a-z]")


def _one_script(word: str) -> str:
    cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in word)
    latin = sum("a" <= ch <= "z" for ch in word)
    if not cyrillic or not latin:
        return word
    return word.translate(_TO_CYRILLIC if cyrillic >= latin else _FROM_CYRILLIC)


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """Folded text with punctuation turned into single spaces: the form every index stores.
    (Remembered: a query's text is normalised by each part of search that reads it.)"""
    folded = fold(text)
    if not folded.isascii():
        folded = _PICTOGRAPH.sub(_pictograph, folded)
    words = _NON_WORD.sub(" ", folded).replace("_", " ").split()
    if _MIXED.search(folded):
        words = [_one_script(w) for w in words]
    return " ".join(words)


def tokens(text: str) -> list[str]:
    """The words of a normalised text."""
    return normalise(text).split()


# --------------------------------------------------------------------------- matching keys
# Light, per-script reductions used only to compare words: a plural, an Arabic article or a
# Russian case ending must not hide a word that people typed.

_ARABIC_PREFIXES = ("وبال", "وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل")
_CYRILLIC_ENDINGS = tuple(
    sorted(
        [
            "ами",
            "ями",
            "ого",
            "его",
            "ому",
            "ему",
            "ими",
            "ыми",
            "ой",
            "ей",
            "ою",
            "ею",
            "ую",
            "юю",
            "ая",
            "яя",
            "ое",
            "ее",
            "ые",
            "іе",
            "ий",
            "ый",
            "ів",
            "ов",
            "ев",
            "ам",
            "ям",
            "ах",
            "ях",
            "ом",
            "ем",
            "ам",
            "ах",
            "а",
            "я",
            "о",
            "е",
            "у",
            "ю",
            "ы",
            "и",
            "і",
            "ь",
            "й",
        ],
        key=len,
        reverse=True,
    )
)


def script_of(word: str) -> str:
    """ "latin", "arabic" (Arabic, Persian, Pashto), "cyrillic" or "other" (digits...)."""
    for ch in word:
        if "a" <= ch <= "z":
            return "latin"
        if "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f":
            return "arabic"
        if "\u0400" <= ch <= "\u04ff":
            return "cyrillic"
    return "other"


def stem(word: str) -> str:
    """A comparison key for a normalised word: drops an Arabic article/conjunction, a Cyrillic
    case ending or a Latin plural -s/-x, keeping at least three letters (two in Cyrillic)."""
    script = script_of(word)
    if script == "arabic":
        for prefix in _ARABIC_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 3:
                return word[len(prefix) :]
        return word
    if script == "cyrillic":
        for ending in _CYRILLIC_ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 2:
                return word[: -len(ending)]
        return word
    if script == "latin" and len(word) > 3 and word[-1] in "sx" and word[-2] != word[-1]:
        return word[:-1]
    return word


_TO_LATIN = str.maketrans(
    {
        # Arabic, Persian and Pashto (after `fold`): consonants; alef/waw/yeh read as vowels.
        "ا": "a", "ب": "b", "پ": "p", "ت": "t", "ث": "s", "ج": "j", "چ": "ch", "ح": "h",
        "خ": "kh", "د": "d", "ذ": "z", "ر": "r", "ز": "z", "ژ": "j", "س": "s", "ش": "sh",
        "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "", "غ": "gh", "ف": "f", "ق": "k",
        "ك": "k", "گ": "g", "ل": "l", "م": "m", "ن": "n", "و": "u", "ه": "h", "ي": "i",
        "ء": "", "ڤ": "v",
        # Cyrillic (Russian and Ukrainian).
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "є": "ie", "ж": "j",
        "з": "z", "и": "i", "і": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n",
        "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh",
        "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "i", "ь": "", "э": "e",
        "ю": "iu", "я": "ia",
    }
)  # fmt: skip
_SOUNDS = (
    ("ph", "f"), ("ck", "k"), ("qu", "k"), ("q", "k"), ("ce", "se"), ("ci", "si"),
    ("c", "k"), ("x", "ks"), ("w", "v"), ("y", "i"), ("kh", "k"), ("sh", "ch"), ("h", ""),
)  # fmt: skip
_VOWEL_RUN = re.compile(r"[aeiou]+")
_REPEAT = re.compile(r"(.)\1+")


def to_latin(text: str) -> str:
    """Normalised text with Arabic-script and Cyrillic letters written in Latin letters, so that
    "إيماوس كونكت" and "Эммаус" can be compared with "Emmaüs Connect"."""
    return normalise(text).translate(_TO_LATIN)


def sound_key(word: str) -> str:
    """How a Latin(ised) word sounds, roughly: c/k/q alike, doubled letters and vowel runs
    collapsed ("connect", "konekt" and "kunkt" come close). Only for comparing names."""
    for old, new in _SOUNDS:
        word = word.replace(old, new)
    return _VOWEL_RUN.sub("a", _REPEAT.sub(r"\1", word))


def skeleton(key: str) -> str:
    """The consonants of a `sound_key`: Arabic script often leaves vowels out ("كنكت")."""
    return key.replace("a", "")


def is_number(text: str) -> bool:
    """Only the digits 0-9 (not "²" or "①", which `str.isdigit` accepts and `int` refuses)."""
    return text.isascii() and text.isdigit()
