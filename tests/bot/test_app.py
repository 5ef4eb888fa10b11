"""Application start-up: command menus and descriptions per language; settings."""

from __future__ import annotations

from bot.app import post_init
from bot.config import Settings
from bot.i18n import SUPPORTED


async def test_post_init_sets_commands_and_descriptions_per_language(bot):
    await post_init(bot.app)
    commands = [c for c in bot.request.calls if c.method == "setMyCommands"]
    codes = {c.params.get("language_code") for c in commands}
    assert codes == {None, *SUPPORTED}
    names = [c["command"] for c in commands[0].params["commands"]]
    assert names[:2] == ["start", "new"] and {"forget", "privacy", "cancel"} <= set(names)
    for method in ("setMyDescription", "setMyShortDescription"):
        described = [c for c in bot.request.calls if c.method == method]
        assert {c.params.get("language_code") for c in described} == {None, *SUPPORTED}
    short = [c for c in bot.request.calls if c.method == "setMyShortDescription"]
    assert all(len(c.params["short_description"]) <= 120 for c in short)


def test_settings_from_env():
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": "1:x",
            "RELAIS_ADMIN_IDS": "5, 7",
            "RELAIS_PORT": "9000",
            "RELAIS_DATABASE_URL": "sqlite:///x.db",
        }
    )
    assert settings.token == "1:x" and settings.admin_ids == frozenset({5, 7})
    assert settings.port == 9000 and settings.database_url == "sqlite:///x.db"
    assert Settings.from_env({}, db="sqlite:///y.db").token is None


async def test_hourly_purge_forgets_idle_searches(bot):
    from datetime import UTC, datetime, timedelta
    from types import SimpleNamespace

    from bot.app import purge_searches

    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    bot.app.user_data[1]["search"] = {
        "at": (now - timedelta(hours=7)).isoformat(),
        "loc": [50.6, 3.1],
    }
    bot.app.user_data[2]["search"] = {"at": (now - timedelta(hours=1)).isoformat()}
    context = SimpleNamespace(
        bot_data={**bot.app.bot_data, "clock": lambda: now}, application=bot.app
    )
    await purge_searches(context)
    assert "search" not in bot.app.user_data[1] and "search" in bot.app.user_data[2]
