"""The read-only HSDS 3.0 API under /hsds: Relais's active services for other directories.

Endpoints and parameters follow the HSDS 3.0 API reference (Page objects around `contents`).
Services come from the search index (active services only, rebuilt when the catalogue changes),
each written by `catalogue.hsds.export_service`, so the API and the export agree and validate
against the same official schemas. `search` is Relais's own multilingual search ("douche
roubaix", "де поїсти"). No personal data goes out: named contacts, an assurer's e-mail,
metadata and an address's "attention" line are left out. Every GET answers with CORS and an
ETag (a later request with If-None-Match gets 304); a bad parameter gets a JSON 400 saying
which and why.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

from aiohttp import web
from sqlalchemy import Engine, select
from sqlmodel import col

from catalogue.bulk import stored_snapshots
from catalogue.db import session_scope
from catalogue.hsds import TAXONOMY, export_service, hsds_id, taxonomy
from catalogue.hsds import taxonomy_term as term_of
from catalogue.models import Location, Service, ServiceLocationLink
from catalogue.places import haversine_km
from catalogue.search import Query, SearchIndex, current_index
from catalogue.services import as_utc
from catalogue.taxonomy import LANGUAGES, all_categories, expand

PER_PAGE = 50
MAX_PER_PAGE = 200
# A search combined with other filters ranks this many services at most, then filters them.
SEARCH_WINDOW = 1000
MAX_SEARCH = 200  # characters of `search`
PRIVATE = frozenset({"contacts", "assurer_email", "metadata", "attention"})
# The one-to-one fields of a service: what a list gives without full_service.
LIST_FIELDS = (
    "id", "organization_id", "program_id", "name", "alternate_name", "description", "url",
    "email", "status", "interpretation_services", "application_process", "fees_description",
    "wait_time", "fees", "accreditations", "eligibility_description", "minimum_age",
    "maximum_age", "assured_date", "licenses", "alert", "last_modified", "organization",
    "program",
)  # fmt: skip
ORGANIZATION_LIST_FIELDS = ("id", "name", "alternate_name", "description", "email", "website")
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match",
    "Access-Control-Expose-Headers": "ETag",
}
ENGINE = web.AppKey("engine", Engine)
VIEW = web.AppKey("view", dict)


class BadParameter(Exception):
    """A query parameter Relais cannot read: the API answers 400 with this message."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter, self.message = parameter, message


# --- the catalogue as HSDS, per index ----------------------------------------------------------


class _Place(NamedTuple):
    id: str  # HSDS location id
    postcode: str | None
    latitude: float | None
    longitude: float | None


@dataclass
class _View:
    """The active services of one search index as HSDS: what the filters read (organisation,
    last change, places) in a few column queries, and each document, read and written on first
    use (`bulk.stored_snapshots`, `export_service`), kept with the index."""

    index: SearchIndex
    engine: Engine
    at: dict[str, int] = field(default_factory=dict)  # Relais service id → position
    by_id: dict[str, int] = field(default_factory=dict)  # HSDS service id → position
    org_of: list[str | None] = field(default_factory=list)  # HSDS organisation id
    updated: list[datetime] = field(default_factory=list)
    places: list[list[_Place]] = field(default_factory=list)
    docs: dict[int, dict[str, Any]] = field(default_factory=dict)
    _organizations: dict[str, list[int]] | None = None

    def __post_init__(self) -> None:
        self.at = {sid: i for i, sid in enumerate(self.index.ids)}
        self.by_id = {hsds_id("service", sid): i for sid, i in self.at.items()}
        n = len(self.at)
        self.org_of, self.updated = [None] * n, [datetime.min.replace(tzinfo=UTC)] * n
        self.places = [[] for _ in range(n)]
        with self.engine.connect() as connection:
            rows = connection.execute(select(col(Service.id), col(Service.organization_id),
                                             col(Service.updated_at)))  # fmt: skip
            for sid, org_id, updated in rows:
                if (i := self.at.get(sid)) is not None:
                    self.org_of[i] = hsds_id("organization", org_id) if org_id else None
                    self.updated[i] = as_utc(updated)
            places = connection.execute(
                select(col(ServiceLocationLink.service_id), col(Location.id),
                       col(Location.postcode), col(Location.latitude), col(Location.longitude))
                .join(Location, col(Location.id) == col(ServiceLocationLink.location_id))
                .order_by(col(Location.id))
            )  # fmt: skip
            for sid, location_id, postcode, lat, lon in places:
                if (i := self.at.get(sid)) is not None:
                    self.places[i].append(
                        _Place(hsds_id("location", location_id), postcode, lat, lon)
                    )

    def load(self, positions: Iterable[int]) -> None:
        """Make the documents of these services (one batch of column queries)."""
        missing = [i for i in dict.fromkeys(positions) if i not in self.docs]
        if not missing:
            return
        with session_scope(self.engine) as session:
            snapshots = stored_snapshots(session, [self.index.ids[i] for i in missing])
        for i in missing:
            if (snap := snapshots.get(self.index.ids[i])) is not None:
                doc = _public(export_service(snap))
                doc["last_modified"] = self.updated[i].isoformat()
                self.docs[i] = doc

    def doc(self, i: int) -> dict[str, Any]:
        """The full HSDS service, without personal data; last_modified is Relais's own."""
        self.load([i])
        return self.docs[i]

    def listed(self, i: int) -> dict[str, Any]:
        doc = self.doc(i)
        return {k: doc[k] for k in LIST_FIELDS if k in doc}

    def organizations(self) -> dict[str, list[int]]:
        """Organisations running an active service: HSDS id → positions of its services."""
        if self._organizations is None:
            found: dict[str, list[int]] = {}
            for i, org_id in enumerate(self.org_of):
                if org_id is not None:
                    found.setdefault(org_id, []).append(i)
            self._organizations = found
        return self._organizations

    def organization(self, org_id: str) -> dict[str, Any]:
        return self.doc(self.organizations()[org_id][0])["organization"]


def _public(value: Any) -> Any:
    """The document without the fields that could name or reach a person."""
    if isinstance(value, dict):
        return {k: _public(v) for k, v in value.items() if k not in PRIVATE}
    if isinstance(value, list):
        return [_public(v) for v in value]
    return value


async def _view(app: web.Application) -> _View:
    index = await asyncio.to_thread(current_index, app[ENGINE])
    cached: _View | None = app[VIEW].get("view")
    if cached is None or cached.index is not index:
        cached = await asyncio.to_thread(_View, index, app[ENGINE])
        app[VIEW]["view"] = cached
    return cached


# --- parameters --------------------------------------------------------------------------------


def _integer(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        raise BadParameter(name, f"a whole number from {low} to {high}, not {raw[:20]!r}")
    return int(raw)


def _boolean(request: web.Request, name: str) -> bool:
    raw = request.query.get(name, "false").lower()
    if raw not in ("true", "false", "1", "0", ""):
        raise BadParameter(name, f"true or false, not {raw[:20]!r}")
    return raw in ("true", "1")


def _datetime(request: web.Request, name: str) -> datetime | None:
    raw = request.query.get(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise BadParameter(
            name, f"a date and time like 2026-03-01T00:00:00Z, not {raw[:40]!r}"
        ) from None
    return as_utc(value) if value.tzinfo else value.replace(tzinfo=UTC)


def _proximity(request: web.Request) -> tuple[float, float, float] | None:
    raw = request.query.get("proximity")
    if not raw:
        return None
    try:
        lat, lon, km = (float(part) for part in raw.split(","))
    except ValueError:
        raise BadParameter(
            "proximity", f"latitude,longitude,km like 50.63,3.06,2, not {raw[:40]!r}"
        ) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 < km <= 100):
        raise BadParameter(
            "proximity", "latitude -90..90, longitude -180..180, km above 0 up to 100"
        )
    return lat, lon, km


@dataclass
class _Page:
    number: int
    size: int

    @classmethod
    def of(cls, request: web.Request) -> _Page:
        return cls(_integer(request, "page", 1, 1, 1_000_000),
                   _integer(request, "per_page", PER_PAGE, 1, MAX_PER_PAGE))  # fmt: skip

    def body(self, total: int, contents: list[Any]) -> dict[str, Any]:
        """An HSDS Page object around `contents` (this page's items of `total`)."""
        pages = math.ceil(total / self.size)
        return {
            "total_items": total,
            "total_pages": pages,
            "page_number": self.number,
            "size": len(contents),
            "first_page": self.number == 1,
            "last_page": self.number >= pages,
            "empty": not contents,
            "contents": contents,
        }

    @property
    def start(self) -> int:
        return (self.number - 1) * self.size

    def cut(self, items: list[Any]) -> list[Any]:
        return items[self.start : self.start + self.size]


# --- services ----------------------------------------------------------------------------------


def _filters(request: web.Request, view: _View) -> list[Callable[[int], bool]]:
    """The service filters of the request (cumulative: all must hold)."""
    tests: list[Callable[[int], bool]] = []
    if term := request.query.get("taxonomy_term_id"):
        key = _term_keys().get(term)
        members = expand(key) if key else frozenset()  # a group's term: any of its keys
        tests.append(lambda i: not members.isdisjoint(view.index.features.keys[i]))
    if taxonomy_id := request.query.get("taxonomy_id"):
        known = taxonomy_id == hsds_id("taxonomy", TAXONOMY)
        tests.append(lambda i: known and bool(view.index.features.keys[i]))
    if org := request.query.get("organization_id"):
        tests.append(lambda i: view.org_of[i] == org)
    if after := _datetime(request, "modified_after"):
        tests.append(lambda i: view.updated[i] >= after)
    return tests


def _matching(request: web.Request, view: _View, page: _Page | None) -> tuple[list[int], int]:
    """Positions of the services asked for (this page's only when `page` is given, else all,
    ranked), and how many there are in all."""
    search = request.query.get("search", "").strip()
    if len(search) > MAX_SEARCH:
        raise BadParameter("search", f"at most {MAX_SEARCH} characters")
    lang = request.query.get("lang", "fr")
    if lang not in LANGUAGES:
        raise BadParameter("lang", f"one of {', '.join(LANGUAGES)}")
    tests = _filters(request, view)
    if search:
        direct = page is not None and not tests
        limit, offset = (page.size, page.start) if direct and page else (SEARCH_WINDOW, 0)
        outcome = view.index.search(Query(text=search, lang=lang, limit=limit, offset=offset))
        found = [view.at[r.service_id] for r in outcome.results]
        if direct:
            return found, outcome.total
    else:
        found = list(range(len(view.at)))
    found = [i for i in found if all(test(i) for test in tests)]
    return (page.cut(found) if page else found), len(found)


@cache
def _term_keys() -> dict[str, str]:
    """HSDS taxonomy term id → Soliguide key."""
    return {hsds_id("taxonomy_term", c.key): c.key for c in all_categories()}


async def services(request: web.Request) -> dict[str, Any]:
    view = await _view(request.app)
    page = _Page.of(request)
    full = _boolean(request, "full_service")
    shown, total = await asyncio.to_thread(_matching, request, view, page)
    await asyncio.to_thread(view.load, shown)
    return page.body(total, [view.doc(i) if full else view.listed(i) for i in shown])


async def service(request: web.Request) -> dict[str, Any]:
    view = await _view(request.app)
    i = view.by_id.get(request.match_info["id"])
    if i is None:
        raise web.HTTPNotFound(reason="no active service with this id")
    await asyncio.to_thread(view.load, [i])
    return view.doc(i)


# --- organizations, taxonomies -----------------------------------------------------------------


async def organizations(request: web.Request) -> dict[str, Any]:
    view = await _view(request.app)
    page = _Page.of(request)
    orgs = list(view.organizations())
    shown = page.cut(orgs)
    await asyncio.to_thread(view.load, [view.organizations()[o][0] for o in shown])
    listed = [
        {k: org[k] for k in ORGANIZATION_LIST_FIELDS if k in org}
        for org in map(view.organization, shown)
    ]
    return page.body(len(orgs), listed)


async def organization(request: web.Request) -> dict[str, Any]:
    view = await _view(request.app)
    positions = view.organizations().get(org_id := request.match_info["id"])
    if positions is None:
        raise web.HTTPNotFound(reason="no organization with an active service has this id")
    await asyncio.to_thread(view.load, positions)
    return {**view.organization(org_id), "services": [view.listed(i) for i in positions]}


async def taxonomies(request: web.Request) -> dict[str, Any]:
    page = _Page.of(request)
    return page.body(1, page.cut([taxonomy()]))


def _terms(request: web.Request) -> list[dict[str, Any]]:
    terms = [term_of(c.key) for c in all_categories()]
    if (taxonomy_id := request.query.get("taxonomy_id")) is not None:
        terms = [t for t in terms if t["taxonomy_id"] == taxonomy_id]
    if (parent := request.query.get("parent_id")) is not None:
        terms = [t for t in terms if t.get("parent_id") == parent]
    if _boolean(request, "top_only"):
        terms = [t for t in terms if "parent_id" not in t]
    return terms


async def taxonomy_terms(request: web.Request) -> dict[str, Any]:
    page = _Page.of(request)
    terms = _terms(request)
    return page.body(len(terms), page.cut(terms))


# --- service_at_locations ----------------------------------------------------------------------


def _places(request: web.Request, view: _View) -> list[tuple[int, str]]:
    """(service position, HSDS location id) of each place of each matching service, nearest
    first when `proximity` is given."""
    postcode = request.query.get("postcode")
    near = _proximity(request)
    found = []
    for i in _matching(request, view, None)[0]:
        for loc in view.places[i]:
            if postcode and loc.postcode != postcode:
                continue
            km = 0.0
            if near is not None:
                if loc.latitude is None or loc.longitude is None:
                    continue
                km = haversine_km(near[0], near[1], loc.latitude, loc.longitude)
                if km > near[2]:
                    continue
            found.append((km, i, loc.id))
    if near is not None:
        found.sort(key=lambda item: item[0])
    return [(i, location_id) for _, i, location_id in found]


async def service_at_locations(request: web.Request) -> dict[str, Any]:
    view = await _view(request.app)
    page = _Page.of(request)
    places = await asyncio.to_thread(_places, request, view)
    await asyncio.to_thread(view.load, [i for i, _ in page.cut(places)])
    contents = [
        {**sal, "service": view.listed(i)}
        for i, location_id in page.cut(places)
        for sal in view.doc(i)["service_at_locations"]
        if sal["location_id"] == location_id
    ]
    return page.body(len(places), contents)


# --- the app -----------------------------------------------------------------------------------


async def root(request: web.Request) -> dict[str, Any]:
    return {
        "version": "3.0",
        "profile": "https://docs.openreferral.org/en/latest/hsds/",
        "openapi_url": str(request.url.join(request.app.router["openapi"].url_for())),
    }


async def openapi(_request: web.Request) -> dict[str, Any]:
    return _openapi()


def _openapi() -> dict[str, Any]:
    text = resources.files("bot").joinpath("data/hsds_openapi.json").read_text("utf-8")
    return json.loads(text)


Handler = Callable[[web.Request], Awaitable[Any]]


def _json(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A handler's document as JSON, with an ETag; 304 when the client has it already."""

    async def respond(request: web.Request) -> web.StreamResponse:
        body = json.dumps(await handler(request), ensure_ascii=False).encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        if etag in _etags(request.headers.get("If-None-Match", "")):
            return web.Response(status=304, headers={"ETag": etag, **CORS})
        return web.Response(body=body, content_type="application/json",
                            headers={"ETag": etag, **CORS})  # fmt: skip

    return respond


def _etags(header: str) -> Iterable[str]:
    return [tag.strip().removeprefix("W/") for tag in header.split(",")]


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """CORS preflight, and every error as JSON: 400 for a bad parameter, 404, 405."""
    if request.method == "OPTIONS":
        return web.Response(status=204, headers=CORS)
    try:
        return await handler(request)
    except BadParameter as exc:
        error: dict[str, object] = {
            "error": "bad parameter",
            "parameter": exc.parameter,
            "message": exc.message,
        }
        return web.json_response(error, status=400, headers=CORS)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        error = {"error": exc.reason, "status": exc.status}
        return web.json_response(error, status=exc.status, headers=CORS)


def make_hsds_app(engine: Engine) -> web.Application:
    """The /hsds sub-application (mount it with `app.add_subapp("/hsds", …)`)."""
    app = web.Application(middlewares=[_errors])
    app[ENGINE] = engine
    app[VIEW] = {}
    routes = [
        ("/", root, "root"),
        ("/openapi.json", openapi, "openapi"),
        ("/services", services, "services"),
        ("/services/{id}", service, "service"),
        ("/organizations", organizations, "organizations"),
        ("/organizations/{id}", organization, "organization"),
        ("/taxonomies", taxonomies, "taxonomies"),
        ("/taxonomy_terms", taxonomy_terms, "taxonomy_terms"),
        ("/service_at_locations", service_at_locations, "service_at_locations"),
    ]
    for path, handler, name in routes:
        app.router.add_get(path, _json(handler), name=name)
    return app


async def serve_api(engine: Engine, host: str, port: int) -> None:
    """Serve /hsds alone (and /healthz) until cancelled: `relais serve` without a bot token."""

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.add_subapp("/hsds", make_hsds_app(engine))
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
