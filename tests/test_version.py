"""The catalogue version row: bumped with every catalogue write, by any writer; read by key at
most once a second, at once after this process's own change."""

from sqlalchemy import delete, insert

from bot.models import BotUserData
from catalogue import version
from catalogue.db import make_engine, session_scope
from catalogue.models import Service, ServiceCategory
from catalogue.search import current_index
from tests.factories import make_service


def test_orm_and_statement_writes_bump_it_other_writes_do_not(engine):
    start = version.read(engine)
    with session_scope(engine) as session:
        session.add(make_service("a", "Douches A", where=None))
    assert version.read(engine) == start + 1
    with session_scope(engine) as session:
        session.execute(insert(ServiceCategory).values(service_id="a", key="shower"))
    assert version.read(engine) == start + 2
    with session_scope(engine) as session:
        session.execute(delete(ServiceCategory))
    assert version.read(engine) == start + 3
    with session_scope(engine) as session:
        session.add(BotUserData(user_id=5, data={"lang": "fr"}))
        session.get(Service, "a")  # read only
    assert version.read(engine) == start + 3


def test_a_rolled_back_write_leaves_it(engine):
    start = version.read(engine)
    try:
        with session_scope(engine) as session:
            session.add(make_service("a", "Douches A", where=None))
            session.flush()
            raise RuntimeError("abandoned")
    except RuntimeError:
        pass
    with session_scope(engine) as session:
        session.get(Service, "x")
    assert version.read(engine) == start


def test_a_change_by_another_process_shows_within_a_second(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'relais.db'}"
    bot, admin = make_engine(url), make_engine(url)  # two engines: two processes' pools
    now = [100.0]
    monkeypatch.setattr(version, "clock", lambda: now[0])
    with session_scope(admin) as session:
        session.add(make_service("a", "Douches A", ["shower"], None))
    assert len(current_index(bot)) == 1
    with session_scope(admin) as session:
        session.add(make_service("b", "Douches B", ["shower"], None))
    now[0] += 0.5
    assert len(current_index(bot)) == 1  # no read yet: the last one is fresh enough
    now[0] += version.MAX_AGE
    assert len(current_index(bot)) == 2
    with session_scope(bot) as session:  # a change made here is seen here at once
        session.get(Service, "b").status = "hidden"
    assert len(current_index(bot)) == 1
    bot.dispose()
    admin.dispose()
