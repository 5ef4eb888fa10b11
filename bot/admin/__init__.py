"""Administrator commands: keep the catalogue true from Telegram, without touching a database.

`/add`, `/edit ID` (editor.py), `/hide` `/show` `/delete` `/history ID`, `/undo`, `/grant` and
`/revoke` (manage.py), `/import` and `/export` (files.py), `/stale`, `/stats` and the weekly
reminder (review.py). Every handler is guarded by `bot.roles.admin_only`: anyone else gets a
neutral refusal and nothing changes.

The handlers sit in group -1, after the flood guard (-10) and before the resident conversation
(0), and stop the update once they handled it, so a value typed during `/add` is never also read
as a search.
"""

from __future__ import annotations

from telegram.ext import Application

from bot.admin import editor, files, manage, review

GROUP = -1


def register(application: Application) -> None:
    """Add the administrators' handlers and the weekly stale reminder to `application`."""
    persistent = application.persistence is not None
    application.add_handler(editor.conversation(persistent=persistent), group=GROUP)
    application.add_handlers(
        [*manage.handlers(), *files.handlers(persistent=persistent), *review.handlers()],
        group=GROUP,
    )
    review.schedule_reminder(application)
