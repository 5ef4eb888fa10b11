"""Small helpers shared by the admin handlers: translator, engine, actor, replies, stop."""

from __future__ import annotations

import html

from sqlalchemy import Engine
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.callbacks import fits
from bot.i18n import N_ as N_  # where admin modules import it from
from bot.i18n import Translator, bidi
from bot.kit import Callback, chat_of, stop, tr_of, user_data, user_of
from bot.roles import admin_only

tr_for = tr_of  # the admin modules' name for it


def engine_of(context: ContextTypes.DEFAULT_TYPE) -> Engine:
    return context.bot_data["engine"]


def actor(update: Update) -> str:
    """How the audit trail names a Telegram admin: only the user id, never a name."""
    return f"telegram:{user_of(update).id}"


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Inline keyboard from rows of (label, callback data).

    A button whose data would pass Telegram's 64 bytes (a very long service id) is left out
    rather than making the whole message fail; the text still names the service.
    """
    buttons = [
        [InlineKeyboardButton(label, callback_data=data) for label, data in row if fits(data)]
        for row in rows
    ]
    return InlineKeyboardMarkup([row for row in buttons if row])


def labelled(label: str, value: object, lang: str) -> str:
    """ "label: value", with the no-break space French puts before a colon (as the .po do)."""
    return f"{label}\u00a0: {value}" if lang == "fr" else f"{label}: {value}"


async def reply(
    update: Update,
    tr: Translator,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Answer in the chat of the update (a message or a pressed button), as escaped HTML."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    await chat_of(update).send_message(
        bidi(html.escape(text, quote=False), tr.lang), reply_markup=markup
    )


async def ask_confirmation(
    update: Update, tr: Translator, text: str, *, yes: str, yes_data: str, no_data: str
) -> None:
    """`text` with two buttons: `yes` (a msgid) and Cancel."""
    buttons = [[(tr.gettext(yes), yes_data), (tr.gettext("Cancel"), no_data)]]
    await reply(update, tr, text, keyboard(buttons))


def dropping(keys: tuple[str, ...], message: str, state: object) -> Callback:
    """An admin handler that forgets `keys` of user_data, says `message` and enters `state`
    (starting a step afresh, or cancelling one)."""

    @admin_handler
    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
        tr = tr_for(update, context)
        for key in keys:
            user_data(context).pop(key, None)
        await reply(update, tr, tr.gettext(message))
        return state

    return run


def admin_handler(handler: Callback) -> Callback:
    """An admin step: refused to non-admins (bot.roles), then stops the other groups."""
    return stop(admin_only(handler))
