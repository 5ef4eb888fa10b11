"""Typo-tolerant lookup of one typed word in a fixed list of words (rapidfuzz, no Python loop).

Search compares every word a person typed with the words of the synonym lists and of service
names. Exact hits are a dictionary lookup. Unknown words (typos, other spellings) are compared
with `rapidfuzz.process.extract` over the words of the same script whose length makes the
similarity cut-off reachable, in one call; answers are cached because people repeat words.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

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


class Vocabulary:
    """Distinct words, numbered; `matches(word)` -> ((id, similarity 0..1), ...)."""

    def __init__(self, words: Iterable[str], *, loose: bool = False) -> None:
        self.loose = loose
        self.words: list[str] = sorted(set(words), key=lambda w: (script_of(w), len(w), w))
        self.ids: dict[str, int] = {w: i for i, w in enumerate(self.words)}
        # Per script: the words (sorted by length), their lengths and the id of the first one.
        self._scripts: dict[str, tuple[list[str], list[int], int]] = {}
        for i, word in enumerate(self.words):
            script = script_of(word)
            if script not in self._scripts:
                self._scripts[script] = ([], [], i)
            self._scripts[script][0].append(word)
            self._scripts[script][1].append(len(word))
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
        words, lengths, first = bucket
        ratio = cut / 100
        shortest = int(len(word) * ratio / (2 - ratio))
        longest = int(len(word) * (2 - ratio) / ratio) + 1
        start = bisect.bisect_left(lengths, max(4, shortest))
        end = bisect.bisect_right(lengths, longest)
        if start >= end:
            return ()
        hits = process.extract(
            word, words[start:end], scorer=fuzz.ratio, score_cutoff=cut, limit=None
        )
        # The shorter word of the pair sets the bar: "cinema" is not "cina" plus one typo.
        return tuple(
            (first + start + index, score / 100)
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

