"""Who may administer the catalogue from Telegram.

Bootstrap administrators come from configuration (`RELAIS_ADMIN_IDS`) and cannot be revoked from
the chat, so a mistake can never lock everyone out. They grant and revoke admin rights to others;
those grants live in the `admin_role` table. Only Telegram user ids are stored, nothing else.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import wraps
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Field, Session, SQLModel, col, select
from telegram import Update
from telegram.ext import ContextTypes, ConversationHandler

from bot.i18n import translator, user_language
from bot.kit import Callback
from catalogue.db import session_scope
from catalogue.models import utcnow
from catalogue.text import is_number


class AdminRole(SQLModel, table=True):
    """An admin right granted from the chat by a bootstrap administrator."""

    __tablename__ = "admin_role"

    user_id: int = Field(primary_key=True)
    granted_by: int
    granted_at: datetime = Field(default_factory=utcnow)


# Telegram user ids have at most 52 significant bits (Bot API, User.id).
MAX_USER_ID = 2**52


def parse_user_id(text: str) -> int | None:
    """The Telegram user id written in `text`, or None when it cannot be one."""
    text = text.strip()
    if not is_number(text) or len(text) > len(str(MAX_USER_ID)):
        return None
    user_id = int(text)
    return user_id if 0 < user_id < MAX_USER_ID else None


def parse_admin_ids(raw: str | None) -> frozenset[int]:
    """`"12, 34"` -> {12, 34}; anything that is not a user id is ignored."""
    ids = (parse_user_id(part) for part in (raw or "").replace(";", ",").split(","))
    return frozenset(user_id for user_id in ids if user_id is not None)


def bootstrap_admins(bot_data: dict[str, Any]) -> frozenset[int]:
    """The configured administrators: Settings.admin_ids, else the RELAIS_ADMIN_IDS variable."""
    settings = bot_data.get("settings")
    configured = getattr(settings, "admin_ids", None)
    if configured is not None:
        return frozenset(int(i) for i in configured)
    return parse_admin_ids(os.environ.get("RELAIS_ADMIN_IDS"))


def granted_admins(engine: Engine) -> list[AdminRole]:
    with Session(engine) as session:
        return list(session.exec(select(AdminRole).order_by(col(AdminRole.granted_at))))


def is_admin(engine: Engine, bootstrap: Iterable[int], user_id: int) -> bool:
    if user_id in set(bootstrap):
        return True
    with Session(engine) as session:
        return session.get(AdminRole, user_id) is not None


def grant(engine: Engine, user_id: int, *, by: int) -> bool:
    """Give admin rights; False when the user already had them."""
    with session_scope(engine) as session:
        if session.get(AdminRole, user_id) is not None:
            return False
        session.add(AdminRole(user_id=user_id, granted_by=by))
        return True


def revoke(engine: Engine, user_id: int) -> bool:
    """Take granted admin rights back; False when there were none to take."""
    with session_scope(engine) as session:
        role = session.get(AdminRole, user_id)
        if role is None:
            return False
        session.delete(role)
        return True


async def _refuse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Any:
    """A neutral refusal: it does not say that admin commands exist."""
    text = translator(user_language(update, context)).gettext("This command is not available.")
    if update.callback_query is not None:
        await update.callback_query.answer(text)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)
    return ConversationHandler.END


def _check(update: Update, context: ContextTypes.DEFAULT_TYPE, *, bootstrap_only: bool) -> bool:
    user = update.effective_user
    if user is None:
        return False
    bootstrap = bootstrap_admins(context.bot_data)
    if bootstrap_only:
        return user.id in bootstrap
    return is_admin(context.bot_data["engine"], bootstrap, user.id)


def _guard(*, bootstrap_only: bool) -> Callable[[Callback], Callback]:
    def decorate(handler: Callback) -> Callback:
        @wraps(handler)
        async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Any:
            if not _check(update, context, bootstrap_only=bootstrap_only):
                return await _refuse(update, context)
            return await handler(update, context)

        return guarded

    return decorate


#: Run the handler for administrators only; anyone else gets the neutral refusal.
admin_only = _guard(bootstrap_only=False)
#: Run the handler for configured (bootstrap) administrators only: granting and revoking.
bootstrap_admin_only = _guard(bootstrap_only=True)
