"""Need-and-place search over the catalogue: a structured `Query` in, ranked `Result`s out.

How a query is read (all of it data-driven, see `needs.py`):
1. place: the shared location, else the typed place, else a place named inside the text
   (`places.find_place_in_text`); its words are taken out of the need text;
2. who is asking (women, student, family, 60+...) and filters said in words (free, without
   appointment, open now);
3. the need: synonym phrases of every category in nine languages (typo-tolerant), programme and
   service names (also typed in Arabic or Cyrillic script: names are compared in Latin letters
   and by sound), and words of the descriptions as a last resort.

A service's relevance is its best match times how much of the query it explains, so "where can I
find the weather" does not match everything. Below `MIN_RELEVANCE` the search abstains and offers
category groups. Among relevant services, those in the same commune or within `NEAR_KM` (or
serving the whole metropolis) come first, nearest first; a service whose coordinates are only a
commune's centre is never ranked as near a precise point.

Speed: the index is built once (numpy arrays, postings per category, vocabularies of words), every
per-service step is a numpy operation, and word look-ups are rapidfuzz batch calls.
"""

from __future__ import annotations

import functools
import json
import math
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import numpy as np
from sqlalchemy import Engine

from catalogue import index_rows, places, taught, taxonomy, version
from catalogue.danger import MINOR_AGE
from catalogue.db import session_scope
from catalogue.hours import DAY_CODES, is_open
from catalogue.models import Access, Gender, Service, Status
from catalogue.names import NameIndex
from catalogue.needs import (
    MAX_WORDS,
    Lexicon,
    Need,
    introductions,
    lexicon,
    off_topic,
    stopwords,
    unchat,
)
from catalogue.places import PlaceMatch
from catalogue.text import normalise, stem, to_latin

NEAR_KM = 3.0
MIN_RELEVANCE = 0.68  # calibrated on the development set (see tests/test_search_eval.py)
KEEP_RATIO = 0.6  # results must reach this share of the best relevance
WIDER_WEIGHT = 0.92  # a service tagged with the whole group of the child need asked
GROUP_DEMOTION = 0.85  # a group need whose words a child need explains as well
SOFT_FILTER = 0.88  # services that do not do what the text asked (free, a day...) come later
KNOWN_WEIGHT = 0.4  # a word the catalogue knows but that did not match counts this much
UNKNOWN_WEIGHT = 0.5  # an unknown word in a query mostly understood clearly counts this much
STRONG = 0.95  # evidence this good is a clear match
GLUED_LENGTH = 8  # an unknown word this long may be known words run together
TEXT_SCORE = 0.75  # a description holding every word asked: just enough to answer
OFF_TOPIC = "\x00"  # stands for an off-topic phrase among the query's word keys
SHELTER_GROUP = "accomodation_and_housing"
TONIGHT = ("emergency_accommodation", "overnight_stop")  # what a roof tonight is
METROPOLIS = ("metropole europeenne de lille", "mel", "metropole lilloise")
_POPCOUNT = np.bitwise_count


# --------------------------------------------------------------------------- contract


@dataclass(frozen=True)
class Query:
    text: str = ""
    categories: tuple[str, ...] = ()  # keys chosen with buttons (group or child keys)
    place: str | None = None  # typed: commune, postcode, neighbourhood, "lat,lon"
    location: tuple[float, float] | None = None  # shared GPS (lat, lon); wins over place
    anywhere: bool = False  # "anywhere in the metropolis": no place ranking
    lang: str = "fr"
    open_at: datetime | None = None  # aware; only services open then
    open_day: int | None = None  # weekday (0 = Monday); only services open some time that day
    free_only: bool = False
    no_appointment: bool = False
    age: int | None = None
    gender: str | None = None  # "women" | "men"
    strict: bool = False  # only services tagged with the needs themselves (a danger's needs:
    # an emergency shelter, not a housing fund tagged with the whole group)
    limit: int = 10
    offset: int = 0


@dataclass(frozen=True)
class Result:
    service_id: str
    name: str
    score: float
    distance_km: float | None
    why: str  # "category" | "name" | "text"
    matched_categories: tuple[str, ...]
    open_now: bool | None  # at query.open_at or now; None = hours unknown


@dataclass(frozen=True)
class SearchOutcome:
    results: list[Result]
    total: int  # before offset/limit
    categories: tuple[str, ...]  # needs understood
    place: PlaceMatch | None  # place understood (query.place or text)
    suggestions: tuple[str, ...] = ()  # group keys to offer when abstaining
    said: frozenset[str] = frozenset()  # who is asking and filters read in the text
    unknown: tuple[str, ...] = ()  # normalised words no vocabulary knows (for private counts)

    @property
    def abstained(self) -> bool:
        return not self.results and self.total == 0


# --------------------------------------------------------------------------- reading a query


@dataclass
class _Reading:
    """What was understood from a query, word positions as bits of an int."""

    place: PlaceMatch | None
    raw: list[str]  # normalised words (place words taken out)
    words: list[str]  # their comparison keys; "" for a stop word
    content: int  # bits of the words that should be explained by a need or a name
    told: int  # how many words said who is asking or a filter ("gratuit", "femme")
    said: int  # bits of the words that said who is asking or a filter
    needs: dict[str, Need]
    tags: frozenset[str]
    age: int | None


def _place_of(query: Query) -> PlaceMatch | None:
    if query.anywhere:
        return None
    if query.location is not None:
        lat, lon = query.location
        return PlaceMatch(places.place_at(lat, lon), 100.0, True, f"{lat},{lon}")
    if query.place and query.place.strip():
        return places.resolve_place(query.place)
    return None


def _without(words: list[str], matched: str) -> list[str]:
    """`words` minus the run of words that named the place."""
    gone = normalise(matched).split()
    n = len(gone)
    for i in range(len(words) - n + 1):
        if n and words[i : i + n] == gone:
            return words[:i] + words[i + n :]
    return words


def _specific(needs: dict[str, Need]) -> dict[str, Need]:
    """Demote a group need when one of its children explains the same words as well: "job" is
    job coaching first, any training after."""
    kept = dict(needs)
    for key, need in needs.items():
        for other in needs.values():
            category = taxonomy.get_category(other.key)
            if (
                category is not None
                and category.group == key
                and other.words | need.words == other.words
                and other.score >= need.score - 0.05
            ):
                kept[key] = Need(key, need.score * GROUP_DEMOTION, need.words)
    return kept


def _tonight(needs: dict[str, Need]) -> dict[str, Need]:
    """A roof needed tonight is an emergency shelter or a night stop, not a housing fund: the
    housing needs understood are read as those, the longer-term ones demoted."""
    housing = [n for n in needs.values() if n.key in taxonomy.expand(SHELTER_GROUP)]
    if not housing:
        return needs
    score = max(n.score for n in housing)
    words = 0
    for n in housing:
        words |= n.words
    kept = {k: Need(k, n.score * GROUP_DEMOTION, n.words) if n in housing else n
            for k, n in needs.items()}  # fmt: skip
    for key in TONIGHT:
        kept[key] = Need(key, score, words)
    return kept


def _read(query: Query, lex: Lexicon,
          unglue: Callable[[list[str]], list[str]] | None = None) -> _Reading:  # fmt: skip
    text = (query.text or "")[:2000]
    place = _place_of(query)
    raw = normalise(text).split()
    if unglue is not None:
        split = unglue(raw)
        if split != raw:  # "emmausconnectlille": the place inside is found too
            raw, text = split, " ".join(split)
    in_text = places.find_place_in_text(text) if raw else None
    if in_text is not None:
        raw = _without(raw, in_text.matched)
        if place is None and not query.anywhere:
            place = in_text
    raw = unchat(raw, query.lang)[:MAX_WORDS]
    stops = stopwords()
    keys = [stem(w) for w in raw]
    who = lex.who(keys)
    words = ["" if w in stops or k in stops or w.isdecimal() else k for w, k in zip(raw, keys, strict=True)]
    for at, length in off_topic(raw):  # a price question is one word nobody can answer
        words[at : at + length] = [OFF_TOPIC] + [""] * (length - 1)
        raw[at : at + length] = [OFF_TOPIC] * length  # nor a name by sound ("сколько", "Escale")
    content = sum(1 << i for i, w in enumerate(words) if w) & ~who.words
    for at, tag, length in lex.said(keys):  # "ouverte" said when, it is not "couverture"
        if tag in WHEN_TAGS or tag.startswith("day_"):
            words[at : at + length] = [""] * length
    intro = introductions(keys)
    if content & ~intro:  # who writes ("je suis assistante sociale") is not what is asked
        words = ["" if intro >> i & 1 else w for i, w in enumerate(words)]
        content &= ~intro
    # A stop-word idiom ("I can't go on") says a need only when nothing else does: "je peux
    # plus payer mon loyer" is about rent.
    needs = lex.needs(words, query.lang)
    for key, need in lex.frames.needs(keys, [bool(w) and w != OFF_TOPIC for w in words]).items():
        old = needs.get(key)
        needs[key] = need if old is None else Need(key, max(old.score, need.score),
                                                   old.words | need.words)
    needs = _specific(needs or lex.idioms_in(keys))
    if "tonight" in who.tags:
        needs = _tonight(needs)
    for key in query.categories:
        needs[key] = Need(key, 1.0, 0)
    tags = set(who.tags)
    if query.gender in (Gender.women, Gender.men):
        tags -= {"women", "men"}
        tags.add(query.gender)
    age = query.age if query.age is not None else who.age
    told = (who.words & ((1 << len(raw)) - 1)).bit_count()
    return _Reading(place, raw, words, content, told, who.words, needs, frozenset(tags), age)


# --------------------------------------------------------------------------- the index


@dataclass
class _Texts:
    postings: dict[str, np.ndarray]  # description word key -> service indexes


@dataclass
class SearchIndex:
    """Everything search needs, in arrays parallel to `services`."""

    services: list[Service]
    ids: list[str]
    any_lat: np.ndarray  # a precise location if any, else an approximate one (nan: none)
    any_lon: np.ndarray
    flags: np.ndarray  # _PRECISE (any_lat/any_lon is precise), _SEVERAL places, _METROPOLIS
    extra_points: dict[int, list[tuple[float, float]]]  # further precise locations
    commune: np.ndarray  # code of the commune of the first location (-1 unknown)
    commune_codes: dict[str, int]  # INSEE code -> commune code
    extra_communes: dict[int, set[int]]  # further communes of services at several places
    gender: np.ndarray  # 0 everyone, 1 women only, 2 men only
    min_age: np.ndarray
    max_age: np.ndarray
    reserved: np.ndarray  # bits of _RESERVED: audiences a service is reserved to
    refuses_children: np.ndarray
    free: np.ndarray
    walk_in: np.ndarray
    speaks: dict[str, np.ndarray]  # language code -> services where it is spoken
    open_days: np.ndarray  # (service, weekday): some opening rule on that day
    tagged: dict[str, np.ndarray]  # category key -> services carrying it
    keys: list[frozenset[str]]  # service -> its category keys
    names: NameIndex
    texts: _Texts
    lex: Lexicon = field(repr=False)
    _need_cache: dict[tuple[str, bool], tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict, repr=False)
    _open_cache: dict[tuple[int, datetime], bool | None] = field(default_factory=dict, repr=False)
    _tables: dict[tuple[frozenset[str], bool], np.ndarray] = field(default_factory=dict, repr=False)
    _scratch: threading.local = field(default_factory=threading.local, repr=False)
    _positions: dict[str, int] | None = field(default=None, repr=False)
    _answers: dict[tuple[Query, datetime], SearchOutcome] = field(default_factory=dict, repr=False)
    ANSWERS = 4096  # outcomes remembered by `search` (dropped with the index on any change)

    # ----------------------------------------------------------------- building

    @classmethod
    def build(cls, services: Sequence[Service],
              taught: tuple[tuple[str, str, str], ...] = ()) -> SearchIndex:  # fmt: skip
        """Index active services (relations loaded: locations, categories, hours...), reading
        needs with the phrases administrators `taught` too."""
        lex = lexicon(taught)
        services = [s for s in services if (s.status or Status.active) == Status.active]
        n = len(services)
        any_lat, any_lon, precise = np.full(n, np.nan), np.full(n, np.nan), np.zeros(n, bool)
        extra: dict[int, list[tuple[float, float]]] = {}
        commune, codes = np.full(n, -1, np.int32), {}
        extra_communes: dict[int, set[int]] = {}
        tagged: dict[str, list[int]] = {}
        speaks: dict[str, list[int]] = {}
        only: dict[str, list[int]] = {}
        gender = np.zeros(n, np.int8)
        min_age, max_age = np.full(n, np.nan), np.full(n, np.nan)
        metropolis, refuses = np.zeros(n, bool), np.zeros(n, bool)
        free, walk_in = np.zeros(n, bool), np.zeros(n, bool)
        open_days = np.zeros((n, 7), bool)
        tags_in = functools.cache(lex.tags_in)  # eligibility texts repeat across services
        for i, s in enumerate(services):
            for rule in s.hours:
                for day in (rule.byday or "").split(","):
                    if day.strip()[-2:].upper() in DAY_CODES:
                        open_days[i, DAY_CODES.index(day.strip()[-2:].upper())] = True
            points = [(loc.latitude, loc.longitude, bool(loc.approximate)) for loc in s.locations
                      if loc.latitude is not None and loc.longitude is not None]  # fmt: skip
            points.sort(key=lambda point: point[2])  # precise ones first
            if points:
                any_lat[i], any_lon[i], approximate = points[0]
                precise[i] = not approximate
                more = [(lat, lon) for lat, lon, rough in points[1:] if not rough]
                if more:
                    extra[i] = more
            here = [codes.setdefault(c, len(codes)) for c in dict.fromkeys(
                _commune_of(loc) for loc in s.locations) if c]  # fmt: skip
            if here:
                commune[i] = here[0]
                if len(here) > 1:
                    extra_communes[i] = set(here[1:])
            for key in {c.key for c in s.categories}:
                tagged.setdefault(key, []).append(i)
            for lang in set(s.languages or ()):
                speaks.setdefault(lang, []).append(i)
            metropolis[i] = any(normalise(a) in METROPOLIS for a in s.areas or ())
            said = tags_in(s.eligibility)
            first = next((t for t in said if t in ("women", "men", "family")), None)
            named = [t for t in tags_in(s.name) if t in ("women", "men", "student")]
            sex = s.gender or (first if first in ("women", "men") else None)
            if sex is None and len(set(named) & {"women", "men"}) == 1:
                sex = named[0]
            gender[i] = {Gender.women: 1, Gender.men: 2}.get(sex, 0)
            min_age[i] = s.min_age if s.min_age is not None else np.nan
            max_age[i] = s.max_age if s.max_age is not None else np.nan
            for tag in {"student", "family", "senior", "job_seeker"} & {*said, *named}:
                only.setdefault(tag, []).append(i)
            refuses[i] = "no_children" in said
            free[i] = bool(s.free)  # settled from the fees text when stored (catalogue.fees)
            walk_in[i] = s.access == Access.unconditional or "no_appointment" in tags_in(
                s.access_note
            )
        as_array = {k: np.array(v, np.int64) for k, v in tagged.items()}
        return cls(
            services=services,
            ids=[s.id for s in services],
            any_lat=any_lat, any_lon=any_lon, extra_points=extra, commune=commune,
            flags=(precise * _PRECISE + _mask(n, sorted({*extra, *extra_communes})) * _SEVERAL
                   + metropolis * _METROPOLIS).astype(np.uint8),
            commune_codes=codes, extra_communes=extra_communes,
            gender=gender, min_age=min_age, max_age=max_age,
            reserved=_reserved_codes(n, only, gender, max_age),
            refuses_children=refuses, free=free, walk_in=walk_in,
            speaks={k: _mask(n, v) for k, v in speaks.items()},
            open_days=open_days,
            tagged=as_array,
            keys=_shared([frozenset(c.key for c in s.categories) for s in services]),
            names=NameIndex.build(services, lex.vocabulary.ids),
            texts=_build_texts(services),
            lex=lex,
        )  # fmt: skip

    @classmethod
    def from_engine(cls, engine: Engine) -> SearchIndex:
        """The index of the engine's active services, read as light rows (`index_rows`), with
        the phrases administrators taught."""
        with session_scope(engine) as session:
            phrases = taught.active(session)
        return cls.build(index_rows.load(engine), phrases)

    def __len__(self) -> int:
        return len(self.services)

    def service(self, service_id: str) -> Service | None:
        """The indexed service with this id (what a result line shows: no database query)."""
        if self._positions is None:
            self._positions = {sid: i for i, sid in enumerate(self.ids)}
        at = self._positions.get(service_id)
        return None if at is None else self.services[at]

    # ----------------------------------------------------------------- searching

    def search(self, query: Query, *, now: datetime | None = None) -> SearchOutcome:
        """Ranked services answering `query`, or an abstention with group suggestions.

        Outcomes are remembered for the minute (opening hours are read to the minute) per query
        without its page: a page is a slice of a deeper one, since results are in a total
        order. The bot asks twice per message (is it understood? then the page), and people ask
        the same needs in the same towns. The index is per catalogue version, so a change never
        meets an old answer.
        """
        now = now or datetime.now(UTC)
        key = (replace(query, limit=0, offset=0), now.replace(second=0, microsecond=0))
        start = max(0, query.offset)
        depth = start + max(0, query.limit)
        known = self._answers.get(key)
        if known is None or (len(known.results) < depth and known.total > len(known.results)):
            known = self._search(replace(query, offset=0, limit=depth), now)
            if len(self._answers) >= self.ANSWERS:
                self._answers.pop(next(iter(self._answers), None), None)
            self._answers[key] = known
        return replace(known, results=known.results[start:depth])

    def _search(self, query: Query, now: datetime) -> SearchOutcome:
        """`search` without remembering.

        Only candidate services (those some need, name or description word points to) are
        scored. Most candidates carry one piece of evidence (the largest posting list, e.g.
        every food service for "j'ai faim"): their relevance is that list's score times one
        number; only the few touched by other evidence are scored one by one.
        """
        reading = _read(query, self.lex, self._unglue)
        names = self._name_parts(reading)
        if names:
            names = self._about_a_name(reading) or names
        parts = [*self._need_parts(reading, query.strict), *names, *self._text_parts(reading)]
        known = self._known_bits(reading)
        if not parts:
            return self._abstain(reading, known)
        ev = self._gather(parts)
        scored = _relevance(ev.scores, ev.bits, reading, known)
        relevance = ev.base_scores * scored[-1]
        relevance[ev.touched] = scored[:-1]
        allowed = self._allowed(ev.cand, query, reading)
        if allowed is not None:
            relevance = np.where(allowed, relevance, 0.0)
        best = float(relevance.max())
        if best < MIN_RELEVANCE:
            return self._abstain(reading, known)
        kept = np.flatnonzero(relevance >= max(MIN_RELEVANCE, KEEP_RATIO * best))
        keep = ev.cand[kept]
        distance, factor = self._place_factor(keep, reading.place)
        final = relevance[kept] * factor * self._preference(keep, query, reading, now)
        page = _top(final, distance, keep, query.offset, query.limit)
        results = self._results(keep[page], final[page], distance[page], ev.why(kept[page]),
                                reading, query.open_at or now)  # fmt: skip
        return SearchOutcome(results, len(keep), tuple(reading.needs), reading.place,
                             said=reading.tags, unknown=_unknown(reading, known))

    def explain(self, query: Query) -> list[tuple[str, str, str]]:
        """How each word of `query` was read: (word, role, detail), role one of "place",
        "audience", "need", "name", "text", "ignored" (stop word, politeness) or "unknown"
        (nothing in the catalogue's vocabularies explains it). For admins and `--explain`."""
        reading = _read(query, self.lex, self._unglue)
        found = self.names.match(reading.words, reading.raw, reading.content)
        named = 0
        if found is not None:
            for bits in found.bits.tolist():
                named |= bits
        texts = 0
        for part in self._text_parts(reading):
            texts |= int(part.bits)
        known = self._known_bits(reading)
        rows = []
        if reading.place is not None and reading.place.matched:
            rows.append((reading.place.matched, "place", reading.place.place.name))
        for i, word in enumerate(reading.raw):
            bit = 1 << i
            keys = [k for k, n in reading.needs.items() if n.words & bit]
            if keys:
                rows.append((word, "need", ", ".join(keys)))
            elif reading.said & bit:
                rows.append((word, "audience", ", ".join(sorted(reading.tags))))
            elif named & bit:
                rows.append((word, "name", ""))
            elif texts & bit:
                rows.append((word, "text", "description"))
            elif not reading.words[i] or word == OFF_TOPIC:
                rows.append((word, "ignored", "off topic" if word == OFF_TOPIC else "stop word"))
            else:
                rows.append((word, "unknown" if not known & bit else "ignored",
                             "" if not known & bit else "known word, not read here"))
        return rows

    def _gather(self, parts: list[_Part]) -> _Evidence:
        """Candidates and their evidence. The largest part is the base ("food" for "colis
        alimentaire"); the others are located in it through a catalogue-wide slot map, so the
        cost follows the small parts, and only the candidates they touch get per-candidate
        scores."""
        n = len(self)
        unique = [p for p in parts if p.unique]
        if not unique:
            unique = [_Part(_CATEGORY, _union([p.services for p in parts], n), 0.0, 0)]
            parts = unique + parts
        base = max(unique, key=lambda p: len(p.services))
        size = len(base.services)
        others = [p for p in parts if p is not base]
        slot = self._slots()  # service -> candidate position, -1 outside; left all -1 again
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
        if base.kind < _BONUS:
            bits[base.kind, -1] = base.bits
        from_base = np.flatnonzero(touched < size)
        scores[base.kind, from_base] = base_scores[touched[from_base]]
        if base.kind < _BONUS:
            bits[base.kind, from_base] = base.bits
        for part, at in zip(others, ats, strict=True):
            where = position[at]
            if part.unique:
                scores[part.kind, where] = np.maximum(scores[part.kind, where], part.scores)
                if part.kind < _BONUS:
                    bits[part.kind, where] |= part.bits
            else:
                np.maximum.at(scores[part.kind], where, part.scores)
                if part.kind < _BONUS:
                    np.bitwise_or.at(bits[part.kind], where, part.bits)
        return _Evidence(cand, base, base_scores, touched, scores, bits)

    def _abstain(self, reading: _Reading, known: int) -> SearchOutcome:
        return SearchOutcome([], 0, tuple(reading.needs), reading.place, self._suggest(reading),
                             reading.tags, _unknown(reading, known))

    # ----------------------------------------------------------------- helpers

    def _unglue(self, words: list[str]) -> list[str]:
        """Normalised `words` with run-together ones split ("emmausconnectlille",
        "mobilimelroubaix"): a long Latin word nobody knows that is a run of known words (names,
        needs, places, stop words; a name or a place among them), the last one possibly
        misspelt ("emmausconect")."""
        out: list[str] = []
        for word in words:
            pieces = None
            if (len(word) >= GLUED_LENGTH and word.isascii() and word.isalpha()
                    and not self._knows(word) and not self.lex.vocabulary.matches(stem(word))):
                pieces = _split_glued(word, self._knows, self._close_name)
            if pieces and any(self._names_or_places(p) for p in pieces):  # not "travail-le"
                out.extend(pieces)
            else:
                out.append(word)
        return out

    def _knows(self, piece: str) -> bool:
        if len(piece) < 3:
            return len(piece) == 2 and piece in stopwords()
        key = stem(piece)
        return (key in self.lex.vocabulary.ids or key in self.names.latin.ids
                or places.is_place_name(piece) or piece in stopwords())  # fmt: skip

    def _names_or_places(self, piece: str) -> bool:
        return len(piece) >= 3 and (stem(piece) in self.names.latin.ids
                                    or places.is_place_name(piece))  # fmt: skip

    def _close_name(self, piece: str) -> bool:
        return len(piece) >= 5 and bool(self.names.latin.matches(stem(piece)))

    def _slots(self) -> np.ndarray:
        """A catalogue-wide array of -1 for this thread, reused by every search (allocating
        it costs more than the rest of a small search)."""
        slots = getattr(self._scratch, "slots", None)
        if slots is None:
            slots = self._scratch.slots = np.full(len(self), -1, np.int64)
        return slots

    def _need_postings(self, key: str, strict: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Services answering a need key (a group: any of its children) and how well: a bit less
        for a service tagged only with the whole group of a child need (none when `strict`)."""
        cached = self._need_cache.get((key, strict))
        if cached is None:
            category = taxonomy.get_category(key)
            wider = dict.fromkeys(taxonomy.expand(key), 1.0) | _peripheral().get(key, {})
            if category is not None and category.group is not None and not strict:
                wider[category.group] = WIDER_WEIGHT
            keys = [k for k in wider if k in self.tagged and wider[k] > 0]
            idx = np.concatenate([self.tagged[k] for k in keys] + [_EMPTY])
            weight = np.concatenate([np.full(len(self.tagged[k]), wider[k]) for k in keys] + [_NONE])
            order = np.lexsort((-weight, idx))  # each service once, with its best weight
            first = np.ones(len(idx), bool)
            first[1:] = idx[order][1:] != idx[order][:-1]
            cached = (idx[order][first], weight[order][first])
            self._need_cache[(key, strict)] = cached
        return cached

    def _need_parts(self, reading: _Reading, strict: bool = False) -> list[_Part]:
        parts = []
        for need in reading.needs.values():
            idx, weight = self._need_postings(need.key, strict)
            if len(idx):
                parts.append(_Part(_CATEGORY, idx, need.score * weight, need.words))
        return parts

    def _known_bits(self, reading: _Reading) -> int:
        """Query words the catalogue's vocabularies know (synonyms, situations, names,
        descriptions): left unexplained they count less, an unknown word ("bitcoin", "paella")
        counts fully."""
        bits = 0
        for i, word in enumerate(reading.words):
            if word and (
                self.lex.vocabulary.matches(word)
                or self.lex.frames.vocabulary.matches(word)
                or self.names.latin.matches(to_latin(word))
                or word in self.texts.postings
            ):
                bits |= 1 << i
        return bits

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
        return [_Part(_NAME, found.services, found.scores, found.bits, unique=False),
                _Part(_BONUS, found.services, found.bonus, 0, unique=False)]  # fmt: skip

    def _text_parts(self, reading: _Reading) -> list[_Part]:
        parts = []
        for i, word in enumerate(reading.words):
            if word and reading.content >> i & 1:
                idx = self.texts.postings.get(word)
                if idx is not None:
                    parts.append(_Part(_TEXT, idx, TEXT_SCORE, 1 << i))
        return parts

    def _allowed(self, cand: np.ndarray, query: Query, reading: _Reading) -> np.ndarray | None:
        """Hard filters: eligibility that excludes the asker, and filters chosen with buttons
        (None when no filter applies)."""
        tags = reading.tags
        checks: list[np.ndarray] = []
        if "women" in tags:
            checks.append(self.gender[cand] != 2)
        if "men" in tags:
            checks.append(self.gender[cand] != 1)
        age = reading.age
        if age is None and "minor" in tags:
            age = MINOR_AGE
        if age is None:
            age = 65 if "senior" in tags else None
            if age is None and tags & {"student", "young"}:
                age = 20
        if age is not None:
            checks.append(~(self.min_age[cand] > age) & ~(self.max_age[cand] < age))
        if "family" in tags:
            checks.append(~self.refuses_children[cand])
        if query.free_only:
            checks.append(self.free[cand])
        if query.no_appointment:
            checks.append(self.walk_in[cand])
        if query.open_day is not None:
            checks.append(self.open_days[cand, query.open_day])
        if not checks and query.open_at is None:
            return None
        ok = functools.reduce(np.logical_and, checks, np.ones(len(cand), bool))
        if query.open_at is not None:
            ok &= self._open_mask(query.open_at, cand, ok)
        return ok

    def _open(self, i: int, at: datetime) -> bool | None:
        """`hours.is_open` for service i, remembered for the minute (many searches share it)."""
        key = (i, at.replace(second=0, microsecond=0))
        if key not in self._open_cache:
            if len(self._open_cache) > 100_000:
                self._open_cache.clear()
            s = self.services[i]
            self._open_cache[key] = is_open(s.hours, s.exceptions, at, s.opening_hours_osm)
        return self._open_cache[key]

    def _open_mask(self, at: datetime, services: np.ndarray, among: np.ndarray) -> np.ndarray:
        """Which of `services` (those `among` allows) are open at `at`."""
        mask = np.zeros(len(services), bool)
        for j in np.flatnonzero(among):
            mask[j] = bool(self._open(int(services[j]), at))
        return mask

    def _preference(
        self, keep: np.ndarray, query: Query, reading: _Reading, now: datetime
    ) -> np.ndarray:
        """Soft preferences: services made for the asker first, reserved ones after, and what
        the text asked (free, without appointment, open now) before the rest."""
        tags = reading.tags
        young = bool(tags & {"young", "student", "minor"}) or (reading.age is not None and reading.age <= 25)
        factor = self._audience_table(tags, young)[self.reserved[keep]]
        for tag in tags:
            if tag.startswith("day_"):
                factor *= np.where(self.open_days[keep, int(tag[4:])], 1.0, SOFT_FILTER)
            if tag.startswith("speaks_"):
                lang = tag.removeprefix("speaks_")
                if lang in self.speaks:
                    factor *= np.where(self.speaks[lang][keep], 1.15, 1.0)
        if "free" in tags:
            factor *= np.where(self.free[keep], 1.0, SOFT_FILTER)
        if "no_appointment" in tags:
            factor *= np.where(self.walk_in[keep], 1.0, SOFT_FILTER)
        if "open_now" in tags and query.open_at is None:
            is_open_now = self._open_mask(now, keep, np.ones(len(keep), bool))
            factor *= np.where(is_open_now, 1.0, SOFT_FILTER)
        return factor

    def _audience_table(self, tags: frozenset[str], young: bool) -> np.ndarray:
        """Factor per `reserved` code: made for the asker 1.15, reserved to others 0.9 (0.95
        for one gender when the asker's is unknown), per restriction."""
        key = (tags, young)
        table = self._tables.get(key)
        if table is None:
            table = np.ones(1 << len(_RESERVED))
            asker = set(tags) | ({"youth"} if young else set())
            for code in range(len(table)):
                for bit, tag in enumerate(_RESERVED):
                    if code >> bit & 1:
                        if tag in asker:
                            table[code] *= 1.15
                        elif tag in ("women", "men"):
                            table[code] *= 0.95 if not asker & {"women", "men"} else 1.0
                        else:
                            table[code] *= 0.92 if tag == "youth" else 0.9
            self._tables[key] = table
        return table

    def _place_factor(
        self, keep: np.ndarray, place: PlaceMatch | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Distance (km, nan when not precisely known) and a factor ranking near before far."""
        if place is None:
            return np.full(len(keep), np.nan), np.ones(len(keep))
        p = place.place
        flags = self.flags[keep]
        rough = _flat_km(p.latitude, p.longitude, self.any_lat[keep], self.any_lon[keep])
        distance = np.where(flags & _PRECISE, rough, np.nan)
        several = np.flatnonzero(flags & _SEVERAL)
        for j in several:
            for lat, lon in self.extra_points.get(int(keep[j]), ()):
                d = float(_flat_km(p.latitude, p.longitude, np.array([lat]), np.array([lon]))[0])
                distance[j] = d if math.isnan(distance[j]) else min(distance[j], d)
        near = (distance <= NEAR_KM) | (flags & _METROPOLIS > 0)
        code = self.commune_codes.get(p.insee_code or "")
        if p.kind in ("commune", "postcode") and code is not None:
            near |= self.commune[keep] == code
            for j in several:
                near[j] |= code in self.extra_communes.get(int(keep[j]), ())
        # Far: 0.85 at NEAR_KM, falling with the distance, never under 0.3 (nor without any
        # location: nan). Near: 1.0 at the door, 0.94 at NEAR_KM or when not precisely known.
        factor = np.fmax(0.85 / (1 + np.maximum(rough - NEAR_KM, 0) / 15), 0.3)
        factor[near] = 1.0 - 0.02 * np.fmin(distance[near], NEAR_KM)
        return distance, factor

    def _results(
        self, services: np.ndarray, scores: np.ndarray, distance: np.ndarray, why: list[str],
        reading: _Reading, at: datetime,
    ) -> list[Result]:  # fmt: skip
        """The page's services as results: distances shown are haversine to the nearest precise
        location (`distance` is nan where there is none), opening at `at`."""
        km = np.full(len(services), np.nan)
        if reading.place is not None and len(services):
            p = reading.place.place
            km = places.haversine_km_to_many(p.latitude, p.longitude, self.any_lat[services],
                                             self.any_lon[services])  # fmt: skip
            for j, i in enumerate(services.tolist()):
                for lat, lon in self.extra_points.get(i, ()):
                    km[j] = min(km[j], places.haversine_km(p.latitude, p.longitude, lat, lon))
        km[np.isnan(distance)] = np.nan
        expanded = [(k, taxonomy.expand(k)) for k in reading.needs]
        results = []
        for i, score, shown, because in zip(services.tolist(), scores.tolist(), km.tolist(), why,
                                            strict=True):  # fmt: skip
            s = self.services[i]
            matched = tuple(k for k, keys in expanded if self.keys[i] & keys)
            results.append(Result(s.id, s.name, round(score, 4),
                                  None if math.isnan(shown) else round(shown, 2), because,
                                  matched, self._open(i, at)))  # fmt: skip
        return results

    def _suggest(self, reading: _Reading) -> tuple[str, ...]:
        """Groups to offer: those of half-understood needs first, then the usual order."""
        first = []
        for key in reading.needs:
            category = taxonomy.get_category(key)
            group = (category.group or category.key) if category else None
            if group and group not in first:
                first.append(group)
        rest = [g.key for g in taxonomy.groups() if g.key not in first]
        return tuple(first + rest)


def _unknown(reading: _Reading, known: int) -> tuple[str, ...]:
    """The words to explain that no vocabulary knows, as typed (normalised)."""
    left = reading.content & ~known
    return tuple(w for i, w in enumerate(reading.raw) if left >> i & 1 and w != OFF_TOPIC)


def _split_glued(word: str, known: Callable[[str], bool],
                 close: Callable[[str], bool]) -> list[str] | None:  # fmt: skip
    """The fewest known pieces `word` is made of (the last one may only be `close` to a name),
    or None. Only pieces reachable from the start are tried, so most words cost a few look-ups."""
    n = len(word)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n):
        here = best[i]
        if here is None:
            continue
        for j in range(i + 2, n + 1):
            if known(word[i:j]) and (best[j] is None or len(here) + 1 < len(best[j])):  # type: ignore[arg-type]
                best[j] = [*here, word[i:j]]
    if best[n] is None:
        tails = [[*b, word[i:]] for i, b in enumerate(best) if b and close(word[i:])]
        best[n] = min(tails, key=len, default=None)
    found = best[n]
    return found if found is not None and len(found) > 1 else None


@cache
def _info_words() -> frozenset[str]:
    """Comparison keys of the words asking about a place (`data/info_words.json`)."""
    data = json.loads((Path(__file__).parents[1] / "data" / "info_words.json").read_text(encoding="utf-8"))
    return frozenset(stem(w) for lang, ws in data.items() if not lang.startswith("_")
                     for phrase in ws for w in normalise(phrase).split())  # fmt: skip


@cache
def _peripheral() -> dict[str, dict[str, float]]:
    """Per group: children that answer the group's need less (`data/peripheral.json`)."""
    data = json.loads((Path(__file__).parents[1] / "data" / "peripheral.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


WHEN_TAGS = frozenset({"open_now", "free", "no_appointment", "evening"})  # filters, not needs
_CATEGORY, _NAME, _TEXT, _BONUS = range(4)  # kinds of evidence
_PRECISE, _SEVERAL, _METROPOLIS = 1, 2, 4  # SearchIndex.flags
_RESERVED = ("student", "family", "senior", "job_seeker", "women", "men", "youth")


def _reserved_codes(n: int, only: dict[str, list[int]], gender: np.ndarray,
                    max_age: np.ndarray) -> np.ndarray:  # fmt: skip
    codes = np.zeros(n, np.uint8)
    for bit, tag in enumerate(_RESERVED[:4]):
        codes[np.asarray(only.get(tag, []), np.int64)] |= 1 << bit
    codes[gender == 1] |= 1 << 4
    codes[gender == 2] |= 1 << 5
    codes[max_age <= 30] |= 1 << 6
    return codes


@dataclass(frozen=True)
class _Part:
    """Evidence for some services: kind, services, score (array or one value), query bits."""

    kind: int
    services: np.ndarray
    scores: np.ndarray | float
    bits: np.ndarray | int
    unique: bool = True  # no service twice in `services`




def _top(final: np.ndarray, distance: np.ndarray, services: np.ndarray, offset: int,
         limit: int) -> np.ndarray:  # fmt: skip
    """Positions of the page of results: best score first, then nearest (10 m steps), then
    catalogue order. Only candidates scoring at least the page's last one are keyed and sorted."""
    k = min(len(final), max(0, offset) + max(0, limit))
    if k == 0:
        return np.zeros(0, np.int64)
    head = np.flatnonzero(final >= np.partition(final, len(final) - k)[len(final) - k])
    order = _page_order(final[head], distance[head], services[head], offset, limit)
    return head[order]


def _page_order(final: np.ndarray, distance: np.ndarray, services: np.ndarray, offset: int,
                limit: int) -> np.ndarray:  # fmt: skip
    """The page's positions by one int64 key per candidate (argpartition, then sort)."""
    n = len(final)
    score = np.rint(final * 1e6).astype(np.int64)  # relevance, 6 decimals
    metres = np.rint(np.minimum(np.nan_to_num(distance, nan=9999.0), 9999.0) * 100).astype(np.int64)
    key = (-score * 1_000_000 + metres) * (int(services.max(initial=0)) + 1) + services
    k = min(n, max(0, offset) + max(0, limit))
    if k == 0:
        return np.zeros(0, np.int64)
    head = np.argpartition(key, k - 1)[:k] if k < n else np.arange(n)
    return head[np.argsort(key[head])][offset:]


@dataclass(frozen=True)
class _Evidence:
    """Candidates: `base` evidence for all (scores `base_scores`), and exact per-kind scores
    and query bits for the `touched` positions that other evidence reached."""

    cand: np.ndarray
    base: _Part
    base_scores: np.ndarray
    touched: np.ndarray
    scores: np.ndarray  # (kind, touched position); the last column: reached by the base only
    bits: np.ndarray  # (kind, touched position), the same columns

    def why(self, positions: np.ndarray) -> list[str]:
        """Why the candidates at `positions` matched: "category", "name" or "text"."""
        base = {_CATEGORY: "category", _NAME: "name"}.get(self.base.kind, "text")
        at = np.minimum(np.searchsorted(self.touched, positions), max(len(self.touched) - 1, 0))
        reached = self.touched[at] == positions if len(self.touched) else np.zeros(len(positions), bool)
        return [_why(self.scores[_CATEGORY, t], self.scores[_NAME, t]) if hit else base
                for t, hit in zip(at.tolist(), reached.tolist(), strict=True)]  # fmt: skip


def _relevance(scores: np.ndarray, bits: np.ndarray, reading: _Reading, known: int) -> np.ndarray:
    """Best evidence times how much of the query it explains (plus the name bonus).

    Words nobody explained count fully against a service when the catalogue does not know them
    at all ("bitcoin"), by KNOWN_WEIGHT when it does (a word of another need, a place...). When
    a clear need or name and the words saying who asks outnumber the unknown words ("abogado
    gratis <typo>"), an unknown word counts UNKNOWN_WEIGHT: one word we cannot read must not
    hide what we did read; "receta de paella" (one food word, one unknown) still abstains.
    """
    content = reading.content
    explained = (bits[_CATEGORY] | bits[_NAME]) & content
    text_only = bits[_TEXT] & ~explained & content
    left = content & ~explained & ~text_only
    matched = _POPCOUNT(explained) + _POPCOUNT(text_only)
    clear = np.maximum(scores[_CATEGORY], scores[_NAME])
    strange = _POPCOUNT(left & ~known)
    unknown = np.where((clear >= STRONG) & (matched + reading.told > strange), UNKNOWN_WEIGHT, 1.0)
    asked = matched + KNOWN_WEIGHT * _POPCOUNT(left & known) + unknown * strange
    told = np.where(matched > 0, reading.told, 0)  # who asks counts as read beside a need
    coverage = np.divide(matched + told, asked + told, out=np.ones(len(matched)),
                         where=asked > 0)  # fmt: skip
    base = np.maximum(clear, scores[_TEXT])
    return base * (0.3 + 0.7 * np.minimum(coverage, 1.0)) + scores[_BONUS]


def _why(category: float, name: float) -> str:
    if category == 0 and name == 0:
        return "text"
    return "category" if category >= name else "name"
_EMPTY = np.zeros(0, np.int64)
_NONE = np.zeros(0)


def _union(arrays: Sequence[np.ndarray], n: int) -> np.ndarray:
    """The distinct indexes (below n) in `arrays`, sorted: a few by sorting, many through a
    mask of n. (np.unique hashes: several times slower than either here.)"""
    arrays = [a for a in arrays if len(a)]
    if not arrays:
        return _EMPTY
    indexes = np.concatenate(arrays) if len(arrays) > 1 else arrays[0]
    if len(indexes) * 5 >= n:
        return np.flatnonzero(_mask(n, indexes))
    ordered = np.sort(indexes)
    first = np.ones(len(ordered), bool)
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


def _shared(sets: list[frozenset[str]]) -> list[frozenset[str]]:
    """`sets` with equal sets as one object: most services share their category keys."""
    one: dict[frozenset[str], frozenset[str]] = {}
    return [one.setdefault(keys, keys) for keys in sets]


def _mask(n: int, indexes: Sequence[int] | np.ndarray) -> np.ndarray:
    mask = np.zeros(n, bool)
    mask[np.asarray(indexes, np.int64)] = True
    return mask


_KM_PER_DEGREE = places.EARTH_RADIUS_KM * math.pi / 180


def _flat_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Distances from one point to many in km, on a flat map around the point (nan where
    unknown): within 0.5 % of haversine at city scale, a few times cheaper. Shown distances
    use `places.haversine_km`."""
    dx = (lons - lon) * (_KM_PER_DEGREE * math.cos(math.radians(lat)))
    dy = (lats - lat) * _KM_PER_DEGREE
    return np.sqrt(dx * dx + dy * dy)


def _commune_of(loc: object) -> str | None:
    code = getattr(loc, "insee_code", None)
    if code:
        return code
    city = getattr(loc, "city", None)
    place = places.commune_by_name(city) if city else None
    return place.insee_code if place else None


def _build_texts(services: list[Service]) -> _Texts:
    stops = stopwords()
    postings: dict[str, set[int]] = {}
    stem_of = functools.cache(stem)  # a catalogue's descriptions share most of their words
    for i, s in enumerate(services):
        for w in normalise(s.description or "").split():
            if w not in stops and len(w) >= 4:
                postings.setdefault(stem_of(w), set()).add(i)
    limit = max(3, len(services) // 10)  # words found everywhere say nothing
    return _Texts({w: np.array(sorted(v), np.int64) for w, v in postings.items() if len(v) <= limit})


# --------------------------------------------------------------------------- per database

_indexes: weakref.WeakKeyDictionary[Engine, tuple[int, SearchIndex]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def current_index(engine: Engine) -> SearchIndex:
    """The engine's index, rebuilt when the catalogue version row says the catalogue changed
    (read at most once a second: `catalogue.version`)."""
    stamp = version.current(engine)
    with _lock:
        cached = _indexes.get(engine)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    index = SearchIndex.from_engine(engine)
    with _lock:
        _indexes[engine] = (stamp, index)
    return index


def search_services(engine: Engine, query: Query, *, now: datetime | None = None) -> SearchOutcome:
    """Search the engine's catalogue (the index is built on first use and kept up to date);
    `now` decides "open now" on each result (the bot's clock, so tests can fix it)."""
    return current_index(engine).search(query, now=now)
