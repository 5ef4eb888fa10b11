"""The data·inclusion API path, against a local aiohttp server serving recorded pages (the
`items`/`page`/`pages` envelope of the API), with the bearer token checked. No network."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from aiohttp import web
from sqlmodel import select

from catalogue.db import session_scope
from catalogue.models import ServiceSource
from catalogue.sources import data_inclusion as di
from catalogue.sources.sync import sync

PAGES = Path(__file__).parent / "data" / "data_inclusion" / "api"


async def _start(app: web.Application) -> tuple[web.AppRunner, str]:
    """Serve `app` on a free port of 127.0.0.1: its runner (to clean up) and its base URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


async def _serve(seen: list[str]) -> tuple[web.AppRunner, str]:
    async def page(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != "Bearer secret-token":
            return web.json_response({"detail": "Not authenticated"}, status=401)
        seen.append(request.path_qs)
        kind = request.match_info["kind"]
        number = request.query.get("page", "1")
        assert request.query["code_departement"] == "59"
        return web.json_response(json.loads((PAGES / f"{kind}-{number}.json").read_text("utf-8")))

    app = web.Application()
    app.router.add_get("/api/v1/{kind}", page)
    return await _start(app)


async def test_sync_from_the_api_reads_every_page(engine):
    seen: list[str] = []
    runner, url = await _serve(seen)
    try:
        reader = di.ApiReader("secret-token", url, size=2)
        report = await asyncio.to_thread(sync, engine, reader)
    finally:
        await runner.cleanup()
    assert {p.split("?")[0] for p in seen} == {"/api/v1/structures", "/api/v1/services"}
    assert any("page=2" in p for p in seen if p.startswith("/api/v1/services"))
    assert len(report.created) == 3
    with session_scope(engine) as s:
        ids = {row.record_id for row in s.exec(select(ServiceSource))}
    assert ids == {
        "dora--atelier-biclou",
        "dora--colis-roubaix",
        "france-travail--conseil-distance",
    }


async def test_a_refused_token_stops_the_sync(sqlite_engine):
    runner, url = await _serve([])
    try:
        with pytest.raises(di.SourceError, match="401"):
            await asyncio.to_thread(sync, sqlite_engine, di.ApiReader("wrong", url))
    finally:
        await runner.cleanup()


FIXTURES = PAGES.parent


async def _serve_files() -> tuple[web.AppRunner, str]:
    """data.gouv.fr's dataset description and the two weekly files, served locally."""

    async def dataset(request: web.Request) -> web.Response:
        base = f"http://{request.host}"
        return web.json_response(
            {
                "resources": [
                    {"title": "services.csv", "format": "csv", "url": f"{base}/nope.csv"},
                    {
                        "title": "Services (JSON)",
                        "format": "json",
                        "url": f"{base}/files/services.json",
                    },
                    {
                        "title": "Structures (JSON)",
                        "format": "json",
                        "url": f"{base}/files/structures.json",
                    },
                ]
            }
        )

    async def file(request: web.Request) -> web.Response:
        return web.Response(
            body=(FIXTURES / request.match_info["name"]).read_bytes(),
            content_type="application/json",
        )

    app = web.Application()
    app.router.add_get("/api/1/datasets/di/", dataset)
    app.router.add_get("/files/{name}", file)
    return await _start(app)


async def test_the_weekly_files_are_found_downloaded_and_synced(
    sqlite_engine, tmp_path, monkeypatch
):
    runner, url = await _serve_files()
    try:
        monkeypatch.delenv("RELAIS_DATA_INCLUSION_TOKEN", raising=False)
        urls = await asyncio.to_thread(di.export_urls, f"{url}/api/1/datasets/di/")
        assert urls == (f"{url}/files/services.json", f"{url}/files/structures.json")
        monkeypatch.setenv("RELAIS_DATA_INCLUSION_SERVICES_URL", urls[0])
        monkeypatch.setenv("RELAIS_DATA_INCLUSION_STRUCTURES_URL", urls[1])
        reader = await asyncio.to_thread(di.default_reader, tmp_path)
        report = await asyncio.to_thread(sync, sqlite_engine, reader)
    finally:
        await runner.cleanup()
    assert len(report.created) == 6
    assert (tmp_path / "services.json").read_bytes() == (FIXTURES / "services.json").read_bytes()
