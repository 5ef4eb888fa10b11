"""Programme and service names, typed with typos or in another script.

People look for a programme by its name ("emaus conect", "إيماوس كونكت", "Эммаус Коннект" for
Emmaüs Connect). Names (with alternate and organisation names) are indexed in Latin letters
(`text.to_latin`) word by word; a query word matches a name word closely (rapidfuzz, loose
cut-off) or by sound (`text.sound_key`, and the consonant skeleton for Arabic script, which
often leaves vowels out). Words found in many names or in the synonym lists ("épicerie",
"solidaire") are generic: they count for how much of a name matched, never as a match alone.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from catalogue.models import Service
from catalogue.needs import stopwords
from catalogue.text import normalise, script_of, skeleton, sound_key, stem, to_latin
from catalogue.vocab import Vocabulary

COMMON_NAME_WORD = 2000  # a generic name word in more names than this is skipped
NAME_GENERIC_WEIGHT = 0.25  # "épicerie", "solidaire": words of many names say little


_Row = tuple[np.ndarray, np.ndarray, np.ndarray, int, float, int]  # docs, weights, distinctive,
# query word bit, similarity, layer (0: spelt or, in another script, heard; 1: heard only)


def _latin(text: str) -> str:
    """`to_latin(text)`, without its transliteration pass when the normalised text is ASCII
    already, as most names are (the table only maps Arabic-script and Cyrillic letters)."""
    plain = normalise(text)
    return plain if plain.isascii() else to_latin(text)


@dataclass(frozen=True)
class NameMatch:
    """Services whose names matched: score, query bits explained, bonus (share of name)."""

    services: np.ndarray
    scores: np.ndarray
    bits: np.ndarray
    bonus: np.ndarray


@dataclass
class NameIndex:
    """Service names (and alternate and organisation names) as documents of Latin words."""

    service: np.ndarray  # document -> service index
    total: np.ndarray  # document -> sum of its word weights
    latin: Vocabulary
    sound: Vocabulary
    postings: dict[
        int, tuple[np.ndarray, np.ndarray, np.ndarray]
    ]  # word -> docs, weights, distinctive
    sound_words: dict[int, list[int]]  # sound key id -> latin word ids
    skeletons: dict[str, list[int]]  # consonants of a word -> sound key ids

    @classmethod
    def build(cls, services: Sequence[Service], common_words: Container[str]) -> NameIndex:
        """Index names; `common_words` (the synonyms' words) are generic in a name."""
        stops = stopwords()
        docs: list[tuple[int, tuple[str, ...]]] = []
        frequency: dict[str, int] = {}
        spoken: dict[str, set[str]] = {}  # sound key of a whole word -> its comparison keys
        read: dict[str, tuple[str, ...]] = {}  # a name text -> its word keys (names repeat)
        stem_of, sound_of = cache(stem), cache(sound_key)  # names share most of their words
        for i, s in enumerate(services):
            own: set[str] = set()  # a word counts once per service (name and organisation)
            for text in _name_texts(s):
                words = read.get(text)
                if words is None:
                    raw = [w for w in _latin(_acronym(text)).split() if w not in stops]
                    words = read[text] = tuple(dict.fromkeys(stem_of(w) for w in raw))
                    for w in raw:
                        spoken.setdefault(sound_of(w), set()).add(stem_of(w))
                if words:
                    docs.append((i, words))
                    own.update(words)
            for w in own:
                frequency[w] = frequency.get(w, 0) + 1
        common = max(5, len(services) // 500)
        generic = {w for w, f in frequency.items() if f > common or w in common_words}
        latin = Vocabulary(frequency, loose=True)
        sound = Vocabulary((k for k in spoken if len(k) >= 4), loose=True)
        skeletons: dict[str, list[int]] = {}
        for key, key_id in sound.ids.items():
            if len(skeleton(key)) >= 3:
                skeletons.setdefault(skeleton(key), []).append(key_id)
        # Postings in one pass of numpy: (word, document) pairs ordered by word.
        word_of = np.array([latin.ids[w] for _, words in docs for w in words], np.int64)
        doc_of = np.repeat(np.arange(len(docs)), [len(words) for _, words in docs])
        distinctive = np.array([w not in generic for w in latin.words], float)[word_of]
        weight = np.where(distinctive > 0, 1.0, NAME_GENERIC_WEIGHT)
        total = np.bincount(doc_of, weights=weight, minlength=len(docs))
        order = np.argsort(word_of, kind="stable")  # documents stay in order within a word
        ids, starts = np.unique(word_of[order], return_index=True)
        bounds = np.append(starts, len(order)).tolist()
        doc_of, weight, distinctive = doc_of[order], weight[order], distinctive[order]
        postings = {
            word_id: (doc_of[start:end], weight[start:end], distinctive[start:end])
            for word_id, start, end in zip(ids.tolist(), bounds, bounds[1:], strict=False)
        }
        return cls(
            service=np.array([i for i, _ in docs], np.int64),
            total=total,
            latin=latin,
            sound=sound,
            postings=postings,
            sound_words={
                sound.ids[k]: [latin.ids[w] for w in ws]
                for k, ws in spoken.items()
                if k in sound.ids
            },
            skeletons=skeletons,
        )

    def match(self, words: Sequence[str], raw: Sequence[str], content: int) -> NameMatch | None:
        """Services whose names match on a word of their own (query word keys `words`, the
        normalised words `raw`, `content` the bits of the words to explain).

        Words written in Arabic or Cyrillic script are compared with names by sound. A Latin
        word may also match by sound ("conek" for "connect"), but only in a name that another
        word already matched directly, so that "bitcoin" never finds "Bouton".
        """
        asked = [(i, word) for i, word in enumerate(words) if word and content >> i & 1]
        direct = {i: dict(self.latin.matches(to_latin(word))) for i, word in asked}
        for i, word in asked:  # vowels are often not written in Arabic script
            if script_of(word) != "latin":
                direct[i] |= self._heard(raw[i], direct[i], skeletons=True)
        rows = self._rows(direct, layer=0)
        if not any(r[2].any() for r in rows):
            return None  # no name matched on a word of its own: the query is not about a name
        by_sound = {i: self._heard(raw[i], direct[i], skeletons=False) for i, word in asked
                    if script_of(word) == "latin"}  # fmt: skip
        rows += self._rows(by_sound, layer=1)
        docs = np.concatenate([r[0] for r in rows])
        sizes = [len(r[0]) for r in rows]
        similarity = np.repeat([r[4] for r in rows], sizes)
        word_bits = np.repeat(np.array([r[3] for r in rows], np.int64), sizes)
        heard = np.repeat([r[5] == 1 for r in rows], sizes)
        distinct = np.concatenate([r[2] for r in rows])
        hit = np.concatenate([r[1] for r in rows]) * similarity
        unique, at = np.unique(docs, return_inverse=True)
        first = np.bincount(at, weights=distinct * ~heard, minlength=len(unique)) > 0
        use = ~heard | first[at]  # heard-only matches count where a direct one confirmed
        sums = [np.bincount(at, weights=w * use, minlength=len(unique))
                for w in (hit, distinct, distinct * similarity)]  # fmt: skip
        bits = np.zeros(len(unique), np.int64)
        named = use & (sums[1] > 0)[at]  # words of a name that matched on a distinctive word
        np.bitwise_or.at(bits, at[named], word_bits[named])
        recall = np.minimum(sums[0] / self.total[unique], 1.0)
        mean = np.divide(sums[2], sums[1], out=np.zeros(len(unique)), where=sums[1] > 0)
        return NameMatch(self.service[unique], mean * (0.6 + 0.4 * recall), bits, 0.05 * recall)

    def _heard(self, raw: str, direct: dict[int, float], *, skeletons: bool) -> dict[int, float]:
        """Name words that sound like the normalised word `raw` (and, with `skeletons`, share
        its consonants), other than those in `direct`."""
        spoken = to_latin(raw)
        sounds = list(self.sound.matches(sound_key(spoken)))
        if skeletons:
            sounds += [(k, 0.9) for k in self.skeletons.get(skeleton(spoken), ())]
        heard: dict[int, float] = {}
        for sound_id, similarity in sounds:
            for word_id in self.sound_words[sound_id]:
                if word_id not in direct:
                    heard[word_id] = max(heard.get(word_id, 0.0), 0.95 * similarity)
        return heard

    def _rows(self, found: dict[int, dict[int, float]], layer: int) -> list[_Row]:
        """Postings of the name words found per query word (position -> word id -> similarity)."""
        rows: list[_Row] = []
        for i, words in found.items():
            for word_id, similarity in words.items():
                docs, weights, distinctive = self.postings[word_id]
                if len(docs) > COMMON_NAME_WORD and not distinctive.any():
                    continue  # "solidaire" in half the names: no evidence, only cost
                rows.append((docs, weights, distinctive, 1 << i, similarity, layer))
        return rows


def _name_texts(s: Service) -> list[str]:
    texts = [s.name]
    texts += [a for a in (s.alternate_name or "").split("|") if a.strip()]
    # An ORM service's organisation only when loaded (never a lazy query); index rows carry it.
    organization = vars(s).get("organization") if hasattr(s, "__dict__") else s.organization
    if organization is not None and organization.name:
        texts.append(organization.name)
    return texts


def _acronym(text: str) -> str:
    """ "P.A.N.I.E.R.S" -> "PANIERS", "F.S.L." -> "FSL": letters joined by dots are a word."""
    if "." not in text:  # most names: nothing to join
        return text
    return " ".join(
        w.replace(".", "") if w.count(".") >= 2 and len(w.replace(".", "")) >= 2 else w
        for w in text.split()
    )
