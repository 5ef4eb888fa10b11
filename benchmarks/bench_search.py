"""Search speed and quality: Relais's index vs a naive rapidfuzz scan vs SQLite FTS5 (trigram).

    .venv/bin/python benchmarks/bench_search.py            # 1k, 10k and 100k services
    .venv/bin/python benchmarks/bench_search.py --sizes 1000 10000

Synthetic catalogues are spread over France (45 cities, seeded RNG): categories drawn with a
directory's mix (GROUP_SHARE), names from category labels, made-up proper names and the city,
descriptions from templates, some audience limits and hours.
Every system answers the same query mix: the development queries of ../shared/eval (id, text,
lang, near) plus typo'd variants of them. Latency is measured per query, single-threaded, with
Relais's word and text caches emptied before each catalogue (they fill as a real server's
would). The naive scan (rapidfuzz WRatio of the query against every service text) is slow, so it
runs on at most NAIVE_QUERIES[size] queries. Memory is tracemalloc's peak while building the index (for
FTS5: the SQLite database pages). hit@3 of each system is measured on the evaluation catalogue
and the development set (the naive scan and FTS5 know no places and no synonyms).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from datetime import time as clock
from pathlib import Path
from types import SimpleNamespace

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from catalogue import audience, taxonomy  # noqa: E402
from catalogue.needs import stopwords  # noqa: E402
from catalogue.search import SearchIndex  # noqa: E402
from catalogue.search_output import query_from_row  # noqa: E402
from catalogue.text import normalise  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
NAIVE_QUERIES = {1_000: 500, 10_000: 100, 100_000: 30}
CITIES = [
    ("Paris", 48.8566, 2.3522), ("Marseille", 43.2965, 5.3698), ("Lyon", 45.764, 4.8357),
    ("Toulouse", 43.6047, 1.4442), ("Nice", 43.7102, 7.262), ("Nantes", 47.2184, -1.5536),
    ("Strasbourg", 48.5734, 7.7521), ("Montpellier", 43.6108, 3.8767),
    ("Bordeaux", 44.8378, -0.5792), ("Lille", 50.6292, 3.0573), ("Rennes", 48.1173, -1.6778),
    ("Reims", 49.2583, 4.0317), ("Le Havre", 49.4944, 0.1079), ("Toulon", 43.1242, 5.928),
    ("Saint-Étienne", 45.4397, 4.3872), ("Grenoble", 45.1885, 5.7245), ("Dijon", 47.322, 5.0415),
    ("Angers", 47.4784, -0.5632), ("Nîmes", 43.8367, 4.3601), ("Villeurbanne", 45.7719, 4.8902),
    ("Clermont-Ferrand", 45.7772, 3.087), ("Le Mans", 48.0061, 0.1996), ("Brest", 48.3904, -4.4861),
    ("Aix-en-Provence", 43.5297, 5.4474), ("Tours", 47.3941, 0.6848), ("Amiens", 49.8941, 2.2958),
    ("Limoges", 45.8336, 1.2611), ("Annecy", 45.8992, 6.1294), ("Perpignan", 42.6887, 2.8948),
    ("Metz", 49.1193, 6.1757), ("Besançon", 47.2378, 6.0241), ("Orléans", 47.9029, 1.9093),
    ("Rouen", 49.4432, 1.0999), ("Mulhouse", 47.7508, 7.3359), ("Caen", 49.1829, -0.3707),
    ("Nancy", 48.6921, 6.1844), ("Roubaix", 50.6942, 3.1746), ("Tourcoing", 50.7239, 3.1612),
    ("Avignon", 43.9493, 4.8055), ("Poitiers", 46.5802, 0.3404), ("Pau", 43.2951, -0.3708),
    ("Calais", 50.9513, 1.8587), ("Dunkerque", 51.0343, 2.3768), ("La Rochelle", 46.1603, -1.1511),
    ("Villeneuve-d'Ascq", 50.6233, 3.145),
]  # fmt: skip
SYLLABLES = [
    "bel",
    "mar",
    "ro",
    "li",
    "san",
    "ter",
    "va",
    "lo",
    "cha",
    "mon",
    "du",
    "ri",
    "ga",
    "pel",
    "tor",
    "vi",
    "ne",
    "sa",
    "co",
    "la",
    "ber",
    "fon",
]
OPENERS = ["Association", "Le Relais", "La Maison", "Espace", "Point", "Collectif", "Les Amis de",
           "Centre", "Accueil", "Atelier", "Solidarité"]  # fmt: skip
DESCRIPTIONS = [
    "{label} pour les personnes en difficulté, sans condition de ressources.",
    "{label} : accueil, écoute et orientation par une équipe de bénévoles et de salariés.",
    "Service de {label_lc} ouvert à tous, avec ou sans papiers, dans le quartier {name}.",
    "Les bénévoles de {name} proposent {label_lc} et un accompagnement vers les droits.",
]
# Share of services per group, roughly as in a city's solidarity directory (food, advice and
# health first); within a group every child key is equally likely.
GROUP_SHARE = {"food": 20, "counseling": 15, "health": 15, "hygiene_and_wellness": 10,
               "accomodation_and_housing": 10, "training_and_jobs": 8, "welcome": 7,
               "technology": 5, "equipment": 5, "mobility": 3, "activities": 2}  # fmt: skip
ELIGIBILITY = [None, None, None, "Femmes seules ou avec enfants.", "Jeunes de 16 à 25 ans.",
               "Hommes seuls de 18 ans et plus.", "Familles avec enfants.",
               "Personnes de 60 ans et plus."]  # fmt: skip


# --------------------------------------------------------------------------- data


def record(**fields) -> SimpleNamespace:
    """A service, location or opening rule with the model's fields: building 100k SQLModel
    objects would take minutes, and the index only reads attributes."""
    return SimpleNamespace(**fields)


def synthetic_catalogue(size: int, seed: int = 7) -> list[SimpleNamespace]:
    rng = random.Random(seed)
    keys, weights = [], []
    for group, share in GROUP_SHARE.items():
        members = [c.key for c in taxonomy.children(group)]
        keys += members
        weights += [share / len(members)] * len(members)
    proper = sorted({"".join(rng.sample(SYLLABLES, rng.randint(2, 3))).capitalize()
                     for _ in range(3000)})  # fmt: skip
    services = []
    for i in range(size):
        key = rng.choices(keys, weights)[0]
        city, lat, lon = rng.choice(CITIES)
        label = taxonomy.label(key, "fr")
        name = f"{rng.choice(OPENERS)} {rng.choice(proper)}"
        eligibility = rng.choice(ELIGIBILITY)
        keys_here = [key] + (rng.choices(keys, weights) if rng.random() < 0.3 else [])
        s = record(
            id=f"syn-{i}", status="active", name=f"{label} – {name} ({city})",
            alternate_name=None,
            description=rng.choice(DESCRIPTIONS).format(label=label, label_lc=label.lower(),
                                                        name=name),
            eligibility=eligibility,
            gender="women" if eligibility and eligibility.startswith("Femmes") else None,
            min_age=60 if eligibility and "60" in eligibility else None,
            max_age=25 if eligibility and "25" in eligibility else None,
            free=rng.random() < 0.6, fees=None, access=None, access_note=None,
            languages=["fr"], areas=[], exceptions=[], opening_hours_osm=None,
            locations=[record(city=city, insee_code=None, approximate=rng.random() < 0.05,
                              latitude=lat + rng.uniform(-0.05, 0.05),
                              longitude=lon + rng.uniform(-0.07, 0.07))],
            categories=[record(key=k) for k in keys_here],
            hours=[record(freq="WEEKLY", byday="MO,TU,WE,TH,FR", opens_at=clock(9),
                          closes_at=clock(17), valid_from=None, valid_to=None)]
            if rng.random() < 0.7 else [],
        )  # fmt: skip
        vars(s).update(audience.columns(vars(s)))  # whom it is for, as stored when written
        services.append(s)
    return services


def query_mix(rows: list[dict], extra: int, seed: int = 11) -> list[dict]:
    """The development queries and typo'd copies of them (a letter dropped, doubled or swapped)."""
    rng = random.Random(seed)
    mix = [dict(r) for r in rows]
    for n in range(extra):
        row = dict(rng.choice(rows))
        text = row["text"]
        if len(text) > 3:
            at = rng.randrange(1, len(text) - 1)
            text = rng.choice(
                [
                    text[:at] + text[at + 1 :],
                    text[:at] + text[at] + text[at:],
                    text[: at - 1] + text[at] + text[at - 1] + text[at + 1 :],
                ]
            )
        mix.append({**row, "id": f"typo-{n}", "text": text})
    return mix


def service_text(s) -> str:
    labels = " ".join(taxonomy.label(c.key, "fr") for c in s.categories)
    return normalise(f"{s.name} {s.alternate_name or ''} {labels} {s.description or ''}")


# --------------------------------------------------------------------------- systems


class Relais:
    name = "Relais index"

    def build(self, services):
        self.index = SearchIndex.build(services)
        self.index.lex.vocabulary.clear_cache()
        self.index.names.latin.clear_cache()
        self.index.names.sound.clear_cache()
        normalise.cache_clear()

    def search(self, row):
        return [r.service_id for r in self.index.search(query_from_row(row), now=NOW).results]

    def memory(self):
        return None


class Naive:
    name = "naive rapidfuzz scan"

    def build(self, services):
        self.ids = [s.id for s in services]
        self.texts = [service_text(s) for s in services]

    def search(self, row):
        hits = process.extract(normalise(row["text"]), self.texts, scorer=fuzz.WRatio,
                               limit=10, score_cutoff=60)  # fmt: skip
        return [self.ids[i] for _, _, i in hits]

    def memory(self):
        return None


class Fts5:
    name = "SQLite FTS5 trigram"

    def build(self, services):
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE docs USING fts5(body, tokenize='trigram')")
        self.ids = [s.id for s in services]
        self.db.executemany("INSERT INTO docs(rowid, body) VALUES (?, ?)",
                            ((i, service_text(s)) for i, s in enumerate(services)))  # fmt: skip
        self.db.commit()
        self.stops = stopwords()

    def search(self, row):
        words = [w for w in normalise(row["text"]).split() if len(w) >= 3 and w not in self.stops]
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        rows = self.db.execute("SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 10",
                               (match,)).fetchall()  # fmt: skip
        return [self.ids[r[0]] for r in rows]

    def memory(self):
        pages = self.db.execute("PRAGMA page_count").fetchone()[0]
        return pages * self.db.execute("PRAGMA page_size").fetchone()[0]


# --------------------------------------------------------------------------- measuring


def measure(system, services, queries) -> dict:
    gc.collect()
    started = time.perf_counter()
    system.build(services)
    build = time.perf_counter() - started
    tracemalloc.start()
    system.build(services)  # again, under tracemalloc (slower), for the memory figure
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    peak = system.memory() or peak
    system.search({"id": "warm-up", "text": "douche", "lang": "fr", "near": "Lille"})  # imports
    if isinstance(system, Relais):
        system.build(services)  # fresh caches for the timed queries
    latencies = []
    for row in queries:
        started = time.perf_counter()
        system.search(row)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return {"build": build, "p50": statistics.median(latencies),
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
            "peak": peak / 2**20, "n": len(latencies)}  # fmt: skip


def dev_hit3(systems, rows) -> dict[str, float]:
    """hit@3 of each system on the evaluation catalogue and the development queries."""
    from catalogue.db import make_engine, session_scope
    from catalogue.importer import import_file
    from catalogue.services import list_services

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/eval.db")
        import_file(engine, EVAL / "catalogue-eval.json")
        with session_scope(engine) as session:
            services = list_services(session)
        engine.dispose()
    gold = {json.loads(line)["id"]: json.loads(line).get("relevant") or []
            for line in (EVAL / "queries-dev.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()}  # fmt: skip
    answerable = [r for r in rows if gold[r["id"]]]
    figures = {}
    for system in systems:
        system.build(services)
        hits = sum(bool(set(system.search(r)[:3]) & set(gold[r["id"]])) for r in answerable)
        figures[system.name] = hits / len(answerable)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--typos", type=int, default=340, help="typo'd query copies to add")
    args = parser.parse_args()
    rows = [{k: json.loads(line).get(k) for k in ("id", "text", "lang", "near")}
            for line in (EVAL / "queries-dev.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]  # fmt: skip
    queries = query_mix(rows, args.typos)
    systems = [Relais(), Naive(), Fts5()]
    print(f"query mix: {len(queries)} queries ({len(rows)} development queries + typo'd copies)")
    header = (f"{'services':>8}  {'system':<22} {'build s':>8} {'p50 ms':>8} {'p99 ms':>8} "
              f"{'peak MB':>8} {'queries':>7} {'vs naive p50':>12}")  # fmt: skip
    print(header)
    print("-" * len(header))
    for size in args.sizes:
        started = time.perf_counter()
        services = synthetic_catalogue(size)
        print(f"{size:>8}  (catalogue generated in {time.perf_counter() - started:.1f} s)")
        results = {}
        for system in systems:
            mix = queries[: NAIVE_QUERIES.get(size, 30)] if isinstance(system, Naive) else queries
            results[system.name] = measure(system, services, mix)
        naive = results[Naive.name]["p50"]
        for name, r in results.items():
            print(f"{size:>8}  {name:<22} {r['build']:>8.2f} {r['p50']:>8.3f} {r['p99']:>8.3f} "
                  f"{r['peak']:>8.1f} {r['n']:>7} {naive / r['p50']:>11.0f}x")  # fmt: skip
    print()
    for name, value in dev_hit3(systems, rows).items():
        print(f"hit@3 on the development set: {name:<22} {value:.3f}")


if __name__ == "__main__":
    main()
