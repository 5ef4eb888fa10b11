"""Ranking: a service's relevance from its evidence, the hard filters, the
soft preferences, the place factor and the page's order."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from catalogue import places
from catalogue.danger import MINOR_AGE
from catalogue.hours import is_open
from catalogue.models import Service
from catalogue.places import PlaceMatch
from catalogue.search.evidence import BONUS, CATEGORY, NAME, TEXT
from catalogue.search.features import IN_METROPOLIS, PRECISE, RESERVED, SEVERAL, Array, Features
from catalogue.search.query import Query, _Reading
from catalogue.search.weights import Weights

_POPCOUNT = np.bitwise_count
_KM_PER_DEGREE = places.EARTH_RADIUS_KM * math.pi / 180


def relevance(scores: Array, bits: Array, reading: _Reading, known: int, weights: Weights) -> Array:
    """Best evidence times how much of the query it explains (plus the name bonus).

    Words nobody explained count fully against a service when the catalogue does not know them
    at all ("bitcoin"), by `known_word` when it does (a word of another need, a place...). When
    a clear need or name and the words saying who asks outnumber the unknown words ("abogado
    gratis <typo>"), an unknown word counts `unknown_word`: one word we cannot read must not
    hide what we did read; "receta de paella" (one food word, one unknown) still abstains.
    """
    content = reading.content
    explained = (bits[CATEGORY] | bits[NAME]) & content
    text_only = bits[TEXT] & ~explained & content
    left = content & ~explained & ~text_only
    matched = _POPCOUNT(explained) + _POPCOUNT(text_only)
    clear = np.maximum(scores[CATEGORY], scores[NAME])
    strange = _POPCOUNT(left & ~known)
    unknown = np.where((clear >= weights.strong) & (matched + reading.told > strange),
                       weights.unknown_word, 1.0)  # fmt: skip
    asked = matched + weights.known_word * _POPCOUNT(left & known) + unknown * strange
    told = np.where(matched > 0, reading.told, 0)  # who asks counts as read beside a need
    coverage = np.divide(matched + told, asked + told, out=np.ones(len(matched)),
                         where=asked > 0)  # fmt: skip
    base = np.maximum(clear, scores[TEXT])
    result: Array = base * (0.3 + 0.7 * np.minimum(coverage, 1.0)) + scores[BONUS]
    return result


@dataclass
class Ranking:
    """Filters, preferences and the place factor over the services' features."""

    services: list[Service]
    features: Features
    weights: Weights
    _open_cache: dict[tuple[int, datetime], bool | None] = field(default_factory=dict, repr=False)
    _tables: dict[tuple[frozenset[str], bool], Array] = field(default_factory=dict, repr=False)

    def allowed(self, cand: Array, query: Query, reading: _Reading) -> Array | None:
        """Hard filters: eligibility that excludes the asker, and filters chosen with buttons
        (None when no filter applies)."""
        f = self.features
        tags = reading.tags
        checks: list[Array] = []
        if "women" in tags:
            checks.append(f.gender[cand] != 2)
        if "men" in tags:
            checks.append(f.gender[cand] != 1)
        age = reading.age
        if age is None and "minor" in tags:
            age = MINOR_AGE
        if age is None:
            age = 65 if "senior" in tags else None
            if age is None and tags & {"student", "young"}:
                age = 20
        if age is not None:
            checks.append(~(f.min_age[cand] > age) & ~(f.max_age[cand] < age))
        if "family" in tags:
            checks.append(~f.refuses_children[cand])
        if query.free_only:
            checks.append(f.free[cand])
        if query.no_appointment:
            checks.append(f.walk_in[cand])
        if query.open_day is not None:
            checks.append(f.open_days[cand, query.open_day])
        if not checks and query.open_at is None:
            return None
        ok: Array = functools.reduce(np.logical_and, checks, np.ones(len(cand), bool))
        if query.open_at is not None:
            ok &= self.open_mask(query.open_at, cand, ok)
        return ok

    def is_open(self, i: int, at: datetime) -> bool | None:
        """`hours.is_open` for service i, remembered for the minute (many searches share it);
        an earlier minute's are dropped (never read again: up to 100,000 were kept, 17 MB)."""
        key = (i, at.replace(second=0, microsecond=0))
        known = self._open_cache
        if next(iter(known), key)[1] != key[1] or len(known) > 100_000:
            known = self._open_cache = {}  # a new dict: another thread may be reading the old
        if key not in known:
            s = self.services[i]
            known[key] = is_open(s.hours, s.exceptions, at, s.opening_hours_osm)
        return known[key]

    def open_mask(self, at: datetime, services: Array, among: Array) -> Array:
        """Which of `services` (those `among` allows) are open at `at`."""
        mask = np.zeros(len(services), bool)
        for j in np.flatnonzero(among):
            mask[j] = bool(self.is_open(int(services[j]), at))
        return mask

    def preference(self, keep: Array, query: Query, reading: _Reading, now: datetime) -> Array:
        """Soft preferences: services made for the asker first, reserved ones after, and what
        the text asked (free, without appointment, open now) before the rest."""
        f, w = self.features, self.weights
        tags = reading.tags
        young = bool(tags & {"young", "student", "minor"}) or (
            reading.age is not None and reading.age <= 25
        )
        factor: Array = self._audience_table(tags, young)[f.reserved[keep]]
        for tag in tags:
            if tag.startswith("day_"):
                factor *= np.where(f.open_days[keep, int(tag[4:])], 1.0, w.soft_filter)
            if tag.startswith("speaks_"):
                lang = tag.removeprefix("speaks_")
                if lang in f.speaks:
                    factor *= np.where(f.speaks[lang][keep], w.speaks, 1.0)
        if "free" in tags:
            factor *= np.where(f.free[keep], 1.0, w.soft_filter)
        if "no_appointment" in tags:
            factor *= np.where(f.walk_in[keep], 1.0, w.soft_filter)
        if "open_now" in tags and query.open_at is None:
            is_open_now = self.open_mask(now, keep, np.ones(len(keep), bool))
            factor *= np.where(is_open_now, 1.0, w.soft_filter)
        return factor

    def _audience_table(self, tags: frozenset[str], young: bool) -> Array:
        """Factor per `reserved` code: `made_for` the asker, reserved to others `for_others`
        (`other_gender` for one gender when the asker's is unknown), per restriction."""
        key = (tags, young)
        table = self._tables.get(key)
        if table is None:
            w = self.weights
            table = np.ones(1 << len(RESERVED))
            asker = set(tags) | ({"youth"} if young else set())
            for code in range(len(table)):
                for bit, tag in enumerate(RESERVED):
                    if code >> bit & 1:
                        if tag in asker:
                            table[code] *= w.made_for
                        elif tag in ("women", "men"):
                            table[code] *= w.other_gender if not asker & {"women", "men"} else 1.0
                        else:
                            table[code] *= w.for_youth if tag == "youth" else w.for_others
            self._tables[key] = table
        return table

    def place_factor(self, keep: Array, place: PlaceMatch | None) -> tuple[Array, Array]:
        """Distance (km, nan when not precisely known) and a factor ranking near before far."""
        if place is None:
            return np.full(len(keep), np.nan), np.ones(len(keep))
        f, w = self.features, self.weights
        p = place.place
        flags = f.flags[keep]
        rough = _flat_km(p.latitude, p.longitude, f.any_lat[keep], f.any_lon[keep])
        distance = np.where(flags & PRECISE, rough, np.nan)
        several = np.flatnonzero(flags & SEVERAL)
        for j in several:
            for lat, lon in f.extra_points.get(int(keep[j]), ()):
                d = float(_flat_km(p.latitude, p.longitude, np.array([lat]), np.array([lon]))[0])
                distance[j] = d if math.isnan(distance[j]) else min(distance[j], d)
        near = (distance <= w.near_km) | (flags & IN_METROPOLIS > 0)
        code = f.commune_codes.get(p.insee_code or "")
        if p.kind in ("commune", "postcode") and code is not None:
            near |= f.commune[keep] == code
            for j in several:
                near[j] |= code in f.extra_communes.get(int(keep[j]), ())
        factor = np.fmax(w.far / (1 + np.maximum(rough - w.near_km, 0) / w.far_km), w.farthest)
        factor[near] = 1.0 - w.near_slope * np.fmin(distance[near], w.near_km)
        return distance, factor


def top(final: Array, distance: Array, services: Array, offset: int, limit: int) -> Array:
    """Positions of the page of results: best score first, then nearest (10 m steps), then
    catalogue order. Only candidates scoring at least the page's last one are keyed and sorted."""
    k = min(len(final), max(0, offset) + max(0, limit))
    if k == 0:
        return np.zeros(0, np.int64)
    head = np.flatnonzero(final >= np.partition(final, len(final) - k)[len(final) - k])
    order = _page_order(final[head], distance[head], services[head], offset, limit)
    result: Array = head[order]
    return result


def _page_order(final: Array, distance: Array, services: Array, offset: int, limit: int) -> Array:
    """The page's positions by one int64 key per candidate (argpartition, then sort)."""
    n = len(final)
    score = np.rint(final * 1e6).astype(np.int64)  # relevance, 6 decimals
    metres = np.rint(np.minimum(np.nan_to_num(distance, nan=9999.0), 9999.0) * 100).astype(np.int64)
    key = (-score * 1_000_000 + metres) * (int(services.max(initial=0)) + 1) + services
    k = min(n, max(0, offset) + max(0, limit))
    if k == 0:
        return np.zeros(0, np.int64)
    head = np.argpartition(key, k - 1)[:k] if k < n else np.arange(n)
    result: Array = head[np.argsort(key[head])][offset:]
    return result


def _flat_km(lat: float, lon: float, lats: Array, lons: Array) -> Array:
    """Distances from one point to many in km, on a flat map around the point (nan where
    unknown): within 0.5 % of haversine at city scale, a few times cheaper. Shown distances
    use `places.haversine_km`."""
    dx = (lons - lon) * (_KM_PER_DEGREE * math.cos(math.radians(lat)))
    dy = (lats - lat) * _KM_PER_DEGREE
    result: Array = np.sqrt(dx * dx + dy * dy)
    return result
