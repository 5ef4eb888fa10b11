"""Administrator commands: keep the catalogue true from Telegram, without touching a database.

`/add`, `/edit ID` (editor.py), `/hide` `/show` `/delete` `/history ID`, `/undo`, `/grant` and
`/revoke` (manage.py), `/import` and `/export` (files.py), `/stale`, `/stats` and the weekly
reminder (review.py). Every handler is guarded by `bot.roles.admin_only`: anyone else gets a
neutral refusal and nothing changes.

The handlers sit in group -1, after the flood guard (-10) and before the resident conversation
(0), and stop the update once they handled it, so a value typed during `/add` is never also read
as a search. The `/add`/`/edit` conversation has a group of its own just before (-2): another
command typed during a step ends the step there and still reaches its own handler in a later
group (one group runs at most one handler), instead of the resident "unknown command".
"""

from __future__ import annotations

import warnings

from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from bot.admin import editor, files, manage, menu, review

GROUP = -1
EDITOR_GROUP = -2

# The terminal chat and the tests do not start the JobQueue; there an admin step simply does
# not time out, which is harmless, so PTB's warning on every step would only be noise.
warnings.filterwarnings("ignore", "Ignoring `conversation_timeout`", PTBUserWarning)


def register(application: Application) -> None:
    """Add the administrators' handlers and the weekly stale reminder to `application`."""
    persistent = application.persistence is not None
    with warnings.catch_warnings():
        # Admin conversations are tracked per chat and user on purpose (buttons included).
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        application.add_handler(editor.conversation(persistent=persistent), group=EDITOR_GROUP)
        importing = files.handlers(persistent=persistent)
    application.add_handlers([*importing, *manage.handlers(), *review.handlers()], group=GROUP)
    review.schedule_reminder(application)
    menu.schedule_menus(application)
