"""End-to-end harness: the real Application over the local Bot API transport, on a SQLite
database holding the fictional test catalogue (imported once, copied per test).

    async def test_x(bot):
        user = bot.user(lang="en")
        calls = await user.send("/start")
        assert "What do you need?" in calls[-1].text
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.app import build_application
from bot.config import Settings
from bot.transport import Call, LocalRequest, LocalUser
from catalogue.db import make_engine
from catalogue.importer import import_file
from tests.bot.admin_kit import Kit, make_kit
from tests.conftest import CATALOGUE

TUESDAY = datetime(2026, 11, 24, 9, tzinfo=UTC)  # 10:00 in Lille, an ordinary working day


def at(bot: Harness, when: datetime, lang: str | None = "fr", user_id: int = 1001) -> LocalUser:
    """A user whose clock and the bot's are `when` (the hook `bot_data["clock"]`), so that
    "open now" and "today" are certain."""
    bot.app.bot_data["clock"] = lambda: when
    user = bot.user(lang=lang, user_id=user_id)
    user.now = when
    return user


@pytest.fixture(scope="session")
def catalogue_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fictional test catalogue imported once into a SQLite file."""
    path = tmp_path_factory.mktemp("catalogue") / "catalogue.db"
    engine = make_engine(f"sqlite:///{path}")
    report = import_file(engine, CATALOGUE)
    assert report.ok(), report.summary()
    engine.dispose()
    return path


@dataclass
class Harness:
    """A running Application (initialised, not polling) and its recorded Bot API calls."""

    settings: Settings
    request: LocalRequest
    app: Application
    users: list[LocalUser] = field(default_factory=list)

    def user(self, lang: str | None = "fr", user_id: int = 1001) -> LocalUser:
        user = LocalUser(self.app, self.request, user_id=user_id, language_code=lang)
        self.users.append(user)
        return user

    async def restart(self) -> None:
        """Stop this Application (state written) and start a new one on the same database;
        existing users now talk to the new one."""
        await self.app.update_persistence()
        await self.app.shutdown()
        fresh = await start_harness(self.settings)
        self.request, self.app = fresh.request, fresh.app
        for user in self.users:
            user.application, user.request = fresh.app, fresh.request


async def start_harness(settings: Settings) -> Harness:
    request = LocalRequest()
    app = build_application(settings, request=request)
    await app.initialize()
    return Harness(settings, request, app)


@pytest.fixture
def make_settings(tmp_path: Path, catalogue_db: Path) -> Callable[..., Settings]:
    def make(**overrides: object) -> Settings:
        path = tmp_path / "relais.db"
        if not path.exists():
            shutil.copy(catalogue_db, path)
        return Settings(database_url=f"sqlite:///{path}", **overrides)

    return make


@pytest.fixture
async def kit(db_url: str) -> AsyncIterator[Kit]:
    """The admin kit (admin_kit.py): one administrator, one user and one seeded service, on
    SQLite and, when RELAIS_TEST_DATABASE_URL is set, on PostgreSQL."""
    kit = await make_kit(db_url)
    yield kit
    await kit.app.shutdown()


@pytest.fixture
async def bot(make_settings: Callable[..., Settings]) -> AsyncIterator[Harness]:
    harness = await start_harness(make_settings())
    yield harness
    await harness.app.shutdown()
    assert not harness.request.refused, "Telegram would refuse these calls"


def sent(calls: list[Call], method: str = "sendMessage") -> list[Call]:
    return [c for c in calls if c.method == method]


def last_text(calls: list[Call]) -> str:
    texts = [c.text for c in calls if c.method in {"sendMessage", "editMessageText"}]
    return texts[-1] if texts else ""


def data_starting(calls: list[Call], prefix: str) -> list[str]:
    return [d for c in calls for d in c.button_data() if d.startswith(prefix)]
