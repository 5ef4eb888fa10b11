"""The webhook route: updates accepted only with the secret token; health check."""

from __future__ import annotations

import asyncio
import socket

from aiohttp import ClientSession
from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_application
from bot.transport import LocalRequest
from bot.web import SECRET_HEADER, WEBHOOK_PATH, make_web_app, serve_webhook

UPDATE = {
    "update_id": 42,
    "message": {
        "message_id": 1, "date": 1767225600, "text": "douche",
        "chat": {"id": 9, "type": "private"},
        "from": {"id": 9, "is_bot": False, "first_name": "A"},
    },
}


async def client_for(bot) -> TestClient:
    client = TestClient(TestServer(make_web_app(bot.app, "s3cret")))
    await client.start_server()
    return client


async def test_webhook_accepts_the_right_secret(bot):
    client = await client_for(bot)
    try:
        response = await client.post(WEBHOOK_PATH, json=UPDATE, headers={SECRET_HEADER: "s3cret"})
        assert response.status == 200
        update = bot.app.update_queue.get_nowait()
        assert update.update_id == 42 and update.message.text == "douche"
    finally:
        await client.close()


async def test_webhook_refuses_a_missing_or_wrong_secret(bot):
    client = await client_for(bot)
    try:
        assert (await client.post(WEBHOOK_PATH, json=UPDATE)).status == 403
        wrong = await client.post(WEBHOOK_PATH, json=UPDATE, headers={SECRET_HEADER: "guess"})
        assert wrong.status == 403
        assert bot.app.update_queue.empty()
        bad = await client.post(WEBHOOK_PATH, data=b"{", headers={SECRET_HEADER: "s3cret"})
        assert bad.status == 400
    finally:
        await client.close()


async def test_healthz(bot):
    client = await client_for(bot)
    try:
        response = await client.get("/healthz")
        assert response.status == 200 and (await response.json())["ok"] is True
    finally:
        await client.close()


async def test_serve_webhook_registers_and_feeds_the_application(make_settings):
    """The whole webhook mode on a local port: setWebhook with the secret, then a POST is
    answered by the running Application."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = make_settings(webhook_url="https://relais.example/", webhook_secret="s3cret",
                             host="127.0.0.1", port=port)
    request = LocalRequest()
    app = build_application(settings, request=request, webhook=True)
    server = asyncio.create_task(serve_webhook(app, settings))

    async def until(condition) -> None:
        for _ in range(500):
            if condition():
                return
            await asyncio.sleep(0.01)
        raise AssertionError("condition never met")

    try:
        await until(lambda: any(c.method == "setWebhook" for c in request.calls))
        hook = [c for c in request.calls if c.method == "setWebhook"][0]
        assert hook.params["url"] == "https://relais.example/telegram"
        assert hook.params["secret_token"] == "s3cret"
        async with ClientSession() as http:
            url = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
            async with http.post(url, json={**UPDATE, "message": {**UPDATE["message"],
                                 "text": "/help", "entities": [
                                     {"type": "bot_command", "offset": 0, "length": 5}]}},
                                 headers={SECRET_HEADER: "s3cret"}) as response:
                assert response.status == 200
        await until(lambda: any(c.method == "sendMessage" for c in request.calls))
    finally:
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)
    assert not app.running
