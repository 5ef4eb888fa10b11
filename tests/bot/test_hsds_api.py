"""The /hsds API through a real HTTP client against the running aiohttp app, every answer
checked against the official HSDS 3.0 schemas (tests/hsds_official)."""

from __future__ import annotations

import asyncio
import json
import socket
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from aiohttp import ClientConnectorError, ClientSession
from aiohttp.test_utils import TestClient, TestServer

from bot.hsds_api import make_hsds_app, serve_api
from catalogue import importer
from catalogue.db import make_engine, session_scope
from catalogue.hsds import hsds_id
from catalogue.services import get_service, save_service
from tests.conftest import CATALOGUE
from tests.hsds_schema import EXAMPLES, in_lille, page_validator, problems

FIXTURE = CATALOGUE
# One catalogue and one running server for the module: importing and indexing take seconds.
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    """The seed and evaluation catalogues, with one official example moved to Lille."""
    sqlite_engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('hsds') / 'relais.db'}")
    full = in_lille(json.loads((EXAMPLES / "service_full.json").read_text("utf-8")))
    seed = json.loads(importer.seed_bytes())  # one file: they share organisations
    services = seed + json.loads(FIXTURE.read_text("utf-8")) + [full]
    report = importer.import_bytes(sqlite_engine, json.dumps(services).encode(), "c.json",
                                   actor="test")  # fmt: skip
    assert report.ok(), report.problem_lines()
    yield sqlite_engine
    sqlite_engine.dispose()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(catalogue):
    client = TestClient(TestServer(make_hsds_app(catalogue)))
    await client.start_server()
    yield client
    await client.close()


async def get(client, path: str, status: int = 200, **headers) -> dict:
    response = await client.get(path, headers=headers)
    assert response.status == status, await response.text()
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return await response.json() if status != 304 else {}


def page_problems(body: dict, *item_schema: str) -> list[str]:
    errors = [e.message for e in page_validator().iter_errors(body)]
    for item in body["contents"]:
        errors += problems(item, *item_schema)
    return errors


async def test_services_is_a_valid_page_of_services(client):
    body = await get(client, "/services?per_page=20&page=2")
    assert page_problems(body, "service_list") == []
    assert (body["total_items"], body["total_pages"], body["page_number"]) == (134, 7, 2)
    assert (body["size"], body["first_page"], body["last_page"], body["empty"]) == (
        20,
        False,
        False,
        False,
    )
    assert "phones" not in body["contents"][0]  # one-to-one fields only
    full = await get(client, "/services?full_service=true&per_page=200")
    assert len(full["contents"]) == 134
    assert page_problems(full, "service") == []
    assert any("schedules" in s and "phones" in s for s in full["contents"])


async def test_one_service_is_a_valid_compiled_service(client):
    sid = hsds_id("service", "svc-001")
    body = await get(client, f"/services/{sid}")
    assert problems(body, "service") == []
    assert body["name"] == "Accueil de jour L'Escale" and body["x_relais"]["id"] == "svc-001"
    error = await get(client, "/services/nope", 404)
    assert error == {"error": "no active service with this id", "status": 404}


async def test_search_uses_relais_search_in_any_language(client):
    body = await get(client, "/services?search=douche%20roubaix&per_page=3")
    assert page_problems(body, "service_list") == []
    assert body["contents"][0]["name"] == "Bains-douches du Pile"
    food = await get(client, "/services?search=де поїсти&per_page=50")
    names = {s["name"] for s in food["contents"]}
    assert "Restaurant social Le Bol d'Air" in names and "Bains-douches du Pile" not in names


async def test_filters_are_cumulative(client):
    shower = hsds_id("taxonomy_term", "shower")
    body = await get(client, f"/services?taxonomy_term_id={shower}&per_page=50")
    assert {s["name"] for s in body["contents"]} >= {"Bains-douches du Pile", "Douches de L'Escale"}
    org = (await get(client, f"/services/{hsds_id('service', 'svc-048')}"))["organization_id"]
    both = await get(client, f"/services?taxonomy_term_id={shower}&organization_id={org}")
    assert [s["name"] for s in both["contents"]] == ["Bains-douches du Pile"]
    searched = await get(client, f"/services?search=douche&organization_id={org}")
    assert [s["name"] for s in searched["contents"]] == ["Bains-douches du Pile"]
    hygiene = hsds_id("taxonomy_term", "hygiene_and_wellness")  # a group: any of its keys
    grouped = await get(client, f"/services?taxonomy_term_id={hygiene}&per_page=200")
    assert grouped["total_items"] >= body["total_items"]


async def test_modified_after_and_only_active_services(client, catalogue):
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert (await get(client, f"/services?modified_after={future}"))["empty"] is True
    _set_status(catalogue, "svc-048", "hidden")
    try:
        past = "2020-01-01T00:00:00Z"
        body = await get(client, f"/services?modified_after={past}&per_page=200")
        assert body["total_items"] == 133
        await get(client, f"/services/{hsds_id('service', 'svc-048')}", 404)
    finally:
        _set_status(catalogue, "svc-048", "active")


def _set_status(engine, service_id: str, status: str) -> None:
    with session_scope(engine) as session:
        service = get_service(session, service_id)
        service.status = status
        save_service(session, service, actor="test")


async def test_no_personal_data_goes_out(client):
    body = await get(client, "/services/ac148810-d857-441c-9679-408f346de14b")
    assert problems(body, "service") == []
    text = json.dumps(body)
    assert "Ann Persona" not in text and "A. Persona" not in text
    assert "contacts" not in text and "assurer_email" not in text and "metadata" not in text
    assert body["cost_options"][0]["amount"] == 35  # the rest of what the file said is there


async def test_organizations(client):
    body = await get(client, "/organizations?per_page=200")
    assert page_problems(body, "service", "organization") == []
    assert body["total_items"] == len(body["contents"]) > 10
    org_id = (await get(client, f"/services/{hsds_id('service', 'svc-001')}"))["organization_id"]
    org = await get(client, f"/organizations/{org_id}")
    assert problems(org, "service", "organization") == []
    assert org["name"] == "Association L'Escale du Nord"
    assert [problems(s, "service_list") for s in org["services"]] == [[]] * len(org["services"])
    await get(client, f"/organizations/{hsds_id('organization', 'nobody')}", 404)


async def test_taxonomies_and_terms(client):
    body = await get(client, "/taxonomies")
    taxonomy_schema = ("service", "attributes", "items", "taxonomy_term", "taxonomy_detail")
    assert page_problems(body, *taxonomy_schema) == []
    (soliguide,) = body["contents"]
    terms = await get(client, f"/taxonomy_terms?taxonomy_id={soliguide['id']}&per_page=200")
    assert page_problems(terms, "service", "attributes", "items", "taxonomy_term") == []
    assert terms["total_items"] > 50
    top = await get(client, "/taxonomy_terms?top_only=true&per_page=200")
    hygiene = next(t for t in top["contents"] if t["code"] == "hygiene_and_wellness")
    children = await get(client, f"/taxonomy_terms?parent_id={hygiene['id']}")
    assert "shower" in {t["code"] for t in children["contents"]}


async def test_service_at_locations_by_postcode_and_proximity(client):
    body = await get(client, "/service_at_locations?postcode=59100&per_page=100")
    sal_schema = ("service", "service_at_locations", "items")
    assert page_problems(body, *sal_schema) == []
    assert [problems(s["service"], "service_list") for s in body["contents"]] == [[]] * body["size"]
    assert body["total_items"] > 0
    assert {s["location"]["addresses"][0]["postal_code"] for s in body["contents"]} == {"59100"}
    near = await get(client, "/service_at_locations?proximity=50.6279,3.0471,0.5&search=douche")
    names = [s["service"]["name"] for s in near["contents"]]
    assert names[0] == "Douches de L'Escale" and "Bains-douches du Pile" not in names


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("/services?page=0", "page"),
        ("/services?page=abc", "page"),
        ("/services?per_page=1000", "per_page"),
        ("/services?modified_after=yesterday", "modified_after"),
        ("/services?full_service=maybe", "full_service"),
        ("/services?lang=xx&search=douche", "lang"),
        ("/services?search=" + "a" * 201, "search"),
        ("/service_at_locations?proximity=50.6,3.0", "proximity"),
        ("/service_at_locations?proximity=50.6,3.0,5000", "proximity"),
        ("/taxonomy_terms?top_only=perhaps", "top_only"),
    ],
)
async def test_bad_parameters_get_a_json_400(client, query, parameter):
    body = await get(client, query, 400)
    assert body["error"] == "bad parameter" and body["parameter"] == parameter
    assert body["message"]


async def test_cors_etag_and_openapi(client):
    response = await client.options("/services", headers={"Origin": "https://example.org"})
    assert response.status == 204 and "GET" in response.headers["Access-Control-Allow-Methods"]
    first = await client.get("/services/" + hsds_id("service", "svc-001"))
    etag = first.headers["ETag"]
    await get(client, "/services/" + hsds_id("service", "svc-001"), 304, **{"If-None-Match": etag})
    root = await get(client, "/")
    assert root["version"] == "3.0" and root["openapi_url"].endswith("/openapi.json")
    openapi = await get(client, "/openapi.json")
    assert set(openapi["paths"]) >= {"/services", "/services/{id}", "/organizations",
                                     "/organizations/{id}", "/taxonomies", "/taxonomy_terms",
                                     "/service_at_locations"}  # fmt: skip


async def test_relais_serve_runs_the_api_alone(catalogue):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = asyncio.create_task(serve_api(catalogue, "127.0.0.1", port))
    try:
        async with ClientSession() as http:
            for _ in range(500):  # until the server listens
                try:
                    async with http.get(f"http://127.0.0.1:{port}/hsds/services") as response:
                        body = await response.json()
                        break
                except ClientConnectorError:
                    await asyncio.sleep(0.01)
            assert response.status == 200 and body["total_items"] == 134
            async with http.post(f"http://127.0.0.1:{port}/telegram") as response:
                assert response.status in (404, 405)  # no webhook without a bot
    finally:
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)
