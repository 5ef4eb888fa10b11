"""The webhook route: updates accepted only with the secret token; health check."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from bot.web import SECRET_HEADER, WEBHOOK_PATH, make_web_app

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
