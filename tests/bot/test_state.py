"""The resident's search as a typed SearchState: its JSON keeps the short keys stored before it
existed, so a search saved by an earlier version loads and the conversation goes on."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from bot.conversation import NAME, RESULTS
from bot.state import SearchState, When, stored
from tests.bot.conftest import last_text, sent

# user_data written by the code before SearchState, after "shower open on sunday evening",
# "Roubaix", then "Women" under "Who is it for?" (copied from the database, as it was).
OLD = {
    "typed_lang": "en",
    "serial": 1,
    "search": {
        "n": 1,
        "text": "",
        "cats": [],
        "filters": ["open", "open"],
        "offset": 0,
        "at": "2026-12-07T19:45:15+00:00",
        "heard": True,
        "when": {"day": 6, "evening": True},
        "place": "Roubaix",
        "loc": None,
        "any": False,
        "age": None,
        "gender": "women",
        "aud": "w",
    },
}
STARTED = datetime(2026, 12, 7, 19, 45, 15, tzinfo=UTC)


def test_an_old_search_reads_into_typed_fields():
    search = SearchState.from_json(OLD["search"])
    assert search == SearchState(
        serial=1,
        filters=["open", "open"],
        started=STARTED,
        heard=True,
        when=When(day=6, evening=True),
        place="Roubaix",
        gender="women",
        audience="w",
    )


def test_the_json_keeps_the_old_keys_and_round_trips():
    search = SearchState.from_json(OLD["search"])
    written = search.to_json()
    assert written == {k: v for k, v in OLD["search"].items() if v is not None and v is not False}
    assert SearchState.from_json(written) == search
    located = search.but(place=None, location=(50.69, 3.17), danger=["violence"], maybe="Lys")
    assert located.to_json()["loc"] == [50.69, 3.17]
    assert SearchState.from_json(located.to_json()) == located


def test_stored_converts_the_loaded_dict_in_place():
    user_data = copy.deepcopy(OLD)
    search = stored(user_data)
    assert isinstance(search, SearchState) and user_data["search"] is search
    assert stored({}) is None and stored(None) is None


def test_expiry_counts_from_the_start():
    search = SearchState.from_json(OLD["search"])
    assert not search.expired(STARTED + timedelta(hours=5), 6)
    assert search.expired(STARTED + timedelta(hours=7), 6)
    assert not SearchState().expired(STARTED, 6)  # no start date: never


def test_to_query_applies_the_filters_and_the_evening():
    search = SearchState.from_json(OLD["search"])
    monday = datetime(2026, 12, 7, 9, tzinfo=UTC)
    query = search.to_query("en", monday, limit=5)
    assert (query.place, query.gender, query.limit, query.free_only) == (
        "Roubaix",
        "women",
        5,
        False,
    )
    assert query.open_at is not None and (query.open_at.weekday(), query.open_at.hour) == (6, 19)
    now = search.but(when=None).to_query("en", monday, limit=5)
    assert (now.open_at, now.open_day) == (monday, None)


async def test_a_search_stored_before_the_change_continues(bot):
    when = STARTED + timedelta(minutes=10)
    await bot.app.persistence.update_user_data(1001, copy.deepcopy(OLD))
    await bot.app.persistence.update_conversation(NAME, (1001, 1001), RESULTS)
    await bot.restart()
    bot.app.bot_data["clock"] = lambda: when
    user = bot.user(lang="en")
    user.now = when

    listed = await user.press("pg:1:0")  # the list of the old search, its filters ticked
    ticked = [b["text"] for c in listed for b in c.buttons if b["text"].startswith("✅")]
    assert "Roubaix" in last_text(listed) and len(ticked) == 2, ticked  # open, who
    calls = await user.send("food")  # a new need: the stored place is kept
    assert "Where are you?" not in last_text(calls) and "Roubaix" in last_text(calls)
    assert sent(calls)
    assert bot.app.user_data[1001]["search"].place == "Roubaix"
