"""Phrases taught by administrators: checked, audited, undone, exported and imported back."""

import json

import pytest
from sqlmodel import Session, select

from catalogue import taught
from catalogue.db import make_engine, session_scope
from catalogue.importer import export_bytes, import_bytes
from catalogue.models import AuditEntry, TaughtSynonym


def test_a_phrase_is_checked():
    with pytest.raises(taught.TeachError):
        taught.checked("xx", "douche", "shower")
    with pytest.raises(taught.TeachError):
        taught.checked("fr", "douche", "bitcoin")
    with pytest.raises(taught.TeachError):
        taught.checked("fr", "un deux trois quatre cinq six sept huit neuf", "shower")
    assert taught.checked("fr", "  je  crève la dalle ", "food") == (
        "fr",
        "je crève la dalle",
        "food",
    )
    assert taught.category_for("Douche") == taught.category_for("shower") == "shower"
    assert taught.category_for("Душ") == "shower" and taught.category_for("nope") is None


def test_teaching_twice_changes_nothing_and_undo_keeps_the_row(engine):
    with session_scope(engine) as session:
        _, new = taught.teach(session, lang="fr", phrase="dalle", key="food", actor="cli")
        _, again = taught.teach(session, lang="fr", phrase="Dalle", key="food", actor="cli")
    assert new and not again
    with session_scope(engine) as session:
        taught.undo(session, taught.last_change(session, "cli"), actor="cli")
        assert taught.active(session) == ()
        assert taught.last_change(session, "cli") is None  # an undone teaching is not undone twice
    with Session(engine) as session:
        assert len(session.exec(select(TaughtSynonym)).all()) == 1
        assert [e.action for e in session.exec(select(AuditEntry))] == ["teach", "undo"]


@pytest.fixture
def other(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    yield engine
    engine.dispose()


def test_taught_phrases_travel_with_an_export(engine, other):
    with session_scope(engine) as session:
        taught.teach(session, lang="ar", phrase="بدي حكيم", key="general_practitioner", actor="cli")
    data = export_bytes(engine, "synonyms")
    assert json.loads(data) == {
        "relais_taught_synonyms": [
            {"lang": "ar", "phrase": "بدي حكيم", "category": "general_practitioner"}
        ]
    }
    assert import_bytes(other, data, "s.json", dry_run=True, actor="cli").created
    with Session(other) as session:
        assert taught.active(session) == ()  # a dry run writes nothing
    report = import_bytes(other, data, "s.json", actor="cli")
    assert report.ok() and len(report.created) == 1
    assert import_bytes(other, data, "s.json", actor="cli").unchanged
    with Session(other) as session:
        assert taught.active(session) == (("general_practitioner", "بدي حكيم", "ar"),)


def test_a_wrong_synonyms_file_writes_nothing(other):
    data = json.dumps(
        {
            "relais_taught_synonyms": [
                {"lang": "fr", "phrase": "dalle", "category": "food"},
                {"lang": "fr", "phrase": "truc", "category": "bitcoin"},
            ]
        }
    ).encode()
    report = import_bytes(other, data, "s.json", actor="cli")
    assert not report.ok() and "item 2" in report.problem_lines()[0]
    with Session(other) as session:
        assert taught.active(session) == ()
