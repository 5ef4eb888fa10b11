"""Conversation state survives the bot being killed (-9) or stopped by SIGTERM (what hosts send
on redeploy): the real `relais bot --webhook` runs in a subprocess, Telegram is played by the
local Bot API served over HTTP on 127.0.0.1, and the process is stopped between two steps."""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import signal
import socket
import sys
import threading
from pathlib import Path

import pytest
from aiohttp import ClientSession, web
from sqlmodel import Session, select

from bot.admin import files
from bot.conversation import RESULTS
from bot.models import BotConversation, BotUserData
from bot.stats import SearchStat
from bot.transport import LocalRequest
from bot.web import SECRET_HEADER, WEBHOOK_PATH
from catalogue.db import make_engine
from catalogue.importer import import_bytes, import_file
from tests.bot.admin_kit import make_kit
from tests.conftest import CATALOGUE

RELAIS = Path(sys.executable).parent / "relais"
USER = {"id": 4242, "is_bot": False, "first_name": "Camille", "language_code": "en"}
WAIT = 120  # seconds: the machine running the tests may be busy


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Telegram:
    """A Bot API on 127.0.0.1 answering as `LocalRequest` does; knows when the webhook is set."""

    def __init__(self) -> None:
        self.api = LocalRequest()
        self.hooked = asyncio.Event()
        self.port = free_port()

    async def method(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        status, body = self.api.handle(name, dict(await request.post()))
        if name == "setWebhook":
            self.hooked.set()
        return web.Response(status=status, body=body, content_type="application/json")

    def texts(self) -> list[str]:
        return [c.text for c in self.api.calls if c.method == "sendMessage"]


class Bot:
    """`relais bot --webhook` in a subprocess, on the given database and fake Telegram."""

    def __init__(self, telegram: Telegram, database_url: str, log: Path) -> None:
        self.telegram = telegram
        self.port = free_port()
        self.log = log
        self.env = {**os.environ, "TELEGRAM_BOT_TOKEN": "123456:TEST",
                    "RELAIS_DATABASE_URL": database_url,
                    "RELAIS_WEBHOOK_URL": "https://relais.example/",
                    "RELAIS_WEBHOOK_SECRET": "s3cret", "RELAIS_HOST": "127.0.0.1",
                    "RELAIS_PORT": str(self.port),
                    "RELAIS_BOT_API_URL": f"http://127.0.0.1:{telegram.port}"}  # fmt: skip
        self.env.pop("RELAIS_ADMIN_IDS", None)
        self.process: asyncio.subprocess.Process | None = None
        self.update_ids = itertools.count(1)
        self.message_ids = itertools.count(1000)

    async def start(self) -> None:
        self.telegram.hooked.clear()
        with self.log.open("ab") as err:
            self.process = await asyncio.create_subprocess_exec(
                str(RELAIS), "bot", "--webhook", env=self.env,
                stdout=asyncio.subprocess.DEVNULL, stderr=err)  # fmt: skip
        await asyncio.wait_for(self.telegram.hooked.wait(), WAIT)

    async def say(self, text: str) -> str:
        """Post a message as Telegram does; the answer comes once it is handled and saved."""
        message = {"message_id": next(self.message_ids), "date": 1767225600, "text": text,
                   "chat": {"id": USER["id"], "type": "private"}, "from": USER}  # fmt: skip
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
        before = len(self.telegram.texts())
        async with (
            ClientSession() as http,
            http.post(
                f"http://127.0.0.1:{self.port}{WEBHOOK_PATH}",
                json={"update_id": next(self.update_ids), "message": message},
                headers={SECRET_HEADER: "s3cret"},
            ) as response,
        ):
            assert response.status == 200
        return "\n".join(self.telegram.texts()[before:])

    async def stop(self, sig: int) -> int:
        assert self.process is not None
        self.process.send_signal(sig)
        return await asyncio.wait_for(self.process.wait(), WAIT)


@pytest.fixture
async def telegram():
    fake = Telegram()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", fake.method)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", fake.port).start()
    yield fake
    await runner.cleanup()


async def test_kill_and_sigterm_between_steps_lose_no_state(telegram, catalogue_db, tmp_path):
    path = tmp_path / "relais.db"
    shutil.copy(catalogue_db, path)
    bot = Bot(telegram, f"sqlite:///{path}", tmp_path / "bot.log")
    await bot.start()
    try:
        await bot.say("/start")
        assert "Where are you?" in await bot.say("shower")
        assert await bot.stop(signal.SIGKILL) == -signal.SIGKILL  # no chance to save anything

        await bot.start()
        answer = await bot.say("Roubaix")  # the need said before the kill is remembered
        assert "I found" in answer, answer
        assert await bot.stop(signal.SIGTERM) == 0  # a clean exit, not 143

        engine = make_engine(f"sqlite:///{path}")
        with Session(engine) as session:
            data = session.get(BotUserData, USER["id"]).data
            state = session.exec(select(BotConversation.state)).one()
            stats = session.exec(select(SearchStat)).all()
        engine.dispose()
        assert data["search"]["place"] == "Roubaix" and state == RESULTS
        assert [(s.need, s.commune, s.found) for s in stats] == [("shower", "Roubaix", True)]

        await bot.start()
        answer = await bot.say("food")  # the place stays for the next need, after SIGTERM too
        assert "Where are you?" not in answer and "I found" in answer, answer
        assert await bot.stop(signal.SIGTERM) == 0
    finally:
        if bot.process is not None and bot.process.returncode is None:
            bot.process.kill()
            await bot.process.wait()


async def test_an_import_while_the_bot_writes_locks_nothing_out(bot, caplog, tmp_path):
    """A CLI import (its own engine, in a thread: another writer on the same SQLite file) while
    residents talk to the bot: WAL and the busy timeout make each writer wait its turn."""
    sheet = tmp_path / "big.csv"
    rows = [f"bulk-{i},Douches {i},shower,Lille" for i in range(400)]
    sheet.write_text("id,name,categories,city\n" + "\n".join(rows) + "\n", encoding="utf-8")
    importer = make_engine(bot.settings.database_url)
    job = asyncio.create_task(asyncio.to_thread(import_file, importer, sheet, actor="cli"))
    users = [bot.user(lang="en", user_id=5000 + n) for n in range(30)]
    for user in users:
        await user.send("shower")
        await user.send("Roubaix")
    report = await job
    importer.dispose()
    await bot.app.persistence.written()
    assert report.ok() and len(report.created) == 400
    assert "locked" not in caplog.text and "error" not in caplog.text.lower()
    stored = await bot.app.persistence.get_user_data()
    assert all(stored[5000 + n]["search"]["place"] == "Roubaix" for n in range(30))


async def test_an_import_from_the_bot_runs_off_the_event_loop(sqlite_engine, monkeypatch):
    """The dry run and the apply of `/import` run in a worker thread: a resident's update is
    not held up by thousands of rows."""
    kit = await make_kit(str(sqlite_engine.url))
    threads = []

    def recording(*args, **kwargs):
        threads.append(threading.get_ident())
        return import_bytes(*args, **kwargs)

    monkeypatch.setattr(files, "import_bytes", recording)
    try:
        await kit.admin.send("/import")
        await kit.admin.send_document("catalogue.json", CATALOGUE.read_bytes())
        calls = await kit.admin.press("adm:imp:apply")
        assert any("created" in c.text for c in calls)
    finally:
        await kit.app.shutdown()
    assert len(threads) == 2 and threading.get_ident() not in threads
