"""Need-and-place search over the catalogue (see `index.py`)."""

from catalogue.search.index import (
    Query,
    Result,
    SearchIndex,
    SearchOutcome,
    current_index,
    search_services,
)

__all__ = ["Query", "Result", "SearchIndex", "SearchOutcome", "current_index", "search_services"]
