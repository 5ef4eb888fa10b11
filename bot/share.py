"""Social workers' tools: share links, inline mode, cards in another language, shortlists.

`register(application)` is called by `bot.app.build_application`; it adds the handlers.
"""

from __future__ import annotations

from telegram.ext import Application


def register(application: Application) -> None:
    """Add the social workers' handlers (share, inline, other language, shortlist)."""
