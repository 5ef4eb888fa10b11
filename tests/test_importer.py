"""Import is all or nothing: every problem is reported and nothing is written."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from catalogue import bulk
from catalogue.db import session_scope
from catalogue.importer import (
    ImportFormatError,
    export_bytes,
    import_bytes,
    import_file,
    parse,
)
from catalogue.models import AuditEntry, Service
from catalogue.services import get_service, history, list_services, service_snapshot, undo_last
from tests.conftest import CATALOGUE

GOOD = {
    "id": "s-1",
    "name": "Douches du Vieux-Lille",
    "attributes": [{"taxonomy_term": {"taxonomy": "soliguide", "code": "shower"}}],
    "service_at_locations": [{"location": {
        "id": "l-1", "latitude": 50.64, "longitude": 3.06,
        "addresses": [{"address_1": "1 rue Test", "city": "Lille", "postal_code": "59000"}],
    }}],
    "schedules": [{"freq": "WEEKLY", "byday": "MO,TU", "opens_at": "09:00", "closes_at": "12:00"}],
}  # fmt: skip


def _doc(*services: dict) -> bytes:
    return json.dumps(list(services)).encode()


def _count(engine) -> int:
    with session_scope(engine) as session:
        return len(session.exec(select(Service)).all())


def _with(**changes) -> dict:
    return json.loads(json.dumps(GOOD)) | changes


BAD_FILES = {
    "truncated JSON": (_doc(GOOD)[:-30], (None, None), "invalid or truncated JSON"),
    "wrong type": (_doc(GOOD, _with(id="s-2", minimum_age="dix")), (2, "minimum_age"), "integer"),
    "unknown category": (
        _doc(
            GOOD,
            _with(
                id="s-2",
                attributes=[
                    {"taxonomy_term": {"taxonomy": "soliguide", "code": "showers"}}
                ],  # fmt: skip
            ),
        ),
        (2, "categories"),
        "unknown Soliguide category 'showers'",
    ),
    "bad hours": (
        _doc(
            GOOD,
            _with(
                id="s-2",
                schedules=[{"byday": "MO", "opens_at": "25:00", "closes_at": "x"}],  # fmt: skip
            ),
        ),
        (2, "schedules[0].opens_at"),
        "not a time",
    ),
    "missing coordinates": (
        _doc(
            GOOD,
            _with(
                id="s-2",
                service_at_locations=[
                    {
                        "location": {
                            "id": "l-2",
                            "addresses": [{"address_1": "3 rue Test", "city": "Lille"}],
                        }
                    }
                ],  # fmt: skip
            ),
        ),
        (2, "latitude"),
        "needs its coordinates",
    ),
    "duplicate id": (_doc(GOOD, GOOD), (2, "id"), "duplicate service id"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_rejected_whole_with_a_useful_report(engine, case):
    """Each bad file starts with a good item: it must not be written either."""
    data, (item, field), message = BAD_FILES[case]
    report = import_bytes(engine, data, "bad.json", actor="test")
    assert not report.ok()
    assert any(p.item == item and p.field == field and message in p.text()
               for p in report.problems), report.problem_lines()  # fmt: skip
    assert report.summary().startswith("rejected")
    assert _count(engine) == 0


def test_every_problem_is_reported_not_only_the_first(sqlite_engine):
    data = _doc(_with(name=None), _with(id="s-2", maximum_age=True), _with(id="s-3", status="x"))
    report = import_bytes(sqlite_engine, data, "bad.json", actor="test")
    assert [(p.item, p.field) for p in report.problems] == [
        (1, "name"),
        (2, "maximum_age"),
        (3, "status"),
    ]
    assert report.problem_lines()[0] == "item 1, name: missing"


def test_import_then_reimport_then_update(engine):
    first = import_bytes(engine, _doc(GOOD), "a.json", actor="test")
    assert (first.created, first.updated, first.unchanged) == (["s-1"], [], [])
    again = import_bytes(engine, _doc(GOOD), "a.json", actor="test")
    assert (again.created, again.updated, again.unchanged) == ([], [], ["s-1"])
    changed = import_bytes(engine, _doc(_with(name="Douches")), "a.json", actor="test")
    assert changed.updated == ["s-1"]
    with session_scope(engine) as session:
        service = get_service(session, "s-1")
        assert service.name == "Douches" and service.category_keys == ["shower"]
        actions = [e.action for e in session.exec(select(AuditEntry)).all()]
    assert actions == ["create", "import"]


def test_a_clash_with_stored_data_is_reported_and_nothing_written(engine):
    phone = {"id": "ph-1", "number": "03 53 01 00 00"}
    assert import_bytes(engine, _doc(_with(phones=[phone])), "a.json", actor="t").ok()
    clash = _doc(_with(id="s-2", name="New", phones=[phone]), _with(id="s-3"))
    report = import_bytes(engine, clash, "b.json", actor="t")
    assert report.problem_lines() == ["item 1, phones: id 'ph-1' already belongs to service 's-1'"]
    assert report.created == [] and _count(engine) == 1


def test_dry_run_writes_nothing(engine):
    report = import_bytes(engine, _doc(GOOD), "a.json", actor="test", dry_run=True)
    assert report.created == ["s-1"] and report.dry_run
    assert "1 would be created" in report.summary()
    assert _count(engine) == 0


def test_import_file_reads_csv_by_extension(tmp_path, sqlite_engine):
    path = tmp_path / "sheet.csv"
    path.write_text("id,name,categories\nx-1,Vestiaire,clothing\n", encoding="utf-8")
    assert import_file(sqlite_engine, path).created == ["x-1"]


def test_unknown_format_is_refused(sqlite_engine):
    with pytest.raises(ImportFormatError):
        import_bytes(sqlite_engine, b"\x00\x01binary", "file.bin", actor="test")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(sorted({*GOOD, "x_relais", "addresses", "location", "exceptions",
                                "translations", "taxonomy_term", "code", "byday", "latitude"})),
        inner, max_size=6),
    max_leaves=30,
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(JSON, max_size=3))
def test_any_json_gives_a_report_never_an_exception(doc):
    parse(json.dumps(doc).encode(), "any.json")


def test_export_keeps_hidden_and_deleted_services(sqlite_engine, tmp_path):
    doc = _doc(GOOD, _with(id="s-2", status="inactive"), _with(id="s-3", status="defunct"))
    assert import_bytes(sqlite_engine, doc, "a.json", actor="t").ok()
    exported = json.loads(export_bytes(sqlite_engine, "hsds"))
    assert [(s["x_relais"]["id"], s["status"]) for s in exported] == [
        ("s-1", "active"),
        ("s-2", "inactive"),
        ("s-3", "defunct"),
    ]
    assert "deleted" in export_bytes(sqlite_engine, "csv").decode("utf-8-sig")


def test_column_snapshots_are_the_orm_snapshots(engine):
    """The bulk path reads services as `service_snapshot` does, field for field."""
    assert import_file(engine, CATALOGUE).ok()
    with session_scope(engine) as session:
        services = list_services(session, status=None)
        read = bulk.stored_snapshots(session, [s.id for s in services])
        assert read == {s.id: service_snapshot(s) for s in services}


def test_a_creation_is_audited_by_name_and_undone_by_a_soft_delete(engine, tmp_path):
    sheet = tmp_path / "one.csv"
    sheet.write_text("id,name,categories,city\nbulk-1,Douches Bulk,shower,Lille\n", "utf-8")
    assert import_file(engine, sheet, actor="alice").created == ["bulk-1"]
    with session_scope(engine) as session:
        (entry,) = history(session, "bulk-1")
        assert (entry.action, entry.before, entry.after) == (
            "create",
            None,
            {"id": "bulk-1", "name": "Douches Bulk"},
        )
        undo_last(session, actor="alice")
    with session_scope(engine) as session:
        assert get_service(session, "bulk-1", include_deleted=True).status == "deleted"


def test_an_hsds_record_without_a_source_names_the_file_it_came_from(sqlite_engine):
    """HSDS has no field for the source: the file is where the facts come from (and its
    export to the sheet, which refuses an empty source, reads back)."""
    assert import_bytes(sqlite_engine, CATALOGUE.read_bytes(), "eval-2026.json", actor="t").ok()
    with session_scope(sqlite_engine) as session:
        assert get_service(session, "svc-025").source == "eval-2026.json"
