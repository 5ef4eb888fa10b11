"""What search knows of each service, as numpy arrays parallel to the index's services: where it
is, whom it serves, whether it is free or walk-in, the days it opens, its needs and the words of
its description. Built once per catalogue version."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from catalogue import audience, places
from catalogue.hours import DAY_CODES
from catalogue.models import Gender, Service
from catalogue.needs import stopwords
from catalogue.text import normalise, stem

Array = NDArray[Any]  # numpy arrays of any dtype: the dtypes are said where each is made

METROPOLIS = ("metropole europeenne de lille", "mel", "metropole lilloise")
PRECISE, SEVERAL, IN_METROPOLIS = 1, 2, 4  # Features.flags
RESERVED = (*audience.RESERVED, "women", "men", "youth")
GENDER_CODES = {Gender.women.value: 1, Gender.men.value: 2}  # Features.gender


@dataclass
class Features:
    """Everything search reads of the services, in arrays parallel to them."""

    any_lat: Array  # a precise location if any, else an approximate one (nan: none)
    any_lon: Array
    flags: Array  # PRECISE (any_lat/any_lon is precise), SEVERAL places, IN_METROPOLIS
    extra_points: dict[int, list[tuple[float, float]]]  # further precise locations
    commune: Array  # code of the commune of the first location (-1 unknown)
    commune_codes: dict[str, int]  # INSEE code -> commune code
    extra_communes: dict[int, set[int]]  # further communes of services at several places
    gender: Array  # 0 everyone, 1 women only, 2 men only
    min_age: Array
    max_age: Array
    reserved: Array  # bits of RESERVED: audiences a service is reserved to
    refuses_children: Array
    free: Array
    walk_in: Array
    speaks: dict[str, Array]  # language code -> services where it is spoken
    open_days: Array  # (service, weekday): some opening rule on that day
    tagged: dict[str, Array]  # category key -> services carrying it
    keys: list[frozenset[str]]  # service -> its category keys
    postings: dict[str, Array]  # description word key -> service indexes

    @classmethod
    def build(cls, services: Sequence[Service]) -> Features:
        """The features of `services` (relations loaded: locations, categories, hours...), whom
        each is for as its columns store it (`catalogue.audience`)."""
        n = len(services)
        any_lat, any_lon, precise = np.full(n, np.nan), np.full(n, np.nan), np.zeros(n, bool)
        extra: dict[int, list[tuple[float, float]]] = {}
        commune, codes = np.full(n, -1, np.int32), dict[str, int]()
        extra_communes: dict[int, set[int]] = {}
        tagged: dict[str, list[int]] = {}
        speaks: dict[str, list[int]] = {}
        only: dict[str, list[int]] = {}
        gender = np.zeros(n, np.int8)
        min_age, max_age = np.full(n, np.nan), np.full(n, np.nan)
        metropolis, refuses = np.zeros(n, bool), np.zeros(n, bool)
        free, walk_in = np.zeros(n, bool), np.zeros(n, bool)
        open_days = np.zeros((n, 7), bool)
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
            gender[i] = GENDER_CODES.get(s.audience_gender or "", 0)
            min_age[i] = s.min_age if s.min_age is not None else np.nan
            max_age[i] = s.max_age if s.max_age is not None else np.nan
            for tag in s.reserved_for or ():
                only.setdefault(tag, []).append(i)
            refuses[i] = s.refuses_children
            free[i] = bool(s.free)  # settled from the fees text when stored (catalogue.fees)
            walk_in[i] = s.walk_in
        return cls(
            any_lat=any_lat, any_lon=any_lon, extra_points=extra, commune=commune,
            flags=(precise * PRECISE + mask(n, sorted({*extra, *extra_communes})) * SEVERAL
                   + metropolis * IN_METROPOLIS).astype(np.uint8),
            commune_codes=codes, extra_communes=extra_communes,
            gender=gender, min_age=min_age, max_age=max_age,
            reserved=_reserved_codes(n, only, gender, max_age),
            refuses_children=refuses, free=free, walk_in=walk_in,
            speaks={k: mask(n, v) for k, v in speaks.items()},
            open_days=open_days,
            tagged={k: np.array(v, np.int64) for k, v in tagged.items()},
            keys=_shared([frozenset(c.key for c in s.categories) for s in services]),
            postings=_postings(services),
        )  # fmt: skip


def mask(n: int, indexes: Sequence[int] | Array) -> Array:
    """A boolean array of n, true at `indexes`."""
    out = np.zeros(n, bool)
    out[np.asarray(indexes, np.int64)] = True
    return out


def _reserved_codes(n: int, only: dict[str, list[int]], gender: Array, max_age: Array) -> Array:
    codes = np.zeros(n, np.uint8)
    for bit, tag in enumerate(audience.RESERVED):
        codes[np.asarray(only.get(tag, []), np.int64)] |= 1 << bit
    codes[gender == 1] |= 1 << 4
    codes[gender == 2] |= 1 << 5
    codes[max_age <= 30] |= 1 << 6
    return codes


def _shared(sets: list[frozenset[str]]) -> list[frozenset[str]]:
    """`sets` with equal sets as one object: most services share their category keys."""
    one: dict[frozenset[str], frozenset[str]] = {}
    return [one.setdefault(keys, keys) for keys in sets]


def _commune_of(loc: object) -> str | None:
    code = getattr(loc, "insee_code", None)
    if code:
        return str(code)
    city = getattr(loc, "city", None)
    place = places.commune_by_name(city) if city else None
    return place.insee_code if place else None


def _postings(services: Sequence[Service]) -> dict[str, Array]:
    """Description word key -> the services whose description holds it.

    Built as lists, each service once per key and in order (a set per key cost 70 MB more at
    the peak of a build at 100k services than the lists)."""
    stops = stopwords()
    postings: dict[str, list[int]] = {}
    stem_of = functools.cache(stem)  # a catalogue's descriptions share most of their words
    for i, s in enumerate(services):
        words = normalise(s.description or "").split()
        for key in dict.fromkeys(stem_of(w) for w in words if w not in stops and len(w) >= 4):
            postings.setdefault(key, []).append(i)
    limit = max(3, len(services) // 10)  # words found everywhere say nothing
    return {w: np.array(v, np.int64) for w, v in postings.items() if len(v) <= limit}
