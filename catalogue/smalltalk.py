"""Messages that are not a need: a greeting, a thank-you, "more" after a list, or a place
outside the metropolis.

Read before any search so that "bonjour" gets a greeting instead of "not found", and "Paris"
is told it is outside the area instead of being searched as a service's name. The words are
data: `data/courtesy.json` and `data/elsewhere.json`.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from catalogue import places
from catalogue.needs import stopwords
from catalogue.text import normalise

DATA = Path(__file__).parent / "data"
_POSTCODE = re.compile(r"^\d{5}$")


@cache
def _courtesy_words() -> dict[str, frozenset[str]]:
    data = json.loads((DATA / "courtesy.json").read_text(encoding="utf-8"))
    return {
        kind: frozenset(w for phrases in data[kind].values() for p in phrases
                        for w in normalise(p).split())
        for kind in ("greeting", "thanks", "more")
    }  # fmt: skip


def courtesy(text: str) -> str | None:
    """ "thanks" or "greeting" when the message says nothing else ("Merci beaucoup !",
    "السلام عليكم"), else None."""
    words = normalise(text).split()
    kinds = _courtesy_words()
    if not words or not set(words) <= kinds["greeting"] | kinds["thanks"]:
        return None
    return "thanks" if set(words) & kinds["thanks"] - kinds["greeting"] else "greeting"


def asks_next_page(text: str) -> bool:
    """The message only asks for more results ("suivant", "la suite", "more", "ещё")."""
    words = set(normalise(text).split())
    more = _courtesy_words()["more"]
    return bool(words & more) and words <= more | stopwords()


@cache
def _elsewhere_names() -> frozenset[str]:
    data = json.loads((DATA / "elsewhere.json").read_text(encoding="utf-8"))
    return frozenset(normalise(name) for name in data["names"])


def elsewhere(text: str) -> bool:
    """The message only names a place outside the metropolis: a well-known town ("Paris",
    "je suis à Lyon", "Париж") or a French postcode no commune of the metropolis has. A
    commune of the metropolis is never elsewhere ("Mons" is Mons-en-Barœul): that fuzzy
    look-up runs last, for the few texts that name a place elsewhere."""
    stops = stopwords()
    words = [w for w in normalise(text).split() if w not in stops]
    if len(words) == 1 and _POSTCODE.match(words[0]):
        outside = not places.commune_for_postcode(words[0])
    else:
        outside = bool(words) and " ".join(words) in _elsewhere_names()
    match = places.resolve_place(text) if outside else None
    return outside and not (match is not None and match.certain)
