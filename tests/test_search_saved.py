"""The index saved to disk: a new process loads it instead of building it, only when the
catalogue and the code are those it was built from, and only a file of our own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine

from catalogue import index_rows
from catalogue.db import make_engine, session_scope
from catalogue.search import Query, SearchIndex, saved
from tests.factories import LILLE, ROUBAIX
from tests.factories import make_service as make
from tests.test_search import MONDAY_NOON

QUERIES = [Query(text="douche", place="Roubaix"), Query(text="douches du centre"),
           Query(text="manger", place="Lille"), Query(text="xqzt")]  # fmt: skip


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the index was built from rows (each entry: the services read)."""
    counted: list[int] = []
    load = index_rows.load

    def counting(engine: Engine) -> list[index_rows.IndexedService]:
        rows = load(engine)
        counted.append(len(rows))
        return rows

    monkeypatch.setattr(index_rows, "load", counting)
    return counted


def _file(tmp_path: Path, name: str, *services: tuple[str, str, list[str]]) -> Path:
    path = tmp_path / name
    engine = make_engine(f"sqlite:///{path}")
    with session_scope(engine) as session:  # one commit: version 1 whatever the services
        for sid, label, keys in services:
            session.add(make(sid, label, keys, ROUBAIX if "roubaix" in sid else LILLE))
    engine.dispose()
    return path


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return _file(tmp_path, "relais.db", ("shower", "Douches du Centre", ["shower"]),
                 ("shower-roubaix", "Bains-douches", ["shower"]),
                 ("food", "Restaurant social", ["food_distribution"]))  # fmt: skip


def start(path: Path) -> SearchIndex:
    """The index a new process would get (an engine of its own)."""
    engine = make_engine(f"sqlite:///{path}")
    try:
        return SearchIndex.from_engine(engine)
    finally:
        engine.dispose()


def answers(index: SearchIndex) -> list[object]:
    return [index.search(q, now=MONDAY_NOON) for q in QUERIES]


def test_a_second_start_loads_the_index_and_answers_the_same(database, builds):
    first = start(database)
    assert builds == [3]
    assert list(saved.directory(make_engine(f"sqlite:///{database}")).glob("*.pickle"))
    again = start(database)
    assert builds == [3]  # loaded, not built
    assert again.ids == first.ids
    assert answers(again) == answers(first)


def test_a_change_to_the_catalogue_builds_again(database, builds):
    start(database)
    engine = make_engine(f"sqlite:///{database}")
    with session_scope(engine) as session:
        session.add(make("shower-2", "Douches du Nord", ["shower"]))
    engine.dispose()
    index = start(database)
    assert builds == [3, 4]
    assert "shower-2" in index.ids
    assert len(list(saved.directory(engine).glob("*.pickle"))) == 1  # the old one is removed


def test_another_catalogue_file_with_the_same_version_builds_again(database, tmp_path, builds):
    """A restored or copied file shares version numbers: the fingerprint tells them apart."""
    start(database)
    other = _file(tmp_path, "other.db", ("clothes", "Vestiaire", ["clothing"]))
    shutil.copyfile(other, database)
    index = start(database)
    assert builds == [3, 1]
    assert index.ids == ["clothes"]


def test_a_corrupt_or_partial_file_is_built_again_and_replaced(database, builds):
    first = start(database)
    (file,) = saved.directory(make_engine(f"sqlite:///{database}")).glob("*.pickle")
    whole = file.read_bytes()
    for damaged in (b"", whole[: len(whole) // 2], b"not a pickle"):
        file.write_bytes(damaged)
        assert answers(start(database)) == answers(first)
    assert builds == [3, 3, 3, 3]
    assert file.read_bytes() == whole  # written again
    assert answers(start(database)) == answers(first)
    assert builds == [3, 3, 3, 3]


def test_a_file_others_may_write_is_never_loaded(database, builds):
    start(database)
    (file,) = saved.directory(make_engine(f"sqlite:///{database}")).glob("*.pickle")
    file.chmod(0o666)
    start(database)
    assert builds == [3, 3]


def test_a_change_to_the_code_builds_again(database, builds, monkeypatch):
    start(database)
    monkeypatch.setattr(saved, "_code", lambda: "another version of catalogue/")
    start(database)
    assert builds == [3, 3]


def test_an_in_memory_database_saves_nothing():
    engine = make_engine("sqlite://")
    assert saved.directory(engine) is None
    assert len(SearchIndex.from_engine(engine)) == 0
