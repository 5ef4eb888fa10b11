from datetime import UTC, date, datetime

from sqlmodel import Session, select

from bot.stats import (
    SearchStat,
    UnknownWord,
    WordCounter,
    chart_png,
    countable,
    record_search,
    record_unknown,
    summarise,
    write_pending,
)


def _search(engine, need, commune, found, day=15, hour=10):
    at = datetime(2026, 3, day, hour, tzinfo=UTC)
    record_search(engine, need=need, commune=commune, found=found, at=at)


def test_record_keeps_only_anonymous_fields_in_paris_time(engine):
    record_search(
        engine,
        need="shower",
        commune="Roubaix",
        found=True,
        at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC),
    )
    with Session(engine) as session:
        assert session.exec(select(SearchStat)).all() == []  # counted, written in a batch
    assert write_pending(engine) == 1
    with Session(engine) as session:
        row = session.exec(select(SearchStat)).one()
    assert (row.day, row.hour, row.need, row.commune, row.found) == (
        date(2026, 3, 2),
        0,
        "shower",
        "Roubaix",
        True,
    )
    assert set(SearchStat.model_fields) == {"id", "day", "hour", "need", "commune", "found"}


def test_summary_groups_by_need_commune_and_unmet_within_the_period(engine):
    _search(engine, "shower", "Roubaix", True)
    _search(engine, "shower", "Lille", False)
    _search(engine, "shower", "Lille", False)
    _search(engine, "food", "Lille", True)
    _search(engine, None, None, False)
    _search(engine, "food", "Lille", False, day=1)  # before the period
    summary = summarise(engine, since=date(2026, 3, 10), until=date(2026, 3, 31))
    assert summary.total == 5
    assert summary.per_need[0] == ("shower", 3)
    assert dict(summary.per_need) == {"shower": 3, "food": 1, None: 1}
    assert summary.per_commune[0] == ("Lille", 3)
    assert dict(summary.unmet) == {"shower": 2, None: 1}
    assert summary.need_bars()[0] == ("shower", 1, 2)


def test_empty_period(sqlite_engine):
    summary = summarise(sqlite_engine, since=date(2026, 1, 1), until=date(2026, 1, 31))
    assert (summary.total, summary.per_need, summary.unmet) == (0, [], [])


def test_chart_is_a_png():
    png = chart_png(
        [("Douche", 3, 2), ("Аптека", 1, 0)],
        title="Searches",
        found_label="found",
        unmet_label="none",
    )
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert chart_png([], title="t", found_label="a", unmet_label="b").startswith(b"\x89PNG")


def _unknown(engine, word, user_id, day=15):
    record_unknown(engine, [word], user_id=user_id, at=datetime(2026, 3, day, 10, tzinfo=UTC))


def test_a_word_not_understood_is_kept_only_once_five_people_used_it_that_day(engine):
    for user_id in (1, 2, 3, 4):
        _unknown(engine, "zorglub", user_id)
    _unknown(engine, "zorglub", 4)  # the same person again counts once
    write_pending(engine)
    with Session(engine) as session:
        assert session.exec(select(UnknownWord)).all() == []
    _unknown(engine, "zorglub", 5)
    write_pending(engine)
    _unknown(engine, "zorglub", 6)
    write_pending(engine)
    with Session(engine) as session:
        row = session.exec(select(UnknownWord)).one()
    assert (row.day, row.word, row.people) == (date(2026, 3, 15), "zorglub", 6)
    assert set(UnknownWord.model_fields) == {"day", "word", "people"}  # no user, no text


def test_people_are_not_followed_from_one_day_to_the_next(engine):
    for user_id in (1, 2, 3):
        _unknown(engine, "zorglub", user_id, day=15)
    for user_id in (1, 2, 3):
        _unknown(engine, "zorglub", user_id, day=16)  # new day, new salt: three people again
    write_pending(engine)
    with Session(engine) as session:
        assert session.exec(select(UnknownWord)).all() == []


def test_the_daily_hash_changes_with_the_day():
    counter = WordCounter()
    counter.note(["a"], 7, date(2026, 3, 15))
    first = next(iter(counter._people["a"]))
    counter.note(["a"], 7, date(2026, 3, 16))
    assert next(iter(counter._people["a"])) != first and len(counter._people) == 1


def test_numbers_and_codes_are_not_counted():
    assert [
        w for w in ("0612345678", "59100", "ab", "zorglub", "3andi", "jou3an") if countable(w)
    ] == ["zorglub", "jou3an"]


def test_the_summary_lists_the_words_not_understood(engine):
    for day in (15, 16):
        for user_id in range(1, 6):
            _unknown(engine, "zorglub", user_id, day=day)
    summary = summarise(engine, since=date(2026, 3, 10), until=date(2026, 3, 31))
    assert summary.unknown == [("zorglub", 10)]
