"""`SearchIndex`: a catalogue version's services, their features and vocabularies, and the
search that reads a query, gathers evidence and ranks it (`Weights`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import cast

import numpy as np
from sqlalchemy import Engine

from catalogue import index_rows, places, taught, taxonomy
from catalogue.db import session_scope
from catalogue.models import Service, Status
from catalogue.names import NameIndex
from catalogue.needs import Lexicon, lexicon
from catalogue.search import saved
from catalogue.search.evidence import Postings, gather
from catalogue.search.features import Array, Features
from catalogue.search.query import (
    OFF_TOPIC,
    Query,
    Result,
    SearchOutcome,
    _guessed,
    _read,
    _Reading,
    _Unglue,
    _unknown,
)
from catalogue.search.ranking import Ranking, relevance, top
from catalogue.search.weights import DEFAULT_WEIGHTS, Weights


@dataclass
class SearchIndex:
    """Everything search needs, in arrays parallel to `services` (`features`)."""

    services: list[Service]
    ids: list[str]
    features: Features
    names: NameIndex
    lex: Lexicon = field(repr=False)
    weights: Weights = DEFAULT_WEIGHTS
    postings: Postings = field(init=False, repr=False)
    ranking: Ranking = field(init=False, repr=False)
    _unglue: _Unglue = field(init=False, repr=False)
    _positions: dict[str, int] | None = field(default=None, repr=False)
    _answers: dict[tuple[Query, datetime], SearchOutcome] = field(default_factory=dict, repr=False)
    ANSWERS = 4096  # outcomes remembered by `search` within a minute (and with the index)

    def __post_init__(self) -> None:
        self.postings = Postings(
            self.features, self.names, self.lex, self.weights, len(self.services)
        )
        self.ranking = Ranking(self.services, self.features, self.weights)
        self._unglue = _Unglue(self.lex, self.names)

    @classmethod
    def build(cls, services: Sequence[Service], taught: tuple[tuple[str, str, str], ...] = (),
              weights: Weights = DEFAULT_WEIGHTS) -> SearchIndex:  # fmt: skip
        """Index active services (relations loaded: locations, categories, hours...), reading
        needs with the phrases administrators `taught` too, ranking by `weights`."""
        lex = lexicon(taught)
        services = [s for s in services if (s.status or Status.active) == Status.active]
        return cls(services=services, ids=[s.id for s in services],
                   features=Features.build(services),
                   names=NameIndex.build(services, lex.vocabulary.ids), lex=lex,
                   weights=weights)  # fmt: skip

    @classmethod
    def from_engine(cls, engine: Engine) -> SearchIndex:
        """The index of the engine's active services, read as light rows (`index_rows`), with
        the phrases administrators taught: loaded from disk when this catalogue and this code
        built it before (`saved`), else built and saved."""
        folder = saved.directory(engine)
        name = saved.key(engine) if folder else ""
        if folder is not None:
            parts = saved.load(folder, name)
            if parts is not None:
                return cls(*parts)
        with session_scope(engine) as session:
            phrases = taught.active(session)
        rows = cast(list[Service], index_rows.load(engine))  # rows carry Service's attribute names
        index = cls.build(rows, phrases)
        if folder is not None and saved.key(engine) == name:  # no change while it was built
            saved.save(folder, name, (index.services, index.ids, index.features, index.names,
                                      index.lex))  # fmt: skip
        return index

    def __len__(self) -> int:
        return len(self.services)

    def service(self, service_id: str) -> Service | None:
        """The indexed service with this id (what a result line shows: no database query)."""
        if self._positions is None:
            self._positions = {sid: i for i, sid in enumerate(self.ids)}
        at = self._positions.get(service_id)
        return None if at is None else self.services[at]

    def search(self, query: Query, *, now: datetime | None = None) -> SearchOutcome:
        """Ranked services answering `query`, or an abstention with group suggestions.

        Outcomes are remembered for the minute (opening hours are read to the minute) per query
        without its page: a page is a slice of a deeper one, since results are in a total
        order. The bot asks twice per message (is it understood? then the page), and people ask
        the same needs in the same towns. The index is per catalogue version, so a change never
        meets an old answer. An earlier minute's answers are dropped when a new minute is
        asked: they would never be read again, yet a bot running for weeks kept 4,096 of them
        (about 7 kB each, 28 MB).
        """
        now = now or datetime.now(UTC)
        minute = now.replace(second=0, microsecond=0)
        key = (replace(query, limit=0, offset=0), minute)
        start = max(0, query.offset)
        depth = start + max(0, query.limit)
        answers = self._answers
        if next(iter(answers), key)[1] != minute:
            answers = self._answers = {}  # a new dict: another thread may be reading the old
        known = answers.get(key)
        if known is None or (len(known.results) < depth and known.total > len(known.results)):
            known = self._search(replace(query, offset=0, limit=depth), now)
            if len(answers) >= self.ANSWERS:
                answers.pop(next(iter(answers)), None)
            answers[key] = known
        return replace(known, results=known.results[start:depth])

    def _search(self, query: Query, now: datetime) -> SearchOutcome:
        """`search` without remembering.

        Only candidate services (those some need, name or description word points to) are
        scored. Most candidates carry one piece of evidence (the largest posting list, e.g.
        every food service for "j'ai faim"): their relevance is that list's score times one
        number; only the few touched by other evidence are scored one by one.
        """
        w = self.weights
        reading = _read(query, self.lex, self._unglue, w.group_demotion)
        parts = self.postings.parts(reading, query.strict)
        known = self.postings.known_bits(reading)
        if not parts:
            return self._abstain(reading, known)
        ev = gather(parts, len(self), self.postings.slots())
        scored = relevance(ev.scores, ev.bits, reading, known, w)
        scores = ev.base_scores * scored[-1]
        scores[ev.touched] = scored[:-1]
        allowed = self.ranking.allowed(ev.cand, query, reading)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        best = float(scores.max())
        if best < w.min_relevance:
            return self._abstain(reading, known)
        kept = np.flatnonzero(scores >= max(w.min_relevance, w.keep_ratio * best))
        keep = ev.cand[kept]
        distance, factor = self.ranking.place_factor(keep, reading.place)
        final = scores[kept] * factor * self.ranking.preference(keep, query, reading, now)
        page = top(final, distance, keep, query.offset, query.limit)
        results = self._results(keep[page], final[page], distance[page], ev.why(kept[page]),
                                reading, query.open_at or now)  # fmt: skip
        return SearchOutcome(
            results,
            len(keep),
            tuple(reading.needs),
            reading.place,
            said=reading.tags,
            unknown=_unknown(reading, known),
            guessed=_guessed(reading),
        )

    def explain(self, query: Query) -> list[tuple[str, str, str]]:
        """How each word of `query` was read: (word, role, detail), role one of "place",
        "audience", "need", "name", "text", "ignored" (stop word, politeness) or "unknown"
        (nothing in the catalogue's vocabularies explains it). For admins and `--explain`."""
        reading = _read(query, self.lex, self._unglue, self.weights.group_demotion)
        found = self.names.match(reading.words, reading.raw, reading.content)
        named = 0
        if found is not None:
            for bits in found.bits.tolist():
                named |= bits
        texts = 0
        for part in self.postings.text_parts(reading):
            texts |= int(part.bits)
        known = self.postings.known_bits(reading)
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
                rows.append(
                    (
                        word,
                        "unknown" if not known & bit else "ignored",
                        "" if not known & bit else "known word, not read here",
                    )
                )
        return rows

    def _abstain(self, reading: _Reading, known: int) -> SearchOutcome:
        return SearchOutcome(
            [],
            0,
            tuple(reading.needs),
            reading.place,
            _suggest(reading),
            reading.tags,
            _unknown(reading, known),
            _guessed(reading),
        )

    def _results(
        self, services: Array, scores: Array, distance: Array, why: list[str],
        reading: _Reading, at: datetime,
    ) -> list[Result]:  # fmt: skip
        """The page's services as results: distances shown are haversine to the nearest precise
        location (`distance` is nan where there is none), opening at `at`."""
        f = self.features
        km = np.full(len(services), np.nan)
        if reading.place is not None and len(services):
            p = reading.place.place
            km = places.haversine_km_to_many(p.latitude, p.longitude, f.any_lat[services],
                                             f.any_lon[services])  # fmt: skip
            for j, i in enumerate(services.tolist()):
                for lat, lon in f.extra_points.get(i, ()):
                    km[j] = min(km[j], places.haversine_km(p.latitude, p.longitude, lat, lon))
        km[np.isnan(distance)] = np.nan
        expanded = [(k, taxonomy.expand(k)) for k in reading.needs]
        results = []
        for i, score, shown, because in zip(services.tolist(), scores.tolist(), km.tolist(), why,
                                            strict=True):  # fmt: skip
            s = self.services[i]
            matched = tuple(k for k, keys in expanded if f.keys[i] & keys)
            results.append(Result(s.id, s.name, round(score, 4),
                                  None if math.isnan(shown) else round(shown, 2), because,
                                  matched, self.ranking.is_open(i, at)))  # fmt: skip
        return results


def _suggest(reading: _Reading) -> tuple[str, ...]:
    """Groups to offer: those of half-understood needs first, then the usual order."""
    first: list[str] = []
    for key in reading.needs:
        category = taxonomy.get_category(key)
        group = (category.group or category.key) if category else None
        if group and group not in first:
            first.append(group)
    rest = [g.key for g in taxonomy.groups() if g.key not in first]
    return tuple(first + rest)
