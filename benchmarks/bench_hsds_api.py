"""HSDS API speed: requests per second and latency of `/hsds/services?search=…` and
`/hsds/services/{id}` at 10k services, served by one `relais serve` process, with a load client
on 127.0.0.1 sending a bounded number of requests from a few concurrent connections.

    flock /tmp/relais-bench.lock .venv/bin/python benchmarks/bench_hsds_api.py
    flock /tmp/relais-bench.lock .venv/bin/python benchmarks/bench_hsds_api.py --size 1000 --requests 500

The catalogue is synthetic (seeded RNG) and imported through the ordinary HSDS import into a
SQLite file kept in /tmp between runs: services in the MEL's 95 communes (commune-level places,
no street address), one to three Soliguide categories, a phone for half of them, weekday hours
for most. Searches are a fixed mix of needs and places in several languages; ids are drawn at
random from the whole catalogue, so most `/services/{id}` answers are built on first use (the
server keeps each document with its index). Warm-up requests (not timed) build the index first.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from aiohttp import ClientConnectorError, ClientSession, TCPConnector

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from catalogue import importer, taxonomy  # noqa: E402
from catalogue.db import make_engine  # noqa: E402

SEARCHES = [
    "douche roubaix", "де поїсти", "aide alimentaire lille", "need a shower tourcoing",
    "cours de français villeneuve d'ascq", "أريد أكل في ليل", "psychologue", "laverie wattrelos",
    "colis alimentaire", "médecin gratuit lomme", "wifi ordinateur", "hébergement d'urgence",
]  # fmt: skip
OPENERS = ["Association", "Le Relais", "La Maison", "Espace", "Point", "Collectif", "Accueil"]


def synthetic_services(size: int, seed: int = 7) -> list[dict]:
    """HSDS services spread over the MEL's communes."""
    rng = random.Random(seed)
    with (ROOT / "catalogue" / "data" / "communes.csv").open(encoding="utf-8") as f:
        communes = list(csv.DictReader(f))
    keys = [c.key for c in taxonomy.all_categories() if c.group]
    services = []
    for i in range(size):
        commune = rng.choice(communes)
        chosen = rng.sample(keys, rng.randint(1, 3))
        label = taxonomy.label(chosen[0], "fr")
        sid = f"bench-{i}"
        service = {
            "id": sid, "status": "active",
            "name": f"{label} – {rng.choice(OPENERS)} {i} ({commune['name']})",
            "description": f"{label} pour toutes et tous à {commune['name']}.",
            "organization": {"id": f"org-{i % 700}", "name": f"Organisation {i % 700}"},
            "attributes": [{"taxonomy_term": {"taxonomy": "soliguide", "code": k}} for k in chosen],
            "service_at_locations": [{"location": {
                "id": f"loc-{i}", "name": commune["name"],
                "latitude": float(commune["latitude"]) + rng.uniform(-0.01, 0.01),
                "longitude": float(commune["longitude"]) + rng.uniform(-0.01, 0.01),
                "addresses": [{"city": commune["name"],
                               "postal_code": commune["postcodes"].split()[0]}],
            }}],
            "languages": [{"code": "fr"}],
        }  # fmt: skip
        if rng.random() < 0.5:
            service["phones"] = [{"number": f"03 20 {i // 10000:02d} {i // 100 % 100:02d} "
                                            f"{i % 100:02d}", "type": "voice"}]  # fmt: skip
        if rng.random() < 0.7:
            service["schedules"] = [{"freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR",
                                     "opens_at": "09:00", "closes_at": "17:00"}]  # fmt: skip
        services.append(service)
    return services


def database(size: int) -> str:
    path = Path(f"/tmp/relais-bench-hsds-{size}.db")
    if not path.exists():  # built aside, then renamed: an interrupted import leaves nothing
        started = time.perf_counter()
        building = path.with_suffix(".building")
        for leftover in building.parent.glob(building.name + "*"):
            leftover.unlink()
        engine = make_engine(f"sqlite:///{building}")
        data = json.dumps(synthetic_services(size)).encode()
        report = importer.import_bytes(engine, data, "bench.json", actor="bench")
        assert report.ok(), report.problem_lines()[:5]
        engine.dispose()
        building.rename(path)
        print(f"imported {size} services in {time.perf_counter() - started:.0f} s", flush=True)
    return f"sqlite:///{path}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def until_up(http: ClientSession, base: str) -> None:
    for _ in range(600):
        try:
            async with http.get(f"{base}/healthz") as response:
                if response.status == 200:
                    return
        except ClientConnectorError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("the server did not start")


async def load(http: ClientSession, urls: list[str], concurrency: int) -> dict:
    """Send every url once from `concurrency` workers; latency of each, and the rate."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue = list(reversed(urls))

    async def worker() -> None:
        while queue:
            url = queue.pop()
            started = time.perf_counter()
            async with http.get(url) as response:
                await response.read()
                statuses[response.status] = statuses.get(response.status, 0) + 1
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(urls),
        "statuses": statuses,
        "requests_per_s": round(len(urls) / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))] * 1000, 2),
    }


async def run(args: argparse.Namespace, base: str) -> dict:
    rng = random.Random(3)
    connector = TCPConnector(limit=args.concurrency)
    async with ClientSession(connector=connector) as http:
        await until_up(http, base)
        ids = []
        for page in range(1, args.size // 200 + 2):
            async with http.get(f"{base}/hsds/services?per_page=200&page={page}") as response:
                ids += [s["id"] for s in (await response.json())["contents"]]
        searches = [f"{base}/hsds/services?search={quote(rng.choice(SEARCHES))}"
                    for _ in range(args.requests)]  # fmt: skip
        by_id = [f"{base}/hsds/services/{rng.choice(ids)}" for _ in range(args.requests)]
        await load(http, searches[: args.requests // 10], args.concurrency)  # warm-up
        return {
            "size": len(ids),
            "concurrency": args.concurrency,
            "search": await load(http, searches, args.concurrency),
            "by_id": await load(http, by_id, args.concurrency),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=2000, help="per endpoint")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    url = database(args.size)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env.update(RELAIS_DATABASE_URL=url, RELAIS_HOST="127.0.0.1", RELAIS_PORT=str(port))
    server = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve"], cwd=ROOT, env=env,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        figures = asyncio.run(run(args, f"http://127.0.0.1:{port}"))
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
