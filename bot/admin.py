"""Administrator commands: keep the catalogue true from Telegram, without touching a database.

`register(application)` is called by `bot.app.build_application`; it adds every admin handler.
"""

from __future__ import annotations

from telegram.ext import Application


def register(application: Application) -> None:
    """Add the administrators' command handlers to `application`."""
