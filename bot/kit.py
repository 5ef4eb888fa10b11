"""The small things every bot/ handler shares: the clock, the user's translator, sending or
editing a message, answering an old button, stopping the other handler groups.

Resident, share, report and admin handlers use these rather than borrowing each other's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
    User,
)
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.i18n import Translator, bidi, translator, user_language

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None
Callback = Callable[[Update, Context], Coroutine[Any, Any, Any]]


def now(context: Context) -> datetime:
    """The current time (tests can put a fixed clock in bot_data["clock"])."""
    clock: Callable[[], datetime] | None = context.bot_data.get("clock")
    return clock() if clock else datetime.now(UTC)


def update_time(update: Update, context: Context) -> datetime:
    """When the user acted: the message's own date, else now (button presses carry no date)."""
    message = update.message or update.edited_message
    if message is not None:
        return message.edit_date or message.date
    return now(context)


def tr_of(update: Update, context: Context) -> Translator:
    """The translator of the user who sent `update`."""
    return translator(user_language(update, context))


def chat_of(update: Update) -> Chat:
    """The chat the update came from (every update the handlers answer has one)."""
    assert update.effective_chat is not None
    return update.effective_chat


def chat_id(update: Update) -> int:
    return chat_of(update).id


def user_data(context: Context) -> dict[Any, Any]:
    """The user's data (every update the handlers answer comes from a user)."""
    assert context.user_data is not None
    return context.user_data


def query_of(update: Update) -> CallbackQuery:
    """The button pressed (a callback query handler only sees these)."""
    assert update.callback_query is not None
    return update.callback_query


def pressed(update: Update) -> tuple[CallbackQuery, str]:
    """The button pressed and its callback data (a button handler only sees these)."""
    query = query_of(update)
    assert isinstance(query.data, str)
    return query, query.data


def message_of(update: Update) -> Message:
    """The new message of a message handler."""
    assert update.message is not None
    return update.message


def effective_message_of(update: Update) -> Message:
    """The message of a handler whose filters also let an edited message through (the admin
    steps read an edited answer like a new one)."""
    assert update.effective_message is not None
    return update.effective_message


def text_of(update: Update) -> str:
    """The text of a text message, stripped."""
    return (message_of(update).text or "").strip()


def user_of(update: Update) -> User:
    """Who sent the update (every update the handlers answer has a sender)."""
    assert update.effective_user is not None
    return update.effective_user


async def say(update: Update, context: Context, text: str, markup: Markup = None) -> None:
    """Send one message in the user's chat (HTML, right-to-left marks when needed)."""
    lang = user_language(update, context)
    await context.bot.send_message(chat_id(update), bidi(text, lang), reply_markup=markup)


async def show(
    update: Update,
    context: Context,
    text: str,
    keyboard: InlineKeyboardMarkup | None,
    *,
    edit: bool,
) -> None:
    """Edit the message whose button was pressed (no flooding), else send a new one."""
    query = update.callback_query
    if edit and query and query.message:
        try:
            await query.edit_message_text(text, reply_markup=keyboard)
            return
        except BadRequest as exc:
            if "not modified" in str(exc):
                return
            log.info("could not edit, sending instead: %s", exc)
    await context.bot.send_message(chat_id(update), text, reply_markup=keyboard)


async def answer_old_button(update: Update, context: Context) -> None:
    """Tell the user, on the button itself, that it belongs to an older message."""
    await query_of(update).answer(tr_of(update, context).gettext("This button is old."))


def stop(handler: Callback) -> Callback:
    """Stop other handler groups (the resident conversation) once this handler ran.

    Admin and share handlers live in group -1, before the resident conversation; raising
    ApplicationHandlerStop carries a conversation's next state and keeps the resident flow
    from answering the same update.
    """

    @wraps(handler)
    async def run(update: Update, context: Context) -> Any:
        raise ApplicationHandlerStop(await handler(update, context))

    return run


def pressed_data(update: Update) -> str:
    """The callback data of the button pressed."""
    return pressed(update)[1]
