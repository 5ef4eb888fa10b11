"""What a message means, decided without Telegram: the catalogue's reading is a stub here."""

from __future__ import annotations

from bot.intent import Meaning, read_need, read_place, said_filters
from bot.state import SearchState, When
from catalogue.search import Result, SearchOutcome

NOTHING = SearchOutcome(results=[], total=0, categories=(), place=None)
FOOD = SearchOutcome(
    results=[Result("s1", "Restos", 1.0, None, "category", ("food",), None)],
    total=1,
    categories=("food",),
    place=None,
)
SHOWER_IN_ROUBAIX = SearchState(serial=1, text="douche", place="Roubaix")
SHOWER = SearchState(serial=1, text="douche")


def never(text: str) -> SearchOutcome:
    raise AssertionError(f"no probe needed for {text!r}")


def test_danger_greeting_elsewhere_come_first():
    assert read_need("mon mari me frappe", "fr", None, never).meaning is Meaning.DANGER
    greeting = read_need("Bonjour !", "fr", SHOWER, never)
    assert (greeting.meaning, greeting.courtesy) == (Meaning.COURTESY, "greeting")
    assert read_need("Merci beaucoup", "fr", None, never).courtesy == "thanks"
    assert read_need("je suis à Paris", "fr", SHOWER, never).meaning is Meaning.ELSEWHERE


def test_a_first_text_is_a_need_without_probing():
    assert read_need("manger", "fr", None, never).meaning is Meaning.NEED
    assert read_need("manger", "fr", SearchState(serial=1), never).meaning is Meaning.NEED


def test_a_number_after_a_list_is_a_card():
    card = read_need("2", "fr", SHOWER_IN_ROUBAIX, never)
    assert (card.meaning, card.number) == (Meaning.CARD, 2)


def test_a_place_alone_after_a_need_is_the_same_need_there():
    there = read_need("à Tourcoing", "fr", SHOWER, lambda text: NOTHING)
    assert (there.meaning, there.place) == (Meaning.SAME_NEED_THERE, "Tourcoing")
    # once a place is set, a place with other words is a new search
    assert (
        read_need(
            "les oliviers tourcoing horaires", "fr", SHOWER_IN_ROUBAIX, lambda text: NOTHING
        ).meaning
        is Meaning.NEED
    )


def test_nothing_new_after_a_list_keeps_the_list():
    reading = read_need("et après", "fr", SHOWER_IN_ROUBAIX, lambda text: NOTHING)
    assert (reading.meaning, reading.probe) == (Meaning.NOTHING_NEW, NOTHING)
    assert read_need("manger", "fr", SHOWER_IN_ROUBAIX, lambda text: FOOD).meaning is Meaning.NEED


def test_the_place_step():
    assert read_place("Roubaix", "fr", never).place == "Roubaix"
    assert read_place("Roubaix", "fr", never).meaning is Meaning.PLACE
    assert read_place("partout", "fr", never).meaning is Meaning.ANYWHERE
    assert read_place("anywhere", "fr", never).meaning is Meaning.ANYWHERE
    assert read_place("manger", "fr", lambda text: FOOD).meaning is Meaning.NEED
    assert read_place("xqzw", "fr", lambda text: NOTHING).meaning is Meaning.UNKNOWN_PLACE
    located = read_place("50.69,3.17", "fr", never)
    assert (located.meaning, located.location) == (Meaning.LOCATION, (50.69, 3.17))
    assert read_place("Bonjour", "fr", never).meaning is Meaning.NEED  # the need step greets


def test_filters_said_in_words():
    assert said_filters({"free", "open_now"}, (), []) == (["open", "free"], None)
    assert said_filters({"free"}, (), ["free"]) == ([], None)
    assert said_filters({"day_6", "evening"}, (), []) == (["open"], When(day=6, evening=True))
    # "ce soir" with a roof is a shelter for the night, not opening hours
    assert said_filters({"tonight"}, ("accomodation_and_housing",), []) == ([], None)
    assert said_filters({"tonight"}, ("food",), ["open"]) == ([], When(evening=True))


def test_filters_or_more_typed_after_a_list_act_on_it():
    free = SearchOutcome(results=[], total=0, categories=(), place=None, said=frozenset({"free"}))
    said = read_need("c'est gratuit ?", "fr", SHOWER_IN_ROUBAIX, lambda text: free)
    assert (said.meaning, said.probe) == (Meaning.FILTERS, free)
    for text in ("suivant", "la suite", "more", "ещё", "بیشتر"):
        assert (
            read_need(text, "fr", SHOWER_IN_ROUBAIX, lambda text: NOTHING).meaning is Meaning.MORE
        )
    assert (
        read_need("et", "fr", SHOWER_IN_ROUBAIX, lambda t: NOTHING).meaning is Meaning.NOTHING_NEW
    )
