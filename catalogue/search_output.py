"""Search for the command line: a query from a JSON row, results as JSON or a readable table.

The JSON form is the evaluation contract of `../shared/eval/README.md`: one object per query,
`{"id": ..., "results": [{"id", "score", "distance_km"}, ...]}`, best first, empty when nothing
matched; `"emergency"` lists the national lines the danger reader calls for, in display order
(`[{"id": "prevention-suicide", "number": "3114"}, ...]`), and `"danger"` its kinds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from catalogue import danger, taxonomy
from catalogue.search import Query, SearchIndex, SearchOutcome


def query_from_row(row: dict[str, Any], *, limit: int = 10, open_now: bool = False,
                   free: bool = False) -> Query:  # fmt: skip
    """`near` is a typed place (string) or a shared location ({"lat": .., "lon": ..})."""
    near = row.get("near")
    place, location = None, None
    if isinstance(near, dict) and "lat" in near and "lon" in near:
        location = (float(near["lat"]), float(near["lon"]))
    elif isinstance(near, str) and near.strip():
        place = near
    return Query(
        text=str(row.get("text") or ""), place=place, location=location, lang=_lang(row),
        limit=limit, open_at=datetime.now(UTC) if open_now else None, free_only=free,
    )  # fmt: skip


def _run(index: SearchIndex, row: dict[str, Any], **options: Any) -> SearchOutcome:
    return index.search(query_from_row(row, **options))


def _lang(row: dict[str, Any]) -> str:
    lang = row.get("lang")
    return lang if isinstance(lang, str) and lang in taxonomy.LANGUAGES else "fr"


def _danger(row: dict[str, Any]) -> danger.Danger:
    return danger.read(str(row.get("text") or ""), _lang(row))


def search_json(index: SearchIndex, row: dict[str, Any], *, explain: bool = False,
                **options: Any) -> dict[str, Any]:  # fmt: skip
    """The evaluation contract's object; with `explain`, how each word was read too."""
    outcome = _run(index, row, **options)
    danger_read = _danger(row)
    found = {
        "id": row.get("id"),
        "results": [
            {
                "id": r.service_id,
                "score": r.score,
                "distance_km": r.distance_km,
                "why": r.why,
                "open_now": r.open_now,
            }
            for r in outcome.results
        ],  # fmt: skip
        "categories": list(outcome.categories),
        "place": outcome.place.place.name if outcome.place else None,
        "suggestions": list(outcome.suggestions),
        "emergency": [{"id": line.id, "number": line.number} for line in danger_read.lines],
        "danger": list(danger_read.kinds),
    }
    if explain:
        found["explain"] = [
            {"word": w, "read_as": role, "detail": detail}
            for w, role, detail in index.explain(query_from_row(row, **options))
        ]
    return found


def explain_table(index: SearchIndex, row: dict[str, Any], **options: Any) -> str:
    """One line per word: what search read it as (need keys, place, audience, name, unknown)."""
    rows = index.explain(query_from_row(row, **options))
    width = max((len(w) for w, _, _ in rows), default=4)
    return "\n".join(f"{w:<{width}}  {role:<8} {detail}".rstrip() for w, role, detail in rows)


def search_table(index: SearchIndex, row: dict[str, Any], **options: Any) -> str:
    outcome = _run(index, row, **options)
    lang = row.get("lang") or "fr"
    understood = ", ".join(taxonomy.label(k, lang) for k in outcome.categories) or "-"
    place = outcome.place.place.name if outcome.place else "-"
    found = _danger(row)
    lines = [f"call first: {line.number}  {line.labels['en']}" for line in found.lines]
    lines.append(f"need: {understood}   place: {place}")
    if outcome.abstained:
        groups = ", ".join(taxonomy.label(k, lang) for k in outcome.suggestions)
        lines.append(f"nothing matched; try a category: {groups}")
        return "\n".join(lines)
    lines.append(f"{'#':>2}  {'id':<10} {'score':>5} {'km':>5} {'open':<4} {'why':<8} name")
    for n, r in enumerate(outcome.results, 1):
        km = "-" if r.distance_km is None else f"{r.distance_km:.1f}"
        is_open = {True: "yes", False: "no", None: "?"}[r.open_now]
        lines.append(
            f"{n:>2}  {r.service_id:<10} {r.score:>5.2f} {km:>5} {is_open:<4} {r.why:<8} {r.name}"
        )
    lines.append(f"{outcome.total} matching services")
    return "\n".join(lines)
