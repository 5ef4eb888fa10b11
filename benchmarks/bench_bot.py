"""The whole bot, end to end: throughput and latency of need + place conversations.

    flock /tmp/relais-bench.lock .venv/bin/python benchmarks/bench_bot.py             # 119, 10k, 100k
    flock /tmp/relais-bench.lock .venv/bin/python benchmarks/bench_bot.py --sizes 10000

Each catalogue runs in its own process (so its memory is its own): the real Application with SQL
persistence on a copy of the catalogue's SQLite file, fed through PTB's update queue with
Telegram replaced by the local transport (bot/transport.py). Many users each write a need
("douche", "j'ai faim"...) then a place in the metropolis; the 119-service catalogue is the test
fixture, the others the synthetic catalogues of benchmarks/synthetic.py (services spread over
France, so a Lille search sees a fraction of them). Figures:

- updates/s: all users' updates queued at once, until the last one is handled and its state is
  in the database; "no reuse" the same with the search's memory of outcomes cut to one (a
  message still reuses its own probe for its page, never another user's answer: as if every
  query were new);
- p50 / p99: one update at a time, from queueing to handled (what a user waits, less Telegram);
- echo ceiling: the same pipeline (builder, rate limiter, queue, local transport) with one
  handler that echoes the text, without and with the SQL persistence, in the same process
  ("% e+db" compares updates/s with the latter, the fair ceiling: the same writes per update);
- cold start: `relais search` in a new process until its first answer, wall and CPU time (the
  CPU time is what a loaded machine does not inflate): first on the new copy (the index is
  built and saved beside the file), then again (the index saved on disk is loaded; the bot's
  first update then loads it too); RSS: the process's peak resident memory after the run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

NEEDS = [
    "douche",
    "j'ai faim",
    "hébergement d'urgence",
    "avocat gratuit",
    "laverie",
    "cours de français",
    "médecin",
    "vêtements",
    "aide administrative",
    "colis alimentaire",
]
PLACES = ["Lille", "Roubaix", "Tourcoing", "Villeneuve-d'Ascq", "59000", "Wazemmes"]
FIXTURE = ROOT / "tests" / "fixtures" / "catalogue.json"


def catalogue_database(size: int) -> Path:
    """The cached SQLite file of a catalogue: the test fixture (119) or a synthetic one."""
    import synthetic

    if size != 119:
        return synthetic.database(size)
    path = synthetic.OUT / "catalogue-119.db"
    if not path.exists():
        synthetic.OUT.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(synthetic.RELAIS), "--db", f"sqlite:///{path}", "import",
                        str(FIXTURE)], check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    return path


class Users:
    """Updates as Telegram clients write them, for many private chats."""

    def __init__(self, bot: object) -> None:
        self.bot = bot
        self.update_id = 0

    def message(self, user_id: int, text: str) -> object:
        from telegram import Update

        self.update_id += 1
        user = {"id": user_id, "is_bot": False, "first_name": "U", "language_code": "fr"}
        return Update.de_json({"update_id": self.update_id, "message": {
            "message_id": self.update_id, "date": int(time.time()), "text": text,
            "chat": {"id": user_id, "type": "private"}, "from": user}}, self.bot)  # fmt: skip


async def throughput(app: object, updates: list[object]) -> float:
    """Updates per second, all queued at once, until handled and their state written."""
    started = time.perf_counter()
    for update in updates:
        await app.update_queue.put(update)
    await app.update_queue.join()
    if app.persistence is not None:
        await app.persistence.written()
    return len(updates) / (time.perf_counter() - started)


async def latencies(app: object, updates: list[object]) -> list[float]:
    """Milliseconds from queueing to handled, one update at a time."""
    out = []
    for update in updates:
        started = time.perf_counter()
        await app.update_queue.put(update)
        await app.update_queue.join()
        out.append((time.perf_counter() - started) * 1000)
    return out


def conversations(users: Users, first: int, count: int) -> list[object]:
    """Each user's need, then each user's place (a user's two updates stay in order)."""
    needs = [users.message(first + n, NEEDS[n % len(NEEDS)]) for n in range(count)]
    places = [users.message(first + n, PLACES[n % len(PLACES)]) for n in range(count)]
    return needs + places


async def relais_run(database: str, count: int) -> dict[str, float]:
    from bot.app import build_application
    from bot.config import Settings
    from bot.transport import LocalRequest
    from catalogue.search import SearchIndex

    app = build_application(Settings(database_url=database), request=LocalRequest())
    async with app:
        await app.start()
        users = Users(app.bot)
        started = time.perf_counter()
        await latencies(app, conversations(users, 1, 1))  # builds the index
        ready = time.perf_counter() - started
        await latencies(app, conversations(users, 10, 20))  # warm caches
        rate = await throughput(app, conversations(users, 1000, count))
        times = sorted(await latencies(app, conversations(users, 100_000, count // 2)))
        SearchIndex.ANSWERS = 1
        fresh = await throughput(app, conversations(users, 200_000, count))
        await app.stop()
    return {"ready": ready, "rate": rate, "fresh": fresh, "p50": statistics.median(times),
            "p99": times[min(len(times) - 1, int(len(times) * 0.99))]}  # fmt: skip


async def echo_run(database: str | None, count: int) -> float:
    """Updates/s of an echo handler through the same pipeline (SQL persistence if `database`)."""
    from telegram.ext import AIORateLimiter, Application, MessageHandler, filters

    from bot.app import RelaisApplication
    from bot.persistence import SQLPersistence
    from bot.transport import LOCAL_TOKEN, LocalRequest
    from catalogue.db import make_engine

    request = LocalRequest()
    builder = (Application.builder().application_class(RelaisApplication).token(LOCAL_TOKEN)
               .request(request).get_updates_request(request).updater(None)
               .rate_limiter(AIORateLimiter(overall_max_rate=0, group_max_rate=0,
                                            max_retries=0)))  # fmt: skip
    if database:
        builder = builder.persistence(SQLPersistence(make_engine(database)))
    app = builder.build()

    async def echo(update: object, context: object) -> None:
        await context.bot.send_message(update.effective_chat.id, update.message.text)

    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with app:
        await app.start()
        users = Users(app.bot)
        await throughput(app, conversations(users, 1, 20))
        rate = await throughput(app, conversations(users, 1000, count))
        await app.stop()
    return rate


def cold_start(database: Path) -> tuple[float, float]:
    """Seconds from starting `relais search` to its answer: wall time, and the CPU time it
    used (what the wall time would be on an idle machine, near enough: it runs one thread)."""
    relais = Path(sys.executable).parent / "relais"
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            str(relais),
            "--db",
            f"sqlite:///{database}",
            "search",
            "douche",
            "--near",
            "Lille",
            "--limit",
            "3",
        ],
        stdout=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("relais search failed")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def one(size: int, users: int) -> dict[str, float]:
    """Every figure for one catalogue, in this process."""
    source = catalogue_database(size)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "relais.db"
        shutil.copy(source, copy)
        cold, cold_cpu = cold_start(copy)
        again, again_cpu = cold_start(copy)
        figures = asyncio.run(relais_run(f"sqlite:///{copy}", users))
        figures["rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        figures["echo"] = asyncio.run(echo_run(None, users))
        figures["echo_db"] = asyncio.run(echo_run(f"sqlite:///{Path(tmp) / 'echo.db'}", users))
    figures["cold"], figures["cold_cpu"] = cold, cold_cpu
    figures["again"], figures["again_cpu"] = again, again_cpu
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[119, 10_000, 100_000])
    parser.add_argument("--users", type=int, default=300, help="users per throughput run")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child run
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(one(args.one, args.users)))
        return
    relais = Path(sys.executable).parent / "relais"
    helps = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([str(relais), "--help"], check=True, stdout=subprocess.DEVNULL)
        helps.append(time.perf_counter() - started)
    print(
        f"relais --help: {statistics.median(helps):.2f} s (median of 5); load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    print(
        f"{args.users} users, need then place each ({2 * args.users} updates per run); "
        f"latency over {args.users} updates one at a time"
    )
    header = (f"{'services':>8} {'updates/s':>10} {'no reuse':>8} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'echo/s':>7} {'echo+db/s':>9} {'% e+db':>6} {'cold s':>6} {'cpu s':>5} "
              f"{'again s':>7} {'cpu s':>5} {'1st upd s':>9} {'RSS MB':>7} {'load':>5}")  # fmt: skip
    print(header)
    print("-" * len(header))
    for size in args.sizes:
        done = subprocess.run(
            [sys.executable, __file__, "--one", str(size), "--users", str(args.users)],
            check=True,
            capture_output=True,
            text=True,
        )
        f = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{size:>8} {f['rate']:>10.0f} {f['fresh']:>8.0f} {f['p50']:>7.1f} {f['p99']:>7.1f} "
              f"{f['echo']:>7.0f} {f['echo_db']:>9.0f} {100 * f['rate'] / f['echo_db']:>5.0f}% "
              f"{f['cold']:>6.1f} {f['cold_cpu']:>5.1f} "
              f"{f['again']:>7.1f} {f['again_cpu']:>5.1f} {f['ready']:>9.1f} {f['rss']:>7.0f} "
              f"{os.getloadavg()[0]:>5.1f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
