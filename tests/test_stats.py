from datetime import UTC, date, datetime

from sqlmodel import Session, select

from bot.stats import SearchStat, chart_png, record_search, summarise, write_pending


def _search(engine, need, commune, found, day=15, hour=10):
    at = datetime(2026, 3, day, hour, tzinfo=UTC)
    record_search(engine, need=need, commune=commune, found=found, at=at)


def test_record_keeps_only_anonymous_fields_in_paris_time(engine):
    record_search(
        engine, need="shower", commune="Roubaix", found=True, at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    )
    with Session(engine) as session:
        assert session.exec(select(SearchStat)).all() == []  # counted, written in a batch
    assert write_pending(engine) == 1
    with Session(engine) as session:
        row = session.exec(select(SearchStat)).one()
    assert (row.day, row.hour, row.need, row.commune, row.found) == (
        date(2026, 3, 2), 0, "shower", "Roubaix", True
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
        [("Douche", 3, 2), ("Аптека", 1, 0)], title="Searches", found_label="found", unmet_label="none"
    )
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert chart_png([], title="t", found_label="a", unmet_label="b").startswith(b"\x89PNG")
