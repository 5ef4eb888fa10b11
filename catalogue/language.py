"""The language a free text is written in, when it is clear: a person whose phone is in French
but who writes "أحتاج مكان للنوم" is answered in Arabic.

Conservative on purpose (`data/languages.json`): the script first (most of the text's letters),
then letters only some of our languages write (Pashto's ړ ښ ې…, Persian's پ ک ی beside
Arabic's ة ك ي, Ukrainian's і ї є ґ beside Russian's ы э ъ), then words only one language of
that script has in the other data files. Latin-script languages share too many words: they need
several words of one language and none of another. Anything unclear gives None.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from catalogue.text import normalise, script_of, stem

DATA = Path(__file__).parent / "data"
# Data files holding words per language besides `synonyms/` and `stopwords/`.
_WORD_FILES = (
    "courtesy.json",
    "situations.json",
    "self_introductions.json",
    "chat.json",
    "audience.json",
    "info_words.json",
    "off_topic.json",
    "place_statements.json",
)


@cache
def _settings() -> dict[str, Any]:
    settings: dict[str, Any] = json.loads((DATA / "languages.json").read_text(encoding="utf-8"))
    return settings


def _strings(node: object) -> Iterator[str]:
    """Every string inside a JSON value (keys of a chat table included)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def _by_language(node: object, langs: frozenset[str]) -> Iterator[tuple[str, str]]:
    """(language, string) of the tables keyed by language code anywhere in a JSON value."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in langs:
                yield from ((key, s) for s in _strings(value))
            elif not key.startswith("_"):
                yield from _by_language(value, langs)
    elif isinstance(node, list):
        for item in node:
            yield from _by_language(item, langs)


@cache
def _owners() -> dict[str, frozenset[str]]:
    """Normalised word -> the languages whose data files have it."""
    langs = frozenset(lang for group in _settings()["scripts"].values() for lang in group)
    pairs: list[tuple[str, str]] = []
    for lang in langs:
        stops = (DATA / "stopwords" / f"{lang}.txt").read_text(encoding="utf-8").splitlines()
        pairs += [(lang, line) for line in stops if not line.startswith("#")]
        synonyms = json.loads((DATA / "synonyms" / f"{lang}.json").read_text(encoding="utf-8"))
        pairs += [(lang, s) for s in _strings(synonyms)]
    for name in _WORD_FILES:
        pairs += _by_language(json.loads((DATA / name).read_text(encoding="utf-8")), langs)
    owners: dict[str, set[str]] = {}
    for lang, text in pairs:
        for word in normalise(text).split():
            owners.setdefault(word, set()).add(lang)
    return {word: frozenset(langs) for word, langs in owners.items()}


def detect(text: str) -> str | None:
    """The language `text` is clearly written in, else None."""
    settings = _settings()
    raw = text.casefold().split()
    scripts = Counter(script_of(normalise(word)) for word in raw)
    scripts.pop("other", None)
    if not scripts:
        return None
    script, count = scripts.most_common(1)[0]
    if count * 2 <= sum(scripts.values()):
        return None
    candidates = settings["scripts"].get(script, [])
    votes: Counter[str] = Counter()
    sure: set[str] = set()
    for word in raw:
        for mark in settings["letters"]:
            if any(letter in word for letter in mark["letters"]):
                langs = [lang for lang in mark["languages"] if lang in candidates]
                votes.update(langs)
                if mark.get("sure"):
                    sure.update(langs)
    if len(sure) == 1:
        return sure.pop()
    owners = _owners()
    for word in set(normalise(text).split()):
        langs = [lang for lang in owners.get(word, ()) if lang in candidates]
        if len(langs) == 1:
            votes[langs[0]] += 1
    ranked = [*votes.most_common(2), ("", 0), ("", 0)]
    (best, most), (_, second) = ranked[0], ranked[1]
    if script == "latin":
        return best if most >= settings["latin_votes"] and second == 0 else None
    return best if most > second else None


@cache
def _known_stems(script: str) -> frozenset[str]:
    """Comparison keys of the data files' words in `script`."""
    return frozenset(stem(w) for w in _owners() if script_of(w) == script)


@cache
def _readings() -> dict[str, list[tuple[str, str]]]:
    """Per language: Latin letter groups and their Cyrillic letters, longest first."""
    data = json.loads((DATA / "transliteration.json").read_text(encoding="utf-8"))
    return {
        lang: sorted(table.items(), key=lambda kv: -len(kv[0]))
        for lang, table in data.items()
        if not lang.startswith("_")
    }


def _to_cyrillic(word: str, table: list[tuple[str, str]]) -> str:
    out, i = [], 0
    while i < len(word):
        latin, cyrillic = next(
            ((k, v) for k, v in table if word.startswith(k, i)), (word[i], word[i])
        )
        out.append(cyrillic)
        i += len(latin)
    return "".join(out)


def from_latin(word: str) -> str | None:
    """The Cyrillic word a normalised Latin-letter word stands for ("vrach": "врач"), when it is
    no word of the Latin-script languages' data and its reading is one of Russian's or
    Ukrainian's (`data/transliteration.json`); else None."""
    if (
        len(word) < 3
        or not word.isascii()
        or not word.isalpha()
        or word in _owners()
        or stem(word) in _known_stems("latin")
    ):
        return None
    known = _known_stems("cyrillic")
    for table in _readings().values():
        cyrillic = normalise(_to_cyrillic(word, table))
        if stem(cyrillic) in known:
            return cyrillic
    return None
