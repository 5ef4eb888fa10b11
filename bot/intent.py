"""What a resident's message means, decided without Telegram.

The handlers of bot.conversation only route: they ask `read_need` or `read_place` what a text
says (a danger, a greeting, a card number, a place alone, a new need…) and act on the answer.
What the catalogue understands of a text is passed in as `probe` (the search's reading of it),
so these functions are tested with a stub of their own (tests/bot/test_intent.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum

from rapidfuzz import fuzz

from bot import render
from bot.i18n import SUPPORTED, bidi
from bot.state import SearchState, When
from catalogue import danger, places, taxonomy
from catalogue.needs import key_words, lexicon
from catalogue.search import SearchOutcome
from catalogue.smalltalk import asks_next_page, courtesy, elsewhere
from catalogue.text import is_number, normalise

Probe = Callable[[str], SearchOutcome]  # what the search reads in a text (one result is enough)
SAID_FILTERS = {"open_now": "open", "free": "free", "no_appointment": "appt"}  # tag -> button
HOUSING = "accomodation_and_housing"


class Meaning(Enum):
    DANGER = "danger"  # a danger is told: its numbers first
    COURTESY = "courtesy"  # a greeting or a thank-you alone
    ELSEWHERE = "elsewhere"  # a place outside the metropolis
    CARD = "card"  # a result's number, typed instead of pressed
    SAME_NEED_THERE = "same need there"  # only a place, for the need already known
    NOTHING_NEW = "nothing new"  # "ok", "merci" after a list: the list stays
    FILTERS = "filters"  # "ouvert maintenant", "gratuit" after a list: the list, filtered
    MORE = "more"  # "suivant", "more" after a list: its next page
    NEED = "need"  # a new need (with or without its place)
    ANYWHERE = "anywhere"  # the whole metropolis
    UNKNOWN_PLACE = "unknown place"
    MAYBE_PLACE = "maybe place"  # "did you mean…?"
    PLACE = "place"
    LOCATION = "location"  # coordinates typed or pasted


@dataclass(frozen=True)
class Reading:
    meaning: Meaning
    found: danger.Danger | None = None  # DANGER
    courtesy: str | None = None  # COURTESY: "thanks" or "greeting"
    number: int | None = None  # CARD
    place: str | None = None  # SAME_NEED_THERE, MAYBE_PLACE, PLACE
    probe: SearchOutcome | None = None  # NOTHING_NEW, FILTERS: what the search read
    location: tuple[float, float] | None = None  # LOCATION


def read_need(text: str, lang: str, search: SearchState | None, probe: Probe) -> Reading:
    """What a message means at the need step (or after a list). `probe` reads the text alone
    where the current search stands; it is asked only when a need is already known."""
    found = danger.read(text, lang)
    if found:  # before anything else: the numbers, then what can help
        return Reading(Meaning.DANGER, found=found)
    if kind := courtesy(text):
        return Reading(Meaning.COURTESY, courtesy=kind)
    if elsewhere(text):
        return Reading(Meaning.ELSEWHERE)
    if search is None or not search.has_need:
        return Reading(Meaning.NEED)
    if is_number(text) and len(text) <= 2 and search.has_place:
        return Reading(Meaning.CARD, number=int(text))
    read = probe(text)
    # The need is known and this only names a place: the same need there. Once a place is
    # set, a new one must come alone ("les oliviers roubaix horaires" is a new search).
    match = places.resolve_place(text)
    if (
        match
        and match.certain
        and read.abstained
        and (not search.has_place or only_the_place(text, match))
    ):
        return Reading(Meaning.SAME_NEED_THERE, place=match.place.name)
    if (
        search.has_place
        and read.abstained
        and not read.categories
        and places.find_place_in_text(text) is None
    ):
        if says_filters(read.said):
            return Reading(Meaning.FILTERS, probe=read)
        if asks_next_page(text):
            return Reading(Meaning.MORE)
        return Reading(Meaning.NOTHING_NEW, probe=read)  # "merci", "ok": the list stays
    return Reading(Meaning.NEED)


def read_place(text: str, lang: str, probe: Probe) -> Reading:
    """What a message means where a place was asked (a danger, a greeting or a place
    elsewhere are read by the need step: NEED sends them there)."""
    if danger.read(text, lang):  # a danger said here is read first
        return Reading(Meaning.NEED)
    if (coordinates := places.parse_coordinates(text)) is not None:
        return Reading(Meaning.LOCATION, location=(coordinates.latitude, coordinates.longitude))
    if courtesy(text) or elsewhere(text):
        return Reading(Meaning.NEED)
    match = places.resolve_place(text)
    pressed = text in {render.anywhere_label(lang), bidi(render.anywhere_label(lang), lang)}
    if pressed or (not (match and match.certain) and means_anywhere(text)):
        return Reading(Meaning.ANYWHERE)
    if states_a_need(text, match, probe):  # read as the need step would
        return Reading(Meaning.NEED)
    if match is None:
        read = probe(text)  # "ouvert maintenant" for "where?": kept for the list, asked again
        if says_filters(read.said):
            return Reading(Meaning.FILTERS, probe=read)
        return Reading(Meaning.UNKNOWN_PLACE)
    if not match.certain:
        return Reading(Meaning.MAYBE_PLACE, place=match.place.name)
    return Reading(Meaning.PLACE, place=match.place.name)


def means_anywhere(text: str) -> bool:
    """The "anywhere" button, or its words typed ("partout", "anywhere", "هر ځای") in any of
    the languages (people often write in theirs whatever the bot speaks): a part of the
    button's label of five letters or more, or the label with a typo."""
    typed = normalise(text)
    for lang in SUPPORTED:
        label = normalise(render.anywhere_label(lang))
        if len(typed) >= 5 and f" {typed} " in f" {label} " or fuzz.ratio(typed, label) >= 85:
            return True
    return False


def only_the_place(text: str, match: places.PlaceMatch) -> bool:
    """The text says nothing but the place it names (stop words aside: "à Roubaix")."""
    return not set(key_words(text)) - set(key_words(match.matched))


def states_a_need(text: str, match: places.PlaceMatch | None, probe: Probe) -> bool:
    """A need written where a place was expected: "manger" instead of "Roubaix", or a new
    need with its place, "manger à tourcoing" after "douche". Beside a place, only a need the
    search reads counts: a town's name in service names ("59100 roubaix") asks for nothing."""
    if match is not None and only_the_place(text, match):
        return False
    read = probe(text)
    return not read.abstained and (match is None or bool(read.categories))


def asks_more(found: danger.Danger, probe: Probe) -> bool:
    """The text asks for a need besides the danger's own (kinds.json): the search reads one
    surely in its other words. Left out: the danger's words ("en danger" must not read as
    food), who comes along ("avec mes enfants" is a family, not parenting help), and a need
    guessed through a typo ("si je rentre" is no "centre")."""
    read = probe(lexicon().without_audience(found.rest))
    return not (read.abstained or read.guessed) and not set(read.categories) <= set(found.needs)


def says_filters(said: Iterable[str]) -> bool:
    """The words ask for a refine button: "ouvert maintenant", "gratuit", "dimanche soir"."""
    return any(tag in SAID_FILTERS or tag.startswith("day_") or tag == "evening" for tag in said)


def said_filters(
    said: Iterable[str], categories: Iterable[str], chosen: list[str]
) -> tuple[list[str], When | None]:
    """The refine buttons the words ask for ("ouvert maintenant", "gratuit", "dimanche
    soir") that `chosen` lacks, and the day/evening of the "open" filter when one was said."""
    said = set(said)
    heard = [key for tag, key in SAID_FILTERS.items() if tag in said and key not in chosen]
    days = [int(tag[4:]) for tag in said if tag.startswith("day_")]
    # "ce soir" with a roof is a shelter for the night (the search knows), not opening hours
    evening = "evening" in said or ("tonight" in said and HOUSING not in groups_of(categories))
    when = None
    if len(days) == 1 or evening:
        when = When(day=days[0] if len(days) == 1 else None, evening=evening)
        if "open" not in chosen:
            heard.append("open")
    return heard, when


def groups_of(keys: Iterable[str]) -> set[str]:
    """The top-level groups of category keys (a group is its own group)."""
    categories = [taxonomy.get_category(k) for k in keys]
    return {c.group or c.key for c in categories if c is not None}
