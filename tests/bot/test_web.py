"""The webhook route: updates accepted only with the secret token; health check."""

from __future__ import annotations

import asyncio
import copy
import json
import socket

from aiohttp import ClientSession
from aiohttp.test_utils import TestClient, TestServer
from telegram import Update

from bot.app import build_application
from bot.transport import LocalRequest
from bot.web import SECRET_HEADER, WEBHOOK_PATH, RecentIds, make_web_app, serve_webhook
from catalogue.db import make_engine

UPDATE = {
    "update_id": 42,
    "message": {
        "message_id": 1,
        "date": 1767225600,
        "text": "douche",
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
        assert response.status == 200 and (await response.json())["database"] is True
    finally:
        await client.close()


async def test_serve_webhook_registers_and_feeds_the_application(make_settings):
    """The whole webhook mode on a local port: setWebhook with the secret, then a POST is
    answered by the running Application."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = make_settings(
        webhook_url="https://relais.example/", webhook_secret="s3cret", host="127.0.0.1", port=port
    )
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
            async with http.post(
                url,
                json={
                    **UPDATE,
                    "message": {
                        **UPDATE["message"],
                        "text": "/help",
                        "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
                    },
                },
                headers={SECRET_HEADER: "s3cret"},
            ) as response:
                assert response.status == 200
        await until(lambda: any(c.method == "sendMessage" for c in request.calls))
    finally:
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)
    assert not app.running


MALFORMED = [
    b"{",
    b"\xff\xfe",
    b"[]",
    b"null",
    b"{}",
    b"42",
    b'"update"',
    b'{"update_id": "42"}',
    b'{"update_id": true}',
    b"[" * 100_000 + b"]" * 100_000,
    # an update Telegram documents, without a field it always sends (from.is_bot)
    json.dumps(
        {**UPDATE, "message": {**UPDATE["message"], "from": {"id": 9, "first_name": "A"}}}
    ).encode(),
    json.dumps({**UPDATE, "message": {"message_id": 1}}).encode(),
    json.dumps({**UPDATE, "message": "douche"}).encode(),
]


async def test_webhook_answers_400_to_what_is_not_an_update(bot):
    """Telegram retries a 5xx forever: a body that is not an update is a client error."""
    client = await client_for(bot)
    try:
        for body in MALFORMED:
            response = await client.post(WEBHOOK_PATH, data=body, headers={SECRET_HEADER: "s3cret"})
            assert response.status == 400, body[:80]
        assert bot.app.update_queue.empty()
    finally:
        await client.close()


async def test_webhook_answers_400_to_a_non_ascii_secret_and_403_to_a_wrong_one(bot):
    client = await client_for(bot)
    try:
        for secret, status in (("s3crét", 400), ("секрет", 400), ("s3cre", 403), ("", 403)):
            headers = {SECRET_HEADER: secret.encode().decode("latin-1")}
            response = await client.post(WEBHOOK_PATH, json=UPDATE, headers=headers)
            assert response.status == status, secret
        assert bot.app.update_queue.empty()
    finally:
        await client.close()


async def test_webhook_hands_a_redelivered_update_over_once(bot):
    client = await client_for(bot)
    try:
        for _ in range(3):
            response = await client.post(
                WEBHOOK_PATH, json=UPDATE, headers={SECRET_HEADER: "s3cret"}
            )
            assert response.status == 200  # acknowledged, so Telegram stops redelivering
        assert bot.app.update_queue.get_nowait().update_id == 42
        assert bot.app.update_queue.empty()
    finally:
        await client.close()


def test_remembered_update_ids_stay_bounded():
    seen = RecentIds(size=3)
    assert [seen.first_time(i) for i in (1, 2, 1, 3, 4, 5)] == [True, True, False, True, True, True]
    assert list(seen.ids) == [3, 4, 5] and seen.first_time(1)


async def test_healthz_answers_503_when_the_database_does_not(bot, tmp_path):
    bot.app.bot_data["engine"] = make_engine(
        f"sqlite:///{tmp_path / 'gone' / 'relais.db'}", create=False
    )
    client = await client_for(bot)
    try:
        response = await client.get("/healthz")
        assert response.status == 503 and (await response.json())["database"] is False
    finally:
        await client.close()


ODD = [None, [], {}, "", "x", -1, 10**30, 1.5, True, [1], {"a": 1}]


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*path, key))


def _variants():
    """The update with each field deleted, or replaced by a value of each other type."""
    for path in list(_paths(UPDATE))[1:]:
        for new in [KeyError, *ODD]:
            doc = copy.deepcopy(UPDATE)
            target = doc
            for key in path[:-1]:
                target = target[key]
            if new is KeyError:
                del target[path[-1]]
            else:
                target[path[-1]] = new
            yield path, doc


async def test_webhook_answers_every_mutated_update_with_200_or_400(bot):
    """Never 5xx (Telegram would redeliver forever); 200 only for what PTB reads as an update."""
    client = await client_for(bot)
    try:
        for n, (path, doc) in enumerate(_variants()):
            doc["update_id"] = (
                doc["update_id"] + n if type(doc.get("update_id")) is int else doc.get("update_id")
            )
            response = await client.post(WEBHOOK_PATH, json=doc, headers={SECRET_HEADER: "s3cret"})
            assert response.status in (200, 400), (path, doc)
            if response.status == 200:
                assert isinstance(bot.app.update_queue.get_nowait(), Update)
    finally:
        await client.close()


async def test_the_hsds_api_runs_beside_the_webhook(bot):
    client = await client_for(bot)
    try:
        response = await client.get("/hsds/taxonomies")
        assert response.status == 200 and (await response.json())["total_items"] == 1
        assert (await client.post(WEBHOOK_PATH, json=UPDATE)).status == 403
    finally:
        await client.close()
