"""No text at all makes search raise: any Unicode, empty, very long, with any place."""

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.search import Query, SearchIndex
from tests.factories import make_service

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _index() -> SearchIndex:
    s = make_service("s", "Emmaüs Connect", ["digital_tools_training"], ("59350", "Lille", 50.63, 3.06),
                     description="Ateliers numériques")  # fmt: skip
    food = make_service("f", "Restaurant social", ["food_distribution"], None, min_age=18)
    return SearchIndex.build([s, food])


INDEX = _index()
texts = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=200),
    st.text(alphabet="لیلروبهдушїёabc ٥٩١٠ 0123456789,.@-'", max_size=60),
    st.builds(lambda s, n: (s or "a ") * n, st.text(max_size=20), st.integers(1, 10_000 // 2)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, place=st.one_of(st.none(), st.text(max_size=40)),
       age=st.one_of(st.none(), st.integers(-5, 200)))  # fmt: skip
def test_search_never_raises(text, place, age):
    outcome = INDEX.search(Query(text=text, place=place, age=age, limit=3), now=NOW)
    assert len(outcome.results) <= 3
    assert outcome.total >= len(outcome.results)


def test_ten_kilobytes_of_text():
    outcome = INDEX.search(Query(text="douche " * 1500), now=NOW)
    assert outcome.total >= 0
