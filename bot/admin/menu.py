"""The admin commands in Telegram's command menu, for administrators' chats only.

Residents never see them: the menu is set per admin chat (BotCommandScopeChat), on top of the
resident commands BOT sets per language, when the bot starts and when rights are granted;
revoking removes it again.
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.admin.common import N_, engine_of
from bot.i18n import DEFAULT, known_language, translator
from bot.roles import bootstrap_admins, granted_admins

log = logging.getLogger(__name__)
ADMIN_COMMANDS = (
    ("admin", N_("administrator commands")),
    ("add", N_("add a service")),
    ("edit", N_("change a service")),
    ("import", N_("import a catalogue file")),
    ("export", N_("export the catalogue")),
    ("stale", N_("services to verify")),
    ("stats", N_("search figures")),
    ("undo", N_("undo my last change")),
    ("teach", N_("teach the search a phrase")),
)


def stored_language(application: Application, user_id: int) -> str:
    """The language a user chose or writes in the bot, else French (the local language)."""
    return known_language(application.user_data.get(user_id), None) or DEFAULT


async def show_admin_menu(bot: Bot, user_id: int, lang: str) -> None:
    tr = translator(lang)
    resident = list(await bot.get_my_commands(language_code=lang))
    admin = [BotCommand(name, tr.gettext(description)) for name, description in ADMIN_COMMANDS]
    try:
        await bot.set_my_commands([*resident, *admin], scope=BotCommandScopeChat(user_id))
    except TelegramError as exc:  # never started the bot: the chat does not exist yet
        log.info("admin menu not set for a chat: %s", exc)


async def hide_admin_menu(bot: Bot, user_id: int) -> None:
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(user_id))
    except TelegramError as exc:
        log.info("admin menu not removed for a chat: %s", exc)


async def show_admin_menus(context: ContextTypes.DEFAULT_TYPE) -> None:
    """JobQueue callback, once at start-up: every administrator's menu."""
    granted = {role.user_id for role in granted_admins(engine_of(context))}
    for user_id in sorted(bootstrap_admins(context.bot_data) | granted):
        await show_admin_menu(context.bot, user_id, stored_language(context.application, user_id))


def schedule_menus(application: Application) -> None:
    if application.job_queue is not None:
        application.job_queue.run_once(show_admin_menus, when=1, name="admin menus")
