"""Bot settings read from the environment, so the same code runs in a terminal, in tests and on a
server. Only the token is secret; everything else has a working default."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from catalogue.db import database_url


def _ids(text: str) -> frozenset[int]:
    return frozenset(int(part) for part in text.replace(" ", "").split(",") if part)


@dataclass(frozen=True)
class Settings:
    token: str | None = None  # TELEGRAM_BOT_TOKEN; None runs the terminal chat
    database_url: str = field(default_factory=database_url)
    admin_ids: frozenset[int] = frozenset()  # RELAIS_ADMIN_IDS, comma-separated user ids
    webhook_url: str | None = None  # public https URL Telegram posts to (webhook mode)
    webhook_secret: str | None = None  # checked against X-Telegram-Bot-Api-Secret-Token
    host: str = "0.0.0.0"
    port: int = 8080
    stale_months: int = 6  # /stale: services not verified for this long
    page_size: int = 5  # results per page
    flood_limit: int = 30  # incoming updates per user and minute before we ignore them
    search_ttl_hours: int = 6  # a search (and its location) is forgotten after this idle time
    persistence_interval: float = 5.0  # seconds between writes of changed conversation state
    sync_weekly: bool = (
        False  # RELAIS_SYNC_WEEKLY: sync data·inclusion every week, report to admins
    )
    bot_api_url: str | None = None  # RELAIS_BOT_API_URL: a local Bot API server, not Telegram's

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, db: str | None = None) -> Settings:
        """Settings from `env` (default os.environ); `db` (the --db option) wins over the env."""
        env = os.environ if env is None else env
        return cls(
            token=env.get("TELEGRAM_BOT_TOKEN") or None,
            database_url=db or env.get("RELAIS_DATABASE_URL") or database_url(),
            admin_ids=_ids(env.get("RELAIS_ADMIN_IDS", "")),
            webhook_url=env.get("RELAIS_WEBHOOK_URL") or None,
            webhook_secret=env.get("RELAIS_WEBHOOK_SECRET") or None,
            host=env.get("RELAIS_HOST", "0.0.0.0"),
            port=int(env.get("RELAIS_PORT") or env.get("PORT") or 8080),
            stale_months=int(env.get("RELAIS_STALE_MONTHS", 6)),
            flood_limit=int(env.get("RELAIS_FLOOD_LIMIT", 30)),
            sync_weekly=env.get("RELAIS_SYNC_WEEKLY", "").strip().lower() in ("1", "yes", "true"),
            bot_api_url=env.get("RELAIS_BOT_API_URL") or None,
        )
