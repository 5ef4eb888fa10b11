"""Synthetic catalogues for the end-to-end benchmarks, as files and databases cached in
benchmarks/out/ (git-ignored): the services of `bench_search.synthetic_catalogue` (same seed,
spread over France) written as the CSV sheet, and imported once into a SQLite file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_search import synthetic_catalogue  # noqa: E402

RELAIS = Path(sys.executable).parent / "relais"


def snapshots(size: int) -> list[dict]:
    """The synthetic services as snapshots (one place each, hours at that place)."""
    from catalogue.services import normalise_snapshot

    out = []
    for s in synthetic_catalogue(size):
        loc = s.locations[0]
        place = f"{s.id}-place"
        out.append(normalise_snapshot({
            "id": s.id, "name": s.name, "description": s.description,
            "eligibility": s.eligibility, "gender": s.gender, "min_age": s.min_age,
            "max_age": s.max_age, "free": s.free, "languages": s.languages,
            "source": "synthetic benchmark catalogue", "verified_on": "2026-12-01",
            "locations": [{"id": place, "city": loc.city, "latitude": round(loc.latitude, 5),
                           "longitude": round(loc.longitude, 5), "approximate": loc.approximate}],
            "categories": [c.key for c in s.categories],
            "hours": [{"id": f"{s.id}-h{n}", "location_id": place, "byday": h.byday,
                       "opens_at": h.opens_at.strftime("%H:%M"),
                       "closes_at": h.closes_at.strftime("%H:%M")}
                      for n, h in enumerate(s.hours)],
        }))  # fmt: skip
    return out


def sheet(size: int) -> Path:
    """The CSV sheet of `size` synthetic services (made once)."""
    path = OUT / f"catalogue-{size}.csv"
    if not path.exists():
        from catalogue.sheet import to_sheet

        OUT.mkdir(parents=True, exist_ok=True)
        path.write_bytes(to_sheet(snapshots(size)))
    return path


def database(size: int) -> Path:
    """A SQLite file holding the `size` synthetic services (imported once with `relais`)."""
    path = OUT / f"catalogue-{size}.db"
    if not path.exists():
        source = sheet(size)
        partial = path.with_suffix(".partial.db")
        partial.unlink(missing_ok=True)
        subprocess.run([str(RELAIS), "--db", f"sqlite:///{partial}", "import", str(source)],
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        partial.rename(path)
    return path
