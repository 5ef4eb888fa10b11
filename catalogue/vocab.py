"""Typo-tolerant lookup of one typed word in a fixed list of words (rapidfuzz, no Python loop).

Search compares every word a person typed with the words of the synonym lists and of service
names. Exact hits are a dictionary lookup. Unknown words (typos, other spellings) are compared
with `rapidfuzz.process.extract` over the words of the same script whose length makes the
similarity cut-off reachable, in one call; answers are cached because people repeat words.
Before that, a numpy pass drops the words whose letters alone rule them out: each letter one
word has and the other lacks costs at least one insertion or deletion, so the count of such
letters is a lower bound of the distance `fuzz.ratio` is computed from.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from catalogue.text import script_of

CACHE_SIZE = 50_000


def cutoff(length: int, *, loose: bool = False) -> float | None:
    """Lowest similarity (0-100) accepted for a word of this length; None: exact only.

    Short words are too easy to confuse ("bus"/"bis", "meteo"/"metro"): up to five letters
    only a missing or extra letter is accepted; from six letters any one typo. Names are
    rarer words, so a `loose` vocabulary accepts any one typo from five letters.
    """
    if length <= 3:
        return None
    return 85.0 if length == 4 or (length == 5 and not loose) else 80.0


def letters(word: str) -> int:
    """The letters of `word` as bits of a 64-bit mask (code point modulo 64: letters that share
    a bit only make the bound looser)."""
    mask = 0
    for ch in word:
        mask |= 1 << (ord(ch) & 63)
    return mask


@dataclass(frozen=True)
class _Bucket:
    """The words of one script, sorted by length, with their lengths and letter masks."""

    words: list[str]
    first: int  # vocabulary id of words[0]
    sizes: np.ndarray  # len(word), ascending
    masks: np.ndarray  # letters(word), uint64


class Vocabulary:
    """Distinct words, numbered; `matches(word)` -> ((id, similarity 0..1), ...)."""

    def __init__(self, words: Iterable[str], *, loose: bool = False) -> None:
        self.loose = loose
        self.words: list[str] = sorted(set(words), key=lambda w: (script_of(w), len(w), w))
        self.ids: dict[str, int] = {w: i for i, w in enumerate(self.words)}
        by_script: dict[str, list[int]] = {}
        for i, word in enumerate(self.words):
            by_script.setdefault(script_of(word), []).append(i)
        self._scripts: dict[str, _Bucket] = {}
        for script, ids in by_script.items():
            words = [self.words[i] for i in ids]
            self._scripts[script] = _Bucket(
                words, ids[0], np.array([len(w) for w in words]),
                np.array([letters(w) for w in words], np.uint64),
            )  # fmt: skip
        self._alphabetical = sorted(self.words)
        self._cache: dict[str, tuple[tuple[int, float], ...]] = {}

    def __len__(self) -> int:
        return len(self.words)

    def matches(self, word: str) -> tuple[tuple[int, float], ...]:
        """The vocabulary words close to `word` (itself first when known), with similarity."""
        found = self._cache.get(word)
        if found is None:
            found = self._lookup(word)
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()
            self._cache[word] = found
        return found

    def clear_cache(self) -> None:
        self._cache.clear()

    def _lookup(self, word: str) -> tuple[tuple[int, float], ...]:
        """A known word with its own other forms; an unknown word: its close neighbours."""
        exact = self.ids.get(word)
        if exact is not None:
            return ((exact, 1.0), *self._forms(word))
        cut = cutoff(len(word), loose=self.loose)
        bucket = self._scripts.get(script_of(word))
        if cut is None or bucket is None:
            return ()
        ratio = cut / 100
        shortest = int(len(word) * ratio / (2 - ratio))
        longest = int(len(word) * (2 - ratio) / ratio) + 1
        start = int(np.searchsorted(bucket.sizes, max(4, shortest), "left"))
        end = int(np.searchsorted(bucket.sizes, longest, "right"))
        # ratio >= cut  <=>  distance <= (100 - cut) * (both lengths) / 100; letters one word
        # lacks are a lower bound of that distance.
        most = (100 - cut) * (len(word) + bucket.sizes[start:end]) / 100
        apart = np.bitwise_count(bucket.masks[start:end] ^ np.uint64(letters(word)))
        near = np.flatnonzero(apart <= most)
        if not len(near):
            return ()
        hits = process.extract(
            word, [bucket.words[start + j] for j in near], scorer=fuzz.ratio, score_cutoff=cut,
            limit=None,
        )  # fmt: skip
        # The shorter word of the pair sets the bar: "cinema" is not "cina" plus one typo.
        return tuple(
            (bucket.first + start + int(near[index]), score / 100)
            for found, score, index in hits
            if len(found) >= len(word) or score >= (cutoff(len(found), loose=self.loose) or 101)
        )

    def _forms(self, word: str) -> tuple[tuple[int, float], ...]:
        """Other forms of a known word: one or two letters more or less at the end ("douche",
        "doucher"; "ملابسي" is also "ملابس"), never another word ("couche"). A shorter form keeps
        five letters: a four-letter root is often another word ("street" is not "stre-ss")."""
        if len(word) < 4:
            return ()
        shorter = [word[:-k] for k in (1, 2) if len(word) - k >= 5]
        start = bisect.bisect_right(self._alphabetical, word)
        longer = []
        for other in self._alphabetical[start : start + 50]:
            if not other.startswith(word):
                break
            if len(other) - len(word) <= 2:
                longer.append(other)
        return tuple(
            (self.ids[w], 2 * min(len(w), len(word)) / (len(w) + len(word)))
            for w in (*shorter, *longer)
            if w in self.ids
        )
