"""Webhook mode: an aiohttp server hands Telegram's POSTs to the Application.

Only requests carrying our secret in X-Telegram-Bot-Api-Secret-Token are accepted (compared in
constant time); anything else gets 403. GET /healthz answers for the host's health checks.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.app import post_init
from bot.config import Settings

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def make_web_app(application: Application, secret: str) -> web.Application:
    """The aiohttp app: POST /telegram (secret checked) and GET /healthz."""

    async def webhook(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
        except ValueError:
            return web.Response(status=400, text="not JSON")
        await application.update_queue.put(Update.de_json(data, application.bot))
        return web.Response(text="ok")

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "running": application.running})

    app = web.Application()
    app.router.add_post(WEBHOOK_PATH, webhook)
    app.router.add_get("/healthz", healthz)
    return app


async def serve_webhook(application: Application, settings: Settings) -> None:
    """Register the webhook with Telegram and serve until cancelled (Ctrl-C, SIGTERM)."""
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
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()
            await application.stop()
