"""Fill the gold answers of `colloquial_queries.jsonl` from each query's intended needs and place.

The held-out colloquial set is written by hand as (text, lang, near, needs, place, asker, or the
`programme` a name asks for); the
services that answer it are then derived from the evaluation catalogue by the rules of
`../shared/eval/README.md`, not picked by hand: a service answers when one of its category keys
is among the query's `needs`, the asker is eligible (gender, age) and, for a place, it is in the
same commune, within 3 km of the place's point or serves the whole metropolis (when none is, the
nearest two). Run from the repository root after editing the queries:

    python3 tests/data/colloquial_gold.py
"""

from __future__ import annotations

import csv
import json
import math
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT.parent / "shared" / "eval" / "catalogue-eval.json"
QUERIES = Path(__file__).with_name("colloquial_queries.jsonl")
NEAR_KM = 3.0


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold().replace("œ", "oe"))
    return (
        "".join(c for c in text if not unicodedata.combining(c)).replace("’", "'").replace(" ", "-")
    )


def _points() -> dict[str, tuple[float, float, str]]:
    """Folded commune or neighbourhood name -> (lat, lon, commune INSEE code)."""
    data = ROOT / "catalogue" / "data"
    points = {}
    with (data / "communes.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            points[_fold(row["name"])] = (
                float(row["latitude"]),
                float(row["longitude"]),
                row["insee_code"],
            )
    with (data / "neighbourhoods.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            points.setdefault(
                _fold(row["name"]),
                (float(row["latitude"]), float(row["longitude"]), row["insee_code"]),
            )
    return points


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat, dlon = math.radians(b[0] - a[0]), math.radians(b[1] - a[1])
    h = (
        math.sin(dlat / 2) ** 2
        + math.cos(math.radians(a[0])) * math.cos(math.radians(b[0])) * math.sin(dlon / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _eligible(service: dict, asker: dict) -> bool:
    text = _fold(service.get("eligibility_description") or "")
    gender = asker.get("gender")
    if gender == "men" and text.startswith("femmes"):
        return False
    if gender == "women" and text.startswith("hommes"):
        return False
    age = asker.get("age")
    if age is not None:
        low, high = service.get("minimum_age"), service.get("maximum_age")
        if (low is not None and age < low) or (high is not None and age > high):
            return False
    return True


def relevant(query: dict, services: list[dict], points: dict) -> list[str]:
    if query.get("programme"):  # a programme asked by its name answers wherever one is
        return [query["programme"]]
    needs = set(query["needs"])
    if not needs:
        return []
    fitting = [
        s
        for s in services
        if needs & {a["taxonomy_term"]["code"] for a in s.get("attributes", [])}
        and _eligible(s, query.get("asker") or {})
    ]
    place = query.get("place")
    if not place:
        return [s["id"] for s in fitting]
    lat, lon, insee = points[_fold(place)]
    commune = _fold(place) in _communes()
    ranked = []
    for s in fitting:
        metropolis = any(
            "metropole" in _fold(a.get("name", "")) for a in s.get("service_areas") or []
        )
        best, here = math.inf, False
        for sal in s.get("service_at_locations", []):
            loc = sal["location"]
            city = (loc.get("addresses") or [{}])[0].get("city") or ""
            town = points.get(_fold(city))
            here |= commune and town is not None and town[2] == insee
            if loc.get("latitude") is not None:
                best = min(best, _km((lat, lon), (loc["latitude"], loc["longitude"])))
        ranked.append((s["id"], best, here or best <= NEAR_KM or metropolis))
    near = [sid for sid, _, ok in ranked if ok]
    return near or [sid for sid, _, _ in sorted(ranked, key=lambda r: r[1])[:2]]


def _communes() -> set[str]:
    """Folded commune names: a commune is matched by commune, a neighbourhood by 3 km only."""
    with (ROOT / "catalogue" / "data" / "communes.csv").open(encoding="utf-8") as f:
        return {_fold(row["name"]) for row in csv.DictReader(f)}


def main() -> int:
    services = json.loads(FIXTURE.read_text(encoding="utf-8"))
    points = _points()
    rows = [
        json.loads(line)
        for line in QUERIES.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    ids = [r["id"] for r in rows]
    if len(ids) != len(set(ids)):
        sys.exit("duplicate ids")
    for row in rows:
        row["relevant"] = relevant(row, services, points)
        if row["kind"] != "abstain" and not row["relevant"]:
            sys.exit(f"{row['id']}: no service answers {row['needs']}")
    QUERIES.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    print(f"{len(rows)} queries written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
