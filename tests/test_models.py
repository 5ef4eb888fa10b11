from datetime import date, time

from sqlmodel import select

from catalogue.db import session_scope
from catalogue.models import (
    Location,
    OpeningHours,
    Organization,
    Service,
    ServiceCategory,
    ServiceTranslation,
)
from tests.factories import ROUBAIX, make_service


def test_service_aggregate_round_trips(engine):
    with session_scope(engine) as session:
        org = Organization(id="org-1", name="Association test")
        svc = make_service(
            "svc-1", "Douches solidaires", ["shower", "laundry"], ROUBAIX,
            hours=[("MO,TU", time(9), time(12))], organization=org, languages=["fr", "ar"],
            verified_on=date(2024, 5, 7),
        )  # fmt: skip
        svc.translations = [ServiceTranslation(lang="en", field="description", text="Showers")]
        session.add(svc)

    with session_scope(engine) as session:
        svc = session.get(Service, "svc-1")
        assert svc is not None
        assert sorted(svc.category_keys) == ["laundry", "shower"]
        assert svc.locations[0].city == "Roubaix"
        assert svc.languages == ["fr", "ar"]
        assert svc.hours[0].closes_at == time(12)
        assert svc.translations[0].text == "Showers"
        session.delete(svc)

    with session_scope(engine) as session:
        assert session.exec(select(ServiceCategory)).all() == []
        assert session.exec(select(OpeningHours)).all() == []
        assert session.get(Location, "loc-svc-1") is not None  # places outlive a service
