"""What a tester met in the resident's conversation (2026-12-07), end to end through the real
Application with a fixed clock: who comes along is an audience, not a need; filters and "more"
typed after a list act on it; a filter that empties the list is said so; offered needs survive
a typed place; a neighbourhood after a need is the place; /language keeps the search."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import state
from bot.state import SearchState
from tests.bot.conftest import at, data_starting, last_text, sent

EVENING = datetime(2026, 12, 7, 21, tzinfo=UTC)  # 22:00 in Lille, a Monday
MIDNIGHT = datetime(2026, 12, 7, 23, tzinfo=UTC)  # 00:00 in Lille: no food place open
PARENTING = ("svc-070", "svc-088")  # the fixture's parenting help (Aide aux parents)
FAMILY_SHELTER = "svc-025"  # Les Hirondelles: families with children
MEN_ALONE = "svc-018"  # Le Rempart: men alone, no children


@pytest.mark.parametrize(
    ("lang", "text", "town"),
    [
        ("fr", "je dors dans ma voiture avec mes enfants", "lille"),
        ("fr", "je suis à la rue avec mes 3 enfants", "lille"),
        ("fr", "ma femme et mes enfants dorment dehors", "lille"),
        ("fr", "on dort dehors avec mon bébé", "lille"),
        ("en", "we sleep in our car with my kids", "lille"),
        ("ar", "أنام في الشارع مع أطفالي", "ليل"),
    ],
)
async def test_a_family_outside_gets_shelters_for_families_not_parenting_help(
    bot, lang, text, town
):
    user = at(bot, EVENING, lang)
    await user.send("/start")
    asked = sent(await user.send(text))[-1]
    assert "115" in asked.text
    results = sent(await user.send(town))[-1]
    shown = data_starting([results], "d:")
    assert "115" in results.text
    assert shown[0] == f"d:{FAMILY_SHELTER}"  # the family shelter first
    assert f"d:{MEN_ALONE}" not in shown  # "sans enfant": not for a family
    assert not {f"d:{s}" for s in PARENTING} & set(shown)
    assert "d:svc-115" not in shown  # the baby parcel


async def test_a_threat_if_i_go_home_gets_victim_support_not_a_question(bot):
    user = at(bot, EVENING, "fr")
    await user.send("/start")
    await user.send("ils vont me tuer si je rentre")
    results = sent(await user.send("lille"))[-1]
    assert results.text.index("17") < results.text.index("3919")
    assert "Victimes de violences" in results.text
    assert "d:svc-057" in data_starting([results], "d:")  # shelter for women victims


async def test_a_danger_with_a_need_of_its_own_still_searches_that_need(bot):
    user = at(bot, EVENING, "fr")
    await user.send("/start")
    await user.send("mon mari me frappe, je cherche un avocat")
    results = sent(await user.send("lille"))[-1]
    assert "3919" in results.text and "Conseil juridique" in results.text


@pytest.mark.parametrize(
    ("lang", "need", "words", "ticked"),
    [
        ("fr", "j'ai faim", "ouvert maintenant", "✅ Ouvert maintenant"),
        ("fr", "j'ai faim", "gratuit", "✅ Gratuit"),
        ("fr", "j'ai faim", "c'est gratuit ?", "✅ Gratuit"),
        ("en", "hungry", "open now", "✅ Open now"),
        ("uk", "їжа", "безкоштовно", "✅ Безкоштовно"),
    ],
)
async def test_a_filter_typed_after_the_list_filters_that_list(bot, lang, need, words, ticked):
    user = at(bot, EVENING, lang)
    await user.send("/start")
    await user.send(need)
    await user.send("roubaix")
    reply = sent(await user.send(words))[-1]
    labels = [b["text"] for b in reply.buttons]
    assert ticked in labels, reply.text
    assert "Roubaix" in reply.text


@pytest.mark.parametrize(("lang", "word"), [("fr", "suivant"), ("en", "more"), ("ru", "ещё")])
async def test_more_typed_after_the_list_turns_its_page(bot, lang, word):
    user = at(bot, EVENING, lang)
    await user.send("/start")
    await user.send({"fr": "j'ai faim", "en": "hungry", "ru": "еда"}[lang])
    first = data_starting(sent(await user.send("roubaix")), "d:")
    second = data_starting(sent(await user.send(word)), "d:")
    assert second and not set(first) & set(second)


async def test_more_on_the_last_page_keeps_it(bot):
    user = at(bot, EVENING, "fr")
    await user.send("/start")
    await user.send("coiffeur")
    first = data_starting(sent(await user.send("lille")), "d:")
    assert data_starting(sent(await user.send("suivant")), "d:") == first


async def test_a_filter_typed_for_where_is_kept_and_the_place_asked_again(bot):
    user = at(bot, EVENING, "fr")
    await user.send("/start")
    await user.send("j'ai faim")
    asked = sent(await user.send("gratuit"))[-1]
    assert "Où êtes-vous" in asked.text and "Je ne connais pas ce lieu" not in asked.text
    results = sent(await user.send("roubaix"))[-1]
    assert "✅ Gratuit" in [b["text"] for b in results.buttons]


async def test_a_filter_that_leaves_nothing_says_so_with_the_filter_to_untick(bot):
    """ "ouvert maintenant" with the need, the town after: not "I know no place for Manger"."""
    user = at(bot, MIDNIGHT, "fr")
    await user.send("/start")
    await user.send("j'ai faim ouvert maintenant")
    reply = sent(await user.send("roubaix"))[-1]
    assert "Je n'ai rien trouvé avec ces choix" in reply.text
    assert "Je ne connais encore aucun lieu" not in reply.text
    assert "✅ Ouvert maintenant" in [b["text"] for b in reply.buttons]
    assert len(data_starting(await user.press("r:1:open"), "d:")) == 5  # untick: the list


async def test_needs_of_one_kind_offered_then_a_town_are_searched_there(bot):
    user = at(bot, EVENING, "fa")
    await user.send("/start")
    offered = sent(await user.send("دکتر لازم دارم"))[-1]
    assert data_starting([offered], "c:")
    results = sent(await user.send("لیل"))[-1]
    assert "Lille" in results.text and data_starting([results], "d:")


async def test_needs_of_several_kinds_offered_then_a_town_asks_which_keeping_the_town(bot):
    user = at(bot, EVENING, "fr")
    await user.send("/start")
    offer = SearchState(serial=7, offered=["food", "shower"])  # "I think you need: …" shown
    bot.app.user_data[user.user["id"]][state.KEY] = offer
    asked = sent(await user.send("roubaix"))[-1]
    assert "Roubaix" in asked.text
    assert data_starting([asked], "c:") == ["c:food", "c:shower"]
    results = sent(await user.press("c:shower"))[-1]
    assert "Roubaix" in results.text and data_starting([results], "d:")


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("douche fives", "Fives"),
        ("manger moulins", "Moulins"),
        ("shower fives", "Fives"),
        ("douche à fives", "Fives"),
        ("douche wazemmes", "Wazemmes"),
    ],
)
async def test_a_neighbourhood_after_a_need_is_the_place(bot, text, place):
    user = at(bot, EVENING, "fr")
    await user.send("/start")
    reply = sent(await user.send(text))[-1]
    assert f"📍 {place}" in reply.text or f"{place} (Lille)" in reply.text, reply.text
    assert data_starting([reply], "d:")


@pytest.mark.parametrize("text", ["douche five", "colis croix rouge", "vêtements don", "une pile"])
def test_a_word_like_a_place_is_no_place(text):
    from catalogue.places import find_place_in_text

    assert find_place_in_text(text) is None


async def test_language_in_the_middle_of_a_search_shows_it_again_translated(bot):
    user = at(bot, EVENING, "fr")
    await user.send("/start")
    await user.send("j'ai faim")
    first = data_starting(sent(await user.send("roubaix")), "d:")
    await user.send("/language")
    calls = await user.press("l:uk")
    assert "Їжа" in last_text(calls)  # Food, in Ukrainian
    assert data_starting(calls, "d:") == first
    assert "Що вам потрібно" not in last_text(calls)  # not the needs menu


async def test_language_before_the_place_asks_the_place_again_translated(bot):
    user = at(bot, EVENING, "fr")
    await user.send("/start")
    await user.send("je dors dehors")
    await user.send("/language")
    calls = await user.press("l:en")
    assert "115" in last_text(calls) and "Where are you?" in last_text(calls)
    results = sent(await user.send("lille"))[-1]
    assert "Emergency shelter" in results.text
