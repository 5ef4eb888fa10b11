"""Service reads and audited writes: snapshots, optimistic concurrency, status, undo, stale."""

from datetime import date, time, timedelta

import pytest
from sqlmodel import select

from catalogue import version
from catalogue.db import session_scope
from catalogue.models import Location, Service, ServiceCategory, Status
from catalogue.services import (
    ConcurrentEditError,
    NotFoundError,
    apply_snapshot,
    get_service,
    history,
    list_services,
    mark_verified,
    save_service,
    service_snapshot,
    set_status,
    stale_services,
    undo_last,
)
from tests.factories import ROUBAIX, make_location, make_service


def _new(service_id: str = "s-1", name: str = "Bains douches") -> Service:
    return make_service(service_id, name, ["shower"], hours=[("MO", time(9), time(12))])


@pytest.fixture
def saved(engine):
    with session_scope(engine) as session:
        save_service(session, _new(), actor="alice", action="create")
    return engine


def test_save_creates_with_audit_and_snapshot(saved):
    with session_scope(saved) as session:
        service = get_service(session, "s-1")
        snap = service_snapshot(service)
        (entry,) = history(session, "s-1")
    assert snap["categories"] == ["shower"] and snap["hours"][0]["opens_at"] == "09:00"
    assert (entry.actor, entry.action, entry.before) == ("alice", "create", None)
    assert entry.after["name"] == "Bains douches"


def test_edit_records_before_and_after(saved):
    with session_scope(saved) as session:
        service = get_service(session, "s-1")
        service.name = "Douches"
        service.categories.append(ServiceCategory(key="laundry"))
        save_service(session, service, actor="bob", expected_updated_at=service.updated_at)
    with session_scope(saved) as session:
        entry = history(session, "s-1")[-1]
        assert sorted(get_service(session, "s-1").category_keys) == ["laundry", "shower"]
    assert entry.action == "update"
    assert entry.before["name"] == "Bains douches" and entry.after["name"] == "Douches"
    assert entry.after["categories"] == ["laundry", "shower"]


def test_concurrent_edit_is_refused_and_writes_nothing(saved):
    with session_scope(saved) as session:
        read_at = get_service(session, "s-1").updated_at
    with session_scope(saved) as session:  # alice saves first
        service = get_service(session, "s-1")
        service.name = "Alice's name"
        save_service(session, service, actor="alice", expected_updated_at=read_at)
    with pytest.raises(ConcurrentEditError), session_scope(saved) as session:
        service = get_service(session, "s-1")
        service.name = "Bob's name"
        save_service(session, service, actor="bob", expected_updated_at=read_at)
    with session_scope(saved) as session:
        assert get_service(session, "s-1").name == "Alice's name"
        assert [e.actor for e in history(session, "s-1")] == ["alice", "alice"]


def test_creating_an_existing_id_is_refused(saved):
    with pytest.raises(ConcurrentEditError), session_scope(saved) as session:
        save_service(session, _new(name="Other"), actor="bob", action="create")
    with session_scope(saved) as session:
        assert get_service(session, "s-1").name == "Bains douches"


def test_soft_delete_hides_and_restore_brings_back(saved):
    with session_scope(saved) as session:
        set_status(session, "s-1", Status.deleted, actor="alice")
    with session_scope(saved) as session:
        assert get_service(session, "s-1") is None
        assert get_service(session, "s-1", include_deleted=True).status == "deleted"
        assert list_services(session) == []
        set_status(session, "s-1", Status.active, actor="alice")
    with session_scope(saved) as session:
        assert [s.id for s in list_services(session)] == ["s-1"]
        assert [e.action for e in history(session, "s-1")] == ["create", "delete", "restore"]
    with pytest.raises(NotFoundError), session_scope(saved) as session:
        set_status(session, "nope", Status.hidden, actor="alice")


def test_undo_reverts_the_actors_last_change_only(saved):
    with session_scope(saved) as session:
        set_status(session, "s-1", Status.hidden, actor="alice")
        service = get_service(session, "s-1")
        service.hours[0].closes_at = time(13)
        save_service(session, service, actor="bob")
    with session_scope(saved) as session:
        undone = undo_last(session, actor="alice")
    assert undone.action == "hide"
    with session_scope(saved) as session:
        service = get_service(session, "s-1")
        assert service.status == "active"  # alice's hide undone
        assert service.hours[0].closes_at == time(13)  # bob's edit kept
        assert undo_last(session, actor="alice").action == "create"  # then her creation
    with session_scope(saved) as session:
        assert get_service(session, "s-1") is None  # a creation is undone by a soft delete
        assert undo_last(session, actor="alice") is None
        trail = history(session, "s-1")
        assert trail[-1].after["undoes"] == trail[0].id


def _place_ids(engine) -> set[str]:
    with session_scope(engine) as session:
        return set(session.exec(select(Location.id)).all())


def test_a_replaced_place_no_service_is_given_at_is_deleted_and_undo_brings_it_back(saved):
    with session_scope(saved) as session:
        service = get_service(session, "s-1")
        service.locations = [make_location("new", ROUBAIX)]
        save_service(session, service, actor="bob")
    assert _place_ids(saved) == {"loc-new"}  # no orphan row left behind
    with session_scope(saved) as session:
        undo_last(session, actor="bob")
    assert _place_ids(saved) == {"loc-s-1"}  # back with its fields; the edit's place gone
    with session_scope(saved) as session:
        assert service_snapshot(get_service(session, "s-1"))["locations"][0]["city"] == "Lille"


def test_a_place_another_service_is_given_at_stays(saved):
    with session_scope(saved) as session:
        other = _new("s-2")
        other.locations = [make_location("s-1")]  # the place s-1 is given at
        save_service(session, other, actor="alice", action="create")
    with session_scope(saved) as session:
        service = get_service(session, "s-1")
        service.locations = []
        save_service(session, service, actor="bob")
    assert _place_ids(saved) == {"loc-s-1"}
    with session_scope(saved) as session:
        assert [loc.id for loc in get_service(session, "s-2").locations] == ["loc-s-1"]


def test_stale_services_oldest_first_never_verified_before_all(engine):
    today = date(2026, 11, 1)
    with session_scope(engine) as session:
        for sid, verified in [("a", today), ("b", date(2025, 1, 1)), ("c", None),
                              ("d", date(2024, 5, 7))]:  # fmt: skip
            apply_snapshot(session, {"id": sid, "name": sid, "verified_on": verified})
    with session_scope(engine) as session:
        stale = stale_services(session, older_than=today - timedelta(days=180))
        assert [s.id for s in stale] == ["c", "d", "b"]
        mark_verified(session, "c", actor="alice", on=today)
    with session_scope(engine) as session:
        assert [s.id for s in stale_services(session, older_than=date(2025, 6, 1))] == ["d", "b"]
        assert history(session, "c")[-1].action == "verify"


def test_catalogue_version_changes_with_any_write(saved):
    before = version.read(saved)
    assert before >= 1
    with session_scope(saved) as session:
        set_status(session, "s-1", Status.hidden, actor="alice")
    assert version.read(saved) == before + 1
