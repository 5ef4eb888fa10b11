"""Benchmark of `relais sync data-inclusion` (not a test): generated national exports of 10,000
and 100,000 services, synced into a fresh SQLite database, then synced again (nothing to do).

    flock /tmp/relais-bench.lock .venv/bin/python benchmarks/bench_sync.py [--sizes 10000 100000]

The records follow the v1 schema: a tenth are in the MEL's communes (with or without
coordinates), a tenth remote (two thirds of them eligible in the MEL: Nord or France), the rest
elsewhere in France; one in a hundred is published twice by two producers (same SIRET, address
and name alike). Wall time of the first sync and of a second one (nothing to do); peak memory
is how far the process's maximum resident size rose above what it held before the first sync
(the files are streamed, so it follows the MEL's share, not the file's size).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from catalogue.db import make_engine
from catalogue.places import commune_by_code, commune_codes
from catalogue.sources import data_inclusion as di
from catalogue.sources.sync import sync

ELSEWHERE = [("75056", "Paris", "75011"), ("69123", "Lyon", "69003"), ("13055", "Marseille", "13001"),
             ("35238", "Rennes", "35000"), ("59183", "Dunkerque", "59140")]  # fmt: skip


def generate(n: int, folder: Path, seed: int = 13) -> tuple[Path, Path]:
    rng = random.Random(seed)
    communes = [commune_by_code(code) for code in commune_codes()]
    themes = sorted(di._thematiques())
    publics = sorted(di._publics()["publics"])
    structures_path, services_path = folder / "structures.json", folder / "services.json"
    n_structures = max(1, n // 3)
    with open(structures_path, "w", encoding="utf-8") as out:
        out.write("[")
        for i in range(n_structures):
            mel = rng.random() < 0.1
            if mel:
                c = rng.choice(communes)
                code, name, postcode = c.insee_code, c.name, "59000"
            else:
                code, name, postcode = rng.choice(ELSEWHERE)
            record = {"source": "dora", "id": f"dora--s{i}", "nom": f"Structure {i}",
                      "siret": f"{10**13 + i}", "adresse": f"{i} rue Fictive",
                      "code_postal": postcode, "commune": name, "code_insee": code,
                      "telephone": "03 20 00 00 00", "horaires_accueil": "Mo-Fr 09:00-17:00",
                      "date_maj": "2026-09-01"}  # fmt: skip
            out.write(("," if i else "") + json.dumps(record, ensure_ascii=False))
        out.write("]")
    with open(services_path, "w", encoding="utf-8") as out:
        out.write("[")
        for i in range(n):
            s = rng.randrange(n_structures)
            kind = rng.random()
            record = {"source": rng.choice(["dora", "emplois-de-linclusion", "france-travail"]),
                      "id": f"gen--{i}", "structure_id": f"dora--s{s}",
                      "nom": f"Service {i % 997} {rng.choice(['repas', 'colis', 'conseil'])}",
                      "description": "Service généré pour le banc d'essai.",
                      "thematiques": rng.sample(themes, 2), "publics": [rng.choice(publics)],
                      "frais": rng.choice(["gratuit", "payant"]), "date_maj": "2026-09-01",
                      "horaires_accueil": rng.choice(["Mo-Fr 09:00-12:00; PH off",
                                                      "sur rendez-vous", None])}  # fmt: skip
            if kind < 0.1:
                c = rng.choice(communes)
                record.update(
                    code_insee=c.insee_code,
                    commune=c.name,
                    code_postal="59000",
                    adresse=f"{i} rue Générée",
                    modes_accueil=["en-presentiel"],
                )
                if rng.random() < 0.5:
                    record.update(latitude=c.latitude, longitude=c.longitude)
            elif kind < 0.2:
                record.update(
                    modes_accueil=["a-distance"],
                    zone_eligibilite=[rng.choice(["59", "35", "france"])],
                )
            else:
                code, name, postcode = rng.choice(ELSEWHERE)
                record.update(
                    code_insee=code,
                    commune=name,
                    code_postal=postcode,
                    adresse=f"{i} rue Générée",
                    modes_accueil=["en-presentiel"],
                )
            out.write(("," if i else "") + json.dumps(record, ensure_ascii=False))
            if kind < 0.01:  # the same service published by a second producer
                twin = dict(
                    record,
                    id=f"gen--{i}-twin",
                    source="emplois-de-linclusion",
                    nom=record["nom"].upper() + ".",
                )
                out.write("," + json.dumps(twin, ensure_ascii=False))
        out.write("]")
    return services_path, structures_path


def _rss_mb() -> float:
    """The process's resident memory now (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        services, structures = generate(n, folder)
        generated = time.perf_counter() - started
        size = services.stat().st_size / 1e6
        engine = make_engine(f"sqlite:///{folder / 'relais.db'}")
        reader = di.FileReader(services, structures)
        before = _rss_mb()
        started = time.perf_counter()
        report = sync(engine, reader)
        first = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before
        started = time.perf_counter()
        again = sync(engine, reader)
        second = time.perf_counter() - started
        print(
            f"{n:>7} records ({size:.1f} MB, generated in {generated:.1f} s): "
            f"first sync {first:.1f} s ({len(report.created)} created, "
            f"{sum(report.skipped.values())} skipped, {len(report.merges)} merged), "
            f"second sync {second:.1f} s ({again.unchanged} unchanged), "
            f"peak memory +{max(peak, 0):.0f} MB over the {before:.0f} MB before",
            flush=True,
        )
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    for n in parser.parse_args().sizes:
        run(n)


if __name__ == "__main__":
    main()
