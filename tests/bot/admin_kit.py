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
from catalogue.models import (
    Location,
    OpeningHours,
    Organization,
    Phone,
    Service,
    ServiceCategory,
)
from catalogue.services import get_service, save_service

ADMIN = 1001
OTHER = 2002
SERVICE_ID = "svc-douches"
ORGANIZATION_ID = "org-test"


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
    service = Service(
        id=SERVICE_ID,
        name="Douches solidaires",
        description="Douches gratuites.",
        source="test fixture",
        verified_on=verified_on,
        free=True,
        access="unconditional",
    )
    service.categories = [ServiceCategory(service_id=SERVICE_ID, key="shower")]
    service.organization = Organization(
        id=ORGANIZATION_ID, name="Solidarité du Test", website="https://example.org"
    )
    service.locations = [
        Location(
            id="loc-1",
            address="1 rue de test",
            postcode="59100",
            city="Roubaix",
            latitude=50.6942,
            longitude=3.1746,
        )
    ]
    service.phones = [Phone(id="tel-1", service_id=SERVICE_ID, number="+33 3 20 00 00 00")]
    service.hours = [
        OpeningHours(
            id="h-1",
            service_id=SERVICE_ID,
            byday="MO,TU,WE,TH,FR",
            opens_at=time(9),
            closes_at=time(12),
        )
    ]
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
