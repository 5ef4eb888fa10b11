"""Webhook mode: an aiohttp server hands Telegram's POSTs to the Application.

Only requests carrying our secret in X-Telegram-Bot-Api-Secret-Token are accepted (compared in
constant time); a wrong secret gets 403. A body that is not an update (not JSON, not an object,
missing fields Telegram always sends) gets 400, never 500: Telegram retries a 5xx forever. An
update delivered twice (Telegram redelivers when our answer was lost) is handled once. GET
/healthz answers 200 only when the database answers, so the host restarts a bot that lost it.
The read-only HSDS API (bot/hsds_api.py) is mounted under /hsds beside them.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import secrets
import signal
from collections import OrderedDict

from aiohttp import web
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.ext import Application

from bot.app import post_init
from bot.config import Settings
from bot.hsds_api import make_hsds_app

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


# Update ids remembered to drop redeliveries: Telegram keeps undelivered updates 24 hours, and
# the ids of one bot only grow, so the latest ones are all a redelivery can repeat.
SEEN_UPDATES = 10_000


class RecentIds:
    """The last `size` ids seen, in bounded memory."""

    def __init__(self, size: int = SEEN_UPDATES) -> None:
        self.size = size
        self.ids: OrderedDict[int, None] = OrderedDict()

    def first_time(self, update_id: int) -> bool:
        """True the first time an id is seen (and remember it), False for a repeat."""
        if update_id in self.ids:
            return False
        self.ids[update_id] = None
        if len(self.ids) > self.size:
            self.ids.popitem(last=False)
        return True


def _update_from(data: object, application: Application) -> Update | None:
    """The update in a decoded body, or None when it is not one Telegram could have sent."""
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        return None
    try:
        return Update.de_json(data, application.bot)
    except (TypeError, KeyError, ValueError, AttributeError, OverflowError):  # missing or odd
        return None


def _database_answers(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.warning("health check: the database does not answer: %s", type(exc).__name__)
        return False
    return True


def make_web_app(application: Application, secret: str) -> web.Application:
    """The aiohttp app: POST /telegram (secret checked), GET /healthz and the HSDS API."""
    seen = RecentIds()

    async def webhook(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not given.isascii():
            return web.Response(status=400, text="malformed secret token")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
        except (ValueError, RecursionError):
            return web.Response(status=400, text="not JSON")
        update = _update_from(data, application)
        if update is None:
            return web.Response(status=400, text="not a Telegram update")
        if seen.first_time(update.update_id):
            # Answered once handled and saved (bot.app.RelaisApplication.feed).
            await getattr(application, "feed", application.update_queue.put)(update)
        return web.Response(text="ok")

    async def healthz(_request: web.Request) -> web.Response:
        engine = application.bot_data.get("engine")
        ok = engine is not None and await asyncio.to_thread(_database_answers, engine)
        body = {"ok": ok, "running": application.running, "database": ok}
        return web.json_response(body, status=200 if ok else 503)

    app = web.Application()
    app.router.add_post(WEBHOOK_PATH, webhook)
    app.router.add_get("/healthz", healthz)
    if (engine := application.bot_data.get("engine")) is not None:
        app.add_subapp("/hsds", make_hsds_app(engine))
    return app


async def serve_webhook(application: Application, settings: Settings) -> None:
    """Register the webhook with Telegram and serve until cancelled or until SIGTERM (what
    hosts send on redeploy) or SIGINT: then stop cleanly, the conversation state written."""
    if not settings.webhook_url:
        raise ValueError("RELAIS_WEBHOOK_URL is needed for webhook mode")
    secret = settings.webhook_secret or secrets.token_urlsafe(32)
    runner = web.AppRunner(make_web_app(application, secret))
    async with application:
        await post_init(application)
        await application.start()
        await runner.setup()
        await web.TCPSite(runner, settings.host, settings.port).start()
        log.info("webhook server on %s:%s", settings.host, settings.port)
        # Last: Telegram starts posting as soon as the webhook is set.
        await application.bot.set_webhook(
            url=settings.webhook_url.rstrip("/") + WEBHOOK_PATH,
            secret_token=secret,
            allowed_updates=Update.ALL_TYPES,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows
                loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
            log.info("stopping: saving the conversation state")
        finally:
            for sig in (signal.SIGTERM, signal.SIGINT):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(sig)
            await runner.cleanup()
            await application.stop()
