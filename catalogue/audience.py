"""Whom a service is for: the one rule the import, the admin's /add and /edit, the search and
the card follow (issue 18).

Read once when a service is written and stored in its columns (`Reading`'s fields), so the
search index only reads them and the *Women* filter and the card's "women only" agree:

- its gender is the one its source states (sheet, admin, data·inclusion's public, HSDS
  `x_relais`); else the first one its eligibility text names before any family word ("Femmes
  seules ou avec enfants" is for women, "Familles ... et femmes enceintes" for families) when
  it names one gender only ("Hommes et femmes majeurs" restricts none); else the one its name
  names alone ("Accueil de jour pour femmes");
- it is reserved for the students, families, seniors and job seekers its eligibility text names,
  and for students when its name says so ("épicerie étudiante");
- it refuses children when its eligibility text says so ("sans enfant");
- one may walk in when its access is unconditional or its access note says so ("sans rdv").

Words are those of `data/audience.json`, read as a person's message is (`Lexicon.tags_in`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from catalogue.models import Access, Gender
from catalogue.needs import lexicon

RESERVED = ("student", "family", "senior", "job_seeker")  # audiences a service may be kept for
GENDERS = (Gender.women.value, Gender.men.value)


class Reading(NamedTuple):
    """Whom a service is for, as its columns store it."""

    audience_gender: str | None  # Gender, None for everyone
    reserved_for: list[str]  # of RESERVED, in that order
    refuses_children: bool
    walk_in: bool


INPUTS = ("name", "gender", "eligibility", "access", "access_note")  # what a reading reads
COLUMNS = Reading._fields


@lru_cache(maxsize=1 << 16)  # eligibility and access texts repeat across a catalogue
def _tags(text: str | None) -> tuple[str, ...]:
    return tuple(lexicon().tags_in(text))


def read(
    name: str | None,
    gender: str | None,
    eligibility: str | None,
    access: str | None,
    access_note: str | None,
) -> Reading:
    """Whom the service is for, from what its source states and its texts say (French)."""
    said = _tags(eligibility)
    named = [t for t in _tags(name) if t in (*GENDERS, "student")]
    first = next((t for t in said if t in (*GENDERS, "family")), None)
    both = set(GENDERS) <= set(said)  # "Hommes et femmes": no restriction
    sex = gender or (first if first in GENDERS and not both else None)
    if sex is None and len(set(named) & set(GENDERS)) == 1:
        sex = next(t for t in named if t in GENDERS)
    reserved = {*said, *named}
    return Reading(
        audience_gender=str(sex) if sex else None,
        reserved_for=[t for t in RESERVED if t in reserved],
        refuses_children="no_children" in said,
        walk_in=access == Access.unconditional or "no_appointment" in _tags(access_note),
    )


def columns(service: Mapping[str, Any]) -> dict[str, Any]:
    """The reading of a service given by its fields (a snapshot), by column."""
    return read(**{field: service.get(field) for field in INPUTS})._asdict()
