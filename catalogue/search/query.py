"""The search's contract (`Query` in, `SearchOutcome` of `Result`s out) and how a query is read:
its place, who is asking and the filters said in words, its needs, its words as bits of an int."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from catalogue import places, taxonomy
from catalogue.models import Gender
from catalogue.names import NameIndex
from catalogue.needs import MAX_WORDS, Lexicon, Need, introductions, off_topic, stopwords, unchat
from catalogue.places import PlaceMatch
from catalogue.text import normalise, stem

GLUED_LENGTH = 8  # an unknown word this long may be known words run together
OFF_TOPIC = "\x00"  # stands for an off-topic phrase among the query's word keys
SHELTER_GROUP = "accomodation_and_housing"
TONIGHT = ("emergency_accommodation", "overnight_stop")  # what a roof tonight is
WHEN_TAGS = frozenset({"open_now", "free", "no_appointment", "evening"})  # filters, not needs


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
    said: frozenset[str] = frozenset()  # audience tags said earlier, beside the text's own
    # (a danger's needs searched for "avec mes enfants": family shelters first)
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
    guessed: bool = False  # every need was read through a typo ("rentre" as "centre")

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


def _specific(needs: dict[str, Need], demotion: float) -> dict[str, Need]:
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
                kept[key] = Need(key, need.score * demotion, need.words)
    return kept


def _tonight(needs: dict[str, Need], demotion: float) -> dict[str, Need]:
    """A roof needed tonight is an emergency shelter or a night stop, not a housing fund: the
    housing needs understood are read as those, the longer-term ones demoted."""
    housing = [n for n in needs.values() if n.key in taxonomy.expand(SHELTER_GROUP)]
    if not housing:
        return needs
    score = max(n.score for n in housing)
    words = 0
    for n in housing:
        words |= n.words
    kept = {k: Need(k, n.score * demotion, n.words) if n in housing else n
            for k, n in needs.items()}  # fmt: skip
    for key in TONIGHT:
        kept[key] = Need(key, score, words)
    return kept


def _read(query: Query, lex: Lexicon, unglue: Callable[[list[str]], list[str]] | None,
          demotion: float) -> _Reading:  # fmt: skip
    """Read `query`; a group need that a child need explains as well is scored `demotion`
    (`Weights.group_demotion`)."""
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
    words = [
        "" if w in stops or k in stops or w.isdecimal() else k
        for w, k in zip(raw, keys, strict=True)
    ]
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
        needs[key] = (
            need if old is None else Need(key, max(old.score, need.score), old.words | need.words)
        )
    needs = _specific(needs or lex.idioms_in(keys), demotion)
    if "tonight" in who.tags:
        needs = _tonight(needs, demotion)
    for key in query.categories:
        needs[key] = Need(key, 1.0, 0)
    tags = set(who.tags) | query.said
    if query.gender in (Gender.women, Gender.men):
        tags -= {"women", "men"}
        tags.add(query.gender)
    age = query.age if query.age is not None else who.age
    told = (who.words & ((1 << len(raw)) - 1)).bit_count()
    return _Reading(place, raw, words, content, told, who.words, needs, frozenset(tags), age)


def _guessed(reading: _Reading) -> bool:
    """No need was read as written: each one only through a typo (a similarity below 1)."""
    return bool(reading.needs) and max(n.score for n in reading.needs.values()) < 1.0


def _unknown(reading: _Reading, known: int) -> tuple[str, ...]:
    """The words to explain that no vocabulary knows, as typed (normalised)."""
    left = reading.content & ~known
    return tuple(w for i, w in enumerate(reading.raw) if left >> i & 1 and w != OFF_TOPIC)


@dataclass(frozen=True)
class _Unglue:
    """Splits run-together words ("emmausconnectlille", "mobilimelroubaix") into the names,
    needs, places and stop words the catalogue knows."""

    lex: Lexicon
    names: NameIndex

    def __call__(self, words: list[str]) -> list[str]:
        """Normalised `words` with run-together ones split: a long Latin word nobody knows that
        is a run of known words (a name or a place among them), the last one possibly misspelt
        ("emmausconect")."""
        out: list[str] = []
        for word in words:
            pieces = None
            if (
                len(word) >= GLUED_LENGTH
                and word.isascii()
                and word.isalpha()
                and not self._knows(word)
                and not self.lex.vocabulary.matches(stem(word))
            ):
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
            there = best[j]
            if known(word[i:j]) and (there is None or len(here) + 1 < len(there)):
                best[j] = [*here, word[i:j]]
    if best[n] is None:
        tails = [[*b, word[i:]] for i, b in enumerate(best) if b and close(word[i:])]
        best[n] = min(tails, key=len, default=None)
    found = best[n]
    return found if found is not None and len(found) > 1 else None
