"""Need-and-place search over the catalogue: a structured `Query` in, ranked `Result`s out.

How a query is read (all of it data-driven, see `needs.py`; `query.py`):
1. place: the shared location, else the typed place, else a place named inside the text
   (`places.find_place_in_text`); its words are taken out of the need text;
2. who is asking (women, student, family, 60+...) and filters said in words (free, without
   appointment, open now);
3. the need: synonym phrases of every category in nine languages (typo-tolerant), programme and
   service names (also typed in Arabic or Cyrillic script: names are compared in Latin letters
   and by sound), and words of the descriptions as a last resort.

A service's relevance is its best match (`evidence.py`) times how much of the query it explains,
so "where can I find the weather" does not match everything (`ranking.py`). Below
`Weights.min_relevance` the search abstains and offers category groups. Among relevant
services, those in the same commune or within `Weights.near_km` (or serving the whole
metropolis) come first, nearest first; a service whose coordinates are only a commune's centre
is never ranked as near a precise point.

Speed: the index is built once (`features.py`: numpy arrays, postings per category,
vocabularies of words; `index.py`), every per-service step is a numpy operation, and word
look-ups are rapidfuzz batch calls. `registry.py` keeps each database's current index.
"""

from catalogue.search.index import SearchIndex
from catalogue.search.query import Query, Result, SearchOutcome
from catalogue.search.registry import current_index, search_services
from catalogue.search.weights import Weights

__all__ = [
    "Query",
    "Result",
    "SearchIndex",
    "SearchOutcome",
    "Weights",
    "current_index",
    "search_services",
]
