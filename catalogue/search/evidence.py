"""Evidence gathering: which services a query's needs, names and description words point to
(postings), and how well, merged into one candidate list whose few multiply-touched services
get per-kind scores and query bits."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from catalogue import taxonomy
from catalogue.names import NameIndex
from catalogue.needs import Lexicon
from catalogue.search.features import Array, Features, mask
from catalogue.search.query import _Reading
from catalogue.search.weights import Weights
from catalogue.text import normalise, stem, to_latin

CATEGORY, NAME, TEXT, BONUS = range(4)  # kinds of evidence
_EMPTY = np.zeros(0, np.int64)
_NONE = np.zeros(0)
_DATA = Path(__file__).resolve().parents[1] / "data"


@dataclass(frozen=True)
class _Part:
    """Evidence for some services: kind, services, score (array or one value), query bits."""

    kind: int
    services: Array
    scores: Array | float
    bits: Array | int
    unique: bool = True  # no service twice in `services`


@dataclass(frozen=True)
class _Evidence:
    """Candidates: `base` evidence for all (scores `base_scores`), and exact per-kind scores
    and query bits for the `touched` positions that other evidence reached."""

    cand: Array
    base: _Part
    base_scores: Array
    touched: Array
    scores: Array  # (kind, touched position); the last column: reached by the base only
    bits: Array  # (kind, touched position), the same columns

    def why(self, positions: Array) -> list[str]:
        """Why the candidates at `positions` matched: "category", "name" or "text"."""
        base = {CATEGORY: "category", NAME: "name"}.get(self.base.kind, "text")
        at = np.minimum(np.searchsorted(self.touched, positions), max(len(self.touched) - 1, 0))
        reached = (
            self.touched[at] == positions if len(self.touched) else np.zeros(len(positions), bool)
        )
        return [_why(self.scores[CATEGORY, t], self.scores[NAME, t]) if hit else base
                for t, hit in zip(at.tolist(), reached.tolist(), strict=True)]  # fmt: skip


def _why(category: float, name: float) -> str:
    if category == 0 and name == 0:
        return "text"
    return "category" if category >= name else "name"


@dataclass
class Postings:
    """Where a query's evidence is found: need postings (cached per key), names, description
    words; and the scratch slot map `gather` uses."""

    features: Features
    names: NameIndex
    lex: Lexicon
    weights: Weights
    size: int
    _need_cache: dict[tuple[str, bool], tuple[Array, Array]] = field(
        default_factory=dict, repr=False
    )
    _scratch: threading.local = field(default_factory=threading.local, repr=False)

    def parts(self, reading: _Reading, strict: bool) -> list[_Part]:
        """All evidence for `reading`: needs, names (read again without words asking about a
        named place), description words."""
        names = self._name_parts(reading)
        if names:
            names = self._about_a_name(reading) or names
        return [*self._need_parts(reading, strict), *names, *self.text_parts(reading)]

    def slots(self) -> Array:
        """A catalogue-wide array of -1 for this thread, reused by every search (allocating
        it costs more than the rest of a small search)."""
        slots: Array | None = getattr(self._scratch, "slots", None)
        if slots is None:
            slots = self._scratch.slots = np.full(self.size, -1, np.int64)
        return slots

    def known_bits(self, reading: _Reading) -> int:
        """Query words the catalogue's vocabularies know (synonyms, situations, names,
        descriptions): left unexplained they count less, an unknown word ("bitcoin", "paella")
        counts fully."""
        bits = 0
        for i, word in enumerate(reading.words):
            if word and (
                self.lex.vocabulary.matches(word)
                or self.lex.frames.vocabulary.matches(word)
                or self.names.latin.matches(to_latin(word))
                or word in self.features.postings
            ):
                bits |= 1 << i
        return bits

    def text_parts(self, reading: _Reading) -> list[_Part]:
        parts = []
        for i, word in enumerate(reading.words):
            if word and reading.content >> i & 1:
                idx = self.features.postings.get(word)
                if idx is not None:
                    parts.append(_Part(TEXT, idx, self.weights.text_score, 1 << i))
        return parts

    def _need_postings(self, key: str, strict: bool) -> tuple[Array, Array]:
        """Services answering a need key (a group: any of its children) and how well: a bit less
        for a service tagged only with the whole group of a child need (none when `strict`)."""
        cached = self._need_cache.get((key, strict))
        if cached is None:
            tagged = self.features.tagged
            category = taxonomy.get_category(key)
            wider = dict.fromkeys(taxonomy.expand(key), 1.0) | _peripheral().get(key, {})
            if category is not None and category.group is not None and not strict:
                wider[category.group] = self.weights.wider
            keys = [k for k in wider if k in tagged and wider[k] > 0]
            idx = np.concatenate([tagged[k] for k in keys] + [_EMPTY])
            weight = np.concatenate([np.full(len(tagged[k]), wider[k]) for k in keys] + [_NONE])
            order = np.lexsort((-weight, idx))  # each service once, with its best weight
            first = np.ones(len(idx), bool)
            first[1:] = idx[order][1:] != idx[order][:-1]
            cached = (idx[order][first], weight[order][first])
            self._need_cache[(key, strict)] = cached
        return cached

    def _need_parts(self, reading: _Reading, strict: bool) -> list[_Part]:
        parts = []
        for need in reading.needs.values():
            idx, weight = self._need_postings(need.key, strict)
            if len(idx):
                parts.append(_Part(CATEGORY, idx, need.score * weight, need.words))
        return parts

    def _about_a_name(self, reading: _Reading) -> list[_Part]:
        """Beside a name, "horaires", "adresse", "téléphone" ask about that place: they are not
        needs and not words the name should explain. Returns the name parts read again without
        them (empty when the query has none)."""
        info = 0
        for i, word in enumerate(reading.words):
            if word and word in _info_words():
                info |= 1 << i
        if not info & reading.content:
            return []
        reading.content &= ~info
        reading.needs = {k: n for k, n in reading.needs.items() if n.words & ~info}
        return self._name_parts(reading)

    def _name_parts(self, reading: _Reading) -> list[_Part]:
        found = self.names.match(reading.words, reading.raw, reading.content)
        if found is None:
            return []
        return [_Part(NAME, found.services, found.scores, found.bits, unique=False),
                _Part(BONUS, found.services, found.bonus, 0, unique=False)]  # fmt: skip


def gather(parts: list[_Part], n: int, slot: Array) -> _Evidence:
    """Candidates among n services and their evidence. The largest part is the base ("food" for
    "colis alimentaire"); the others are located in it through `slot`, a catalogue-wide map
    (all -1, and left so), so the cost follows the small parts, and only the candidates they
    touch get per-candidate scores."""
    unique = [p for p in parts if p.unique]
    if not unique:
        unique = [_Part(CATEGORY, _union([p.services for p in parts], n), 0.0, 0)]
        parts = unique + parts
    base = max(unique, key=lambda p: len(p.services))
    size = len(base.services)
    others = [p for p in parts if p is not base]
    extra = _EMPTY
    try:
        slot[base.services] = np.arange(size)
        extra = _union([p.services[slot[p.services] < 0] for p in others], n)
        slot[extra] = np.arange(size, size + len(extra))
        ats = [slot[p.services] for p in others]
    finally:
        slot[base.services] = -1
        slot[extra] = -1
    cand = np.concatenate([base.services, extra]) if len(extra) else base.services
    base_scores = np.zeros(len(cand))
    base_scores[:size] = base.scores
    touched = _union(ats, len(cand)) if ats else _EMPTY
    position = np.zeros(len(cand), np.int64)  # candidate position -> touched position
    position[touched] = np.arange(len(touched))
    # One column per touched candidate, and a last one for a candidate only the base reached,
    # with a base score of 1 (its relevance scales the others' base scores).
    scores, bits = np.zeros((4, len(touched) + 1)), np.zeros((3, len(touched) + 1), np.int64)
    scores[base.kind, -1] = 1.0
    if base.kind < BONUS:
        bits[base.kind, -1] = base.bits
    from_base = np.flatnonzero(touched < size)
    scores[base.kind, from_base] = base_scores[touched[from_base]]
    if base.kind < BONUS:
        bits[base.kind, from_base] = base.bits
    for part, at in zip(others, ats, strict=True):
        where = position[at]
        if part.unique:
            scores[part.kind, where] = np.maximum(scores[part.kind, where], part.scores)
            if part.kind < BONUS:
                bits[part.kind, where] |= part.bits
        else:
            np.maximum.at(scores[part.kind], where, part.scores)
            if part.kind < BONUS:
                np.bitwise_or.at(bits[part.kind], where, part.bits)
    return _Evidence(cand, base, base_scores, touched, scores, bits)


def _union(arrays: Sequence[Array], n: int) -> Array:
    """The distinct indexes (below n) in `arrays`, sorted: a few by sorting, many through a
    mask of n. (np.unique hashes: several times slower than either here.)"""
    arrays = [a for a in arrays if len(a)]
    if not arrays:
        return _EMPTY
    indexes = np.concatenate(arrays) if len(arrays) > 1 else arrays[0]
    if len(indexes) * 5 >= n:
        return np.flatnonzero(mask(n, indexes))
    ordered = np.sort(indexes)
    first = np.ones(len(ordered), bool)
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


@cache
def _info_words() -> frozenset[str]:
    """Comparison keys of the words asking about a place (`data/info_words.json`)."""
    data = json.loads((_DATA / "info_words.json").read_text(encoding="utf-8"))
    return frozenset(stem(w) for lang, ws in data.items() if not lang.startswith("_")
                     for phrase in ws for w in normalise(phrase).split())  # fmt: skip


@cache
def _peripheral() -> dict[str, dict[str, float]]:
    """Per group: children that answer the group's need less (`data/peripheral.json`)."""
    data = json.loads((_DATA / "peripheral.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}
