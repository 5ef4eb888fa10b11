"""The numbers search ranks by, named, with why each has its value."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Weights:
    """The numbers ranking runs on, named; search quality is measured with these defaults
    (`tests/test_search_eval.py`, `../shared/eval`)."""

    min_relevance: float = 0.68  # below it the search abstains: calibrated on the development set
    keep_ratio: float = 0.6  # results reach this share of the best: no weak tail after a clear one
    strong: float = 0.95  # evidence this good is a clear match (no typo): see unknown_word
    text_score: float = 0.75  # a description holding every word asked: just enough to answer
    wider: float = 0.92  # tagged with the child need's whole group: may do it, less surely
    group_demotion: float = 0.85  # a group need a child need explains too: the precise need first
    known_word: float = 0.4  # a known word left unmatched (another need, a place): a weak 'no'
    unknown_word: float = 0.5  # one unreadable word must not hide a clear need said around it
    soft_filter: float = 0.88  # a service not doing what the text asked (free, a day) comes later
    made_for: float = 1.15  # a service reserved to the asker's audience comes first
    for_others: float = 0.9  # one reserved to another audience (per restriction) comes after
    for_youth: float = 0.92  # one for the young when the asker is not known to be: milder
    other_gender: float = 0.95  # one for a gender when the asker's is unknown: milder still
    speaks: float = 1.15  # a service speaking the language the asker said comes first
    near_km: float = 3.0  # within this of the place (or in its commune, or metropolis-wide): near
    near_slope: float = 0.02  # near: 1.0 at the door, 1 - 3 x this at near_km
    far: float = 0.85  # far: this factor at near_km, falling with the distance...
    far_km: float = 15.0  # ... halved this many km further...
    farthest: float = 0.3  # ... never under this (nor without any location)


DEFAULT_WEIGHTS = Weights()  # the weights search is measured with
