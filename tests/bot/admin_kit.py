"""Helpers for the admin and share e2e tests: the real Application on a local Bot API, one
administrator and one ordinary user, and a seeded service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import Engine
from telegram.ext import Application

from bot.app import build_application
from bot.config import Settings
from bot.transport import LocalRequest, LocalUser
from catalogue.db import session_scope
from catalogue.models import Organization, Service
from catalogue.services import get_service, save_service
from tests.factories import ROUBAIX, make_location, make_service

ADMIN = 1001
OTHER = 2002
SERVICE_ID = "svc-douches"
ORGANIZATION_ID = "org-test"
PLACE_ID = make_location(SERVICE_ID).id


@dataclass
class Kit:
    app: Application
    request: LocalRequest
    engine: Engine
    admin: LocalUser
    other: LocalUser

    def service(self, service_id: str = SERVICE_ID) -> Service | None:
        with session_scope(self.engine) as session:
            return get_service(session, service_id, include_deleted=True)


def seed_service(engine: Engine, *, verified_on: date | None = None) -> None:
    """A shower service in Roubaix (fictional test data, never shipped)."""
    organization = Organization(
        id=ORGANIZATION_ID, name="Solidarité du Test", website="https://example.org"
    )
    service = make_service(
        SERVICE_ID, "Douches solidaires", ["shower"], ROUBAIX, address="1 rue de test",
        postcode="59100", hours=[("MO,TU,WE,TH,FR", time(9), time(12))],
        phones=["+33 3 20 00 00 00"], organization=organization,
        description="Douches gratuites.", source="test fixture", verified_on=verified_on,
        free=True, access="unconditional",
    )  # fmt: skip
    with session_scope(engine) as session:
        save_service(session, service, actor="test", action="create")


async def make_kit(database_url: str) -> Kit:
    settings = Settings(database_url=database_url, admin_ids=frozenset({ADMIN}))
    request = LocalRequest()
    app = build_application(settings, request=request)
    await app.initialize()
    engine = app.bot_data["engine"]
    seed_service(engine)
    return Kit(
        app,
        request,
        engine,
        LocalUser(app, request, user_id=ADMIN, language_code="en"),
        LocalUser(app, request, user_id=OTHER, language_code="en"),
    )
