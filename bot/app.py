"""Builds the PTB Application: SQL persistence, rate limiter, the resident conversation, the
admin and share components, command menus per language, error handling and a flood guard.

The same Application runs with long polling, behind the webhook server (bot.web) and in the
terminal chat or tests (through bot.transport.LocalRequest).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict, deque
from datetime import datetime, timedelta
from typing import Any, cast

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationHandlerStop,
    ContextTypes,
    Defaults,
    TypeHandler,
)
from telegram.request import BaseRequest

from bot import admin, conversation, kit, report, share, state
from bot.admin.sync import schedule_sync
from bot.config import Settings
from bot.i18n import SUPPORTED, bidi, translator
from bot.persistence import BotData, SQLPersistence
from bot.transport import LOCAL_TOKEN
from catalogue.db import make_engine

log = logging.getLogger(__name__)

# bot_data is a `BotData`, a dict: handlers are typed with the default context, which says dict.
_CONTEXT_TYPES = cast(
    "ContextTypes[ContextTypes.DEFAULT_TYPE, dict[Any, Any], dict[Any, Any], dict[Any, Any]]",
    ContextTypes(bot_data=BotData),
)
FLOOD_GROUP = -10  # before everything, admin and share handlers included (they use -2)
COMMANDS = ("start", "new", "list", "help", "language", "privacy", "forget", "about", "cancel")


def command_descriptions(lang: str) -> list[BotCommand]:
    """The command menu in one language."""
    _ = translator(lang).gettext
    texts = {
        "start": _("Start again"),
        "new": _("A new search"),
        "list": _("Your list of services to share or print"),
        "help": _("How to use this bot"),
        "language": _("Change the language"),
        "privacy": _("What I keep about you"),
        "forget": _("Erase what I keep about you"),
        "about": _("About Relais"),
        "cancel": _("Stop the current search"),
    }
    return [BotCommand(name, texts[name]) for name in COMMANDS]


def descriptions(lang: str) -> tuple[str, str]:
    """(description, short description) shown before a user starts the bot."""
    _ = translator(lang).gettext
    return (
        _(
            "I help you find free help in the Lille metropolis: food, showers, housing, care, "
            "French classes. Write what you need and where you are."
        ),
        _("Find food, showers, housing and care near you in the Lille metropolis."),
    )


async def post_init(application: Application) -> None:
    """Command menus and descriptions per language (French is also the default)."""
    bot = application.bot
    for lang in (None, *SUPPORTED):
        code = lang or "fr"
        description, short = descriptions(code)
        try:
            await bot.set_my_commands(command_descriptions(code), language_code=lang)
            await bot.set_my_description(bidi(description, code), language_code=lang)
            await bot.set_my_short_description(bidi(short, code), language_code=lang)
        except TelegramError as exc:  # menus are a comfort: never block the start
            log.warning("could not set commands/descriptions for %s: %s", code, exc)


class FloodGuard:
    """Drops a user's messages beyond `limit` per minute, measured on the messages' own dates,
    and says so to each one dropped: nothing is ignored in silence. Button taps are not
    counted (building a list is many taps) and never dropped.

    Runs first; also forgets a search older than the configured time, with its location,
    before any handler sees it.
    """

    def __init__(self, limit: int, search_ttl_hours: float) -> None:
        self.limit = limit
        self.ttl = search_ttl_hours
        self.recent: defaultdict[int, deque[datetime]] = defaultdict(deque)

    async def __call__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        if user is None:
            return
        at = kit.update_time(update, context)
        if update.message is not None:
            recent = self.recent[user.id]
            while recent and at - recent[0] >= timedelta(minutes=1):
                recent.popleft()
            if len(recent) >= self.limit:
                await self._warn(update, context)
                raise ApplicationHandlerStop
            recent.append(at)
        search = state.stored(context.user_data)
        if search and search.expired(at, self.ttl) and context.user_data is not None:
            context.user_data.pop(state.KEY, None)

    @staticmethod
    async def _warn(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_chat:
            tr = kit.tr_of(update, context)
            await context.bot.send_message(
                update.effective_chat.id,
                bidi(tr.gettext("Too many messages. Please wait a minute."), tr.lang),
            )


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log; tell the user something went wrong. The conversation state is left as it was."""
    error = context.error
    if isinstance(error, Forbidden):  # the user blocked the bot: keep nothing about them
        log.info("user blocked the bot: %s", error)
        if isinstance(update, Update) and update.effective_user:
            await conversation.forget_user(context, update.effective_user.id)
        return
    if isinstance(error, RetryAfter):
        log.warning("Telegram asks to slow down: %s", error)
        return
    if isinstance(error, BadRequest) and "not modified" in str(error).lower():
        # A double tap edits a message into what it already shows: nothing went wrong.
        if isinstance(update, Update) and update.callback_query:
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer()
        return
    log.error("error while handling an update", exc_info=error)
    if isinstance(update, Update) and update.callback_query:
        with contextlib.suppress(TelegramError):  # stop the button's spinner
            await update.callback_query.answer()
    if isinstance(update, Update) and update.effective_chat:
        tr = kit.tr_of(update, context)
        try:
            await context.bot.send_message(
                update.effective_chat.id,
                bidi(tr.gettext("Sorry, something went wrong. Please try again."), tr.lang),
            )
        except TelegramError:
            log.warning("could not tell the user about the error")


class RelaisApplication(Application):
    """PTB's Application, saving the state an update changed as soon as it is handled rather
    than every few seconds: a kill right after an answer loses nothing. The write itself runs
    in the persistence's worker thread, batched with other users' (bot.persistence)."""

    def __init__(self, **kwargs: Any) -> None:  # PTB's builder arguments
        super().__init__(**kwargs)
        self._waiting: dict[int, asyncio.Future[None]] = {}

    async def process_update(self, update: object) -> None:
        try:
            await super().process_update(update)
            await self.update_persistence()
        finally:
            if isinstance(update, Update):
                waiter = self._waiting.pop(update.update_id, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(None)

    async def feed(self, update: Update, timeout: float = 30.0) -> None:
        """Queue `update` as the poller does and, while running, wait (at most `timeout`
        seconds) until it is handled and the state it changed is in the database: the webhook
        answers Telegram only then, so an update lost to a crash is delivered again."""
        if not self.running:
            await self.update_queue.put(update)
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiting[update.update_id] = waiter
        await self.update_queue.put(update)
        try:
            await asyncio.wait_for(waiter, timeout)
            if isinstance(self.persistence, SQLPersistence):
                await asyncio.wait_for(self.persistence.written(), timeout)
        except TimeoutError:
            log.warning("update %s not handled within %s s", update.update_id, timeout)
        finally:
            self._waiting.pop(update.update_id, None)


async def purge_searches(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Hourly: forget searches (and locations) idle for longer than the configured time."""
    settings: Settings = context.bot_data["settings"]
    at = kit.now(context)
    for user_data in context.application.user_data.values():
        search = state.stored(user_data)
        if search and search.expired(at, settings.search_ttl_hours):
            user_data.pop(state.KEY, None)


def build_application(
    settings: Settings, *, request: BaseRequest | None = None, webhook: bool = False
) -> Application:
    """The bot's Application. `request` replaces Telegram (LocalRequest); `webhook` drops the
    polling Updater (bot.web feeds updates instead)."""
    engine = make_engine(settings.database_url)
    live = {"engine": engine, "settings": settings}
    local = request is not None
    limiter = (
        AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=0)
        if local
        else AIORateLimiter(max_retries=2)
    )
    builder = (
        Application.builder()
        .application_class(RelaisApplication)
        .token(settings.token or LOCAL_TOKEN)
        .persistence(
            SQLPersistence(engine, live=live, update_interval=settings.persistence_interval)
        )
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
            )
        )
        .rate_limiter(limiter)
        .post_init(post_init)
        .context_types(_CONTEXT_TYPES)
    )
    if settings.bot_api_url:  # a local Bot API server
        api = settings.bot_api_url.rstrip("/")
        builder = builder.base_url(f"{api}/bot").base_file_url(f"{api}/file/bot")
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if webhook or local:
        builder = builder.updater(None)
    application = builder.build()
    application.bot_data.update(live)
    application.add_handler(
        TypeHandler(Update, FloodGuard(settings.flood_limit, settings.search_ttl_hours)),
        group=FLOOD_GROUP,
    )
    admin.register(application)
    share.register(application)
    report.register(application)
    application.add_handlers(conversation.handlers())
    application.add_error_handler(on_error)
    if application.job_queue is not None and not local:
        application.job_queue.run_repeating(purge_searches, interval=3600, first=600)
    schedule_sync(application, settings.sync_weekly and not local)
    return application
