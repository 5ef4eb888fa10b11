"""Soliguide category keys, their groups and short labels in the nine interface languages.

The keys are Soliguide's (spelt as Soliguide spells them, `accomodation_and_housing`,
`animal_assitance`) so that data can be exchanged with Soliguide-style directories. The data
lives in `data/taxonomy.json`; labels are short because they are shown on Telegram buttons.
Synonyms (how people really say a need) live in `data/synonyms/<lang>.json`, filled by search.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

from catalogue.text import normalise

DATA = Path(__file__).parent / "data"
TAXONOMY_FILE = DATA / "taxonomy.json"
SYNONYMS_DIR = DATA / "synonyms"

LANGUAGES: tuple[str, ...] = ("fr", "en", "ar", "uk", "ru", "es", "fa", "ps", "ro")


@dataclass(frozen=True)
class Category:
    """A Soliguide key. `group` is None for a top-level group (standalone keys included)."""

    key: str
    group: str | None
    labels: Mapping[str, str]


@cache
def _load() -> tuple[dict[str, Category], dict[str, frozenset[str]]]:
    """Categories in display order, and what each key expands to."""
    raw = json.loads(TAXONOMY_FILE.read_text(encoding="utf-8"))["categories"]
    categories = {
        key: Category(key, entry["group"], MappingProxyType(dict(entry["labels"])))
        for key, entry in raw.items()
    }
    members: dict[str, set[str]] = {key: {key} for key in categories}
    for key, entry in raw.items():
        for parent in (entry["group"], entry.get("parent")):
            if parent is not None:
                members[parent].add(key)
    return categories, {key: frozenset(keys) for key, keys in members.items()}


def get_category(key: str) -> Category | None:
    return _load()[0].get(key)


@cache
def _by_label() -> dict[str, str]:
    """Normalised key or label, in any language, -> its key; a label two keys share is left
    out (it names neither)."""
    keys: dict[str, set[str]] = {}
    for category in _load()[0].values():
        for text in (category.key, *category.labels.values()):
            keys.setdefault(normalise(text), set()).add(category.key)
    return {text: next(iter(found)) for text, found in keys.items() if len(found) == 1}


def key_of(text: str) -> str | None:
    """The key a key or a label in any of the nine languages names ("Manger", "food",
    "Поесть"), whatever its case and accents; None when it names none or several."""
    if text in _load()[0]:
        return text
    return _by_label().get(normalise(text))


def all_categories() -> list[Category]:
    """Every key, groups and children, in display order."""
    return list(_load()[0].values())


def groups() -> list[Category]:
    """Top-level groups in display order (the first buttons a person sees)."""
    return [c for c in _load()[0].values() if c.group is None]


def children(group_key: str) -> list[Category]:
    """The keys of a group, in display order; empty for a standalone group or an unknown key."""
    return [c for c in _load()[0].values() if c.group == group_key]


def label(key: str, lang: str) -> str:
    """The label in `lang`, else French, else the key itself (never raises)."""
    category = get_category(key)
    if category is None:
        return key
    return category.labels.get(lang) or category.labels.get("fr") or key


def expand(key: str) -> frozenset[str]:
    """A group -> itself and its children (health_specialists -> the specialists); a child ->
    {key}. An unknown key expands to itself so that callers never lose what was asked."""
    return _load()[1].get(key, frozenset({key}))


@cache
def synonyms(lang: str) -> Mapping[str, tuple[str, ...]]:
    """Phrases per key for `lang` from data/synonyms/<lang>.json; empty when the file is missing."""
    path = SYNONYMS_DIR / f"{lang}.json"
    if lang not in LANGUAGES or not path.is_file():
        return MappingProxyType({})
    raw = json.loads(path.read_text(encoding="utf-8"))
    return MappingProxyType(
        {key: tuple(phrases) for key, phrases in raw.items() if isinstance(phrases, list)}
    )
