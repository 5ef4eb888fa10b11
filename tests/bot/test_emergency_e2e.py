"""Danger first: the danger reader's national lines open the reply at every step (need, place,
after results, inline), the danger becomes the need and stays through the place step, and
ordinary needs and idioms stay calm."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from bot.i18n import RLM, translator
from bot.render import render_emergency_block
from bot.share import shortlist_messages, shortlist_sheet
from catalogue.danger import lines_for
from catalogue.emergency import all_lines
from tests.bot.conftest import data_starting, sent
from tests.factories import make_service

HEADING = "If you are in danger or need help now, call:"
ASK_NEED = "What do you need?"


def first_numbers(text: str) -> list[str]:
    """The numbers of the emergency block, in order ("" when the text has none)."""
    lines = text.replace(RLM, "").split("\n")
    return [line.split()[1] for line in lines if line.startswith("📞")]


def ids(call) -> list[str]:
    return [d.removeprefix("d:") for d in call.button_data() if d.startswith("d:")]


async def started(bot, lang: str):
    user = bot.user(lang=lang)
    await user.send("/start")
    return user


async def test_violence_in_words_shows_the_police_and_3919_at_the_top_at_once(bot):
    user = await started(bot, "fr")
    reply = sent(await user.send("mon mari me frappe"))[0]
    assert reply.text.startswith("🆘")
    assert first_numbers(reply.text) == ["17", "3919", "112", "114"]
    assert "Violences Femmes Info" in reply.text


async def test_violence_then_a_town_finds_the_womens_shelter_there(bot):
    user = await started(bot, "fr")
    await user.send("mon mari me frappe")
    results = sent(await user.send("Roubaix"))[-1]
    assert first_numbers(results.text)[0] == "17"
    assert ids(results)[0] == "svc-057"  # Maison Iris, for women victims of violence
    assert ASK_NEED not in results.text


async def test_the_need_is_kept_through_the_place_step_in_english(bot):
    user = await started(bot, "en")
    asked = sent(await user.send("my husband hits me"))[-1]
    assert "Where are you?" in asked.text and first_numbers(asked.text)[0] == "17"
    reply = sent(await user.send("Tourcoing"))[-1]
    assert ASK_NEED not in reply.text
    assert first_numbers(reply.text)[0] == "17"


async def test_violence_button_shows_the_lines_even_when_nothing_local_is_found(bot):
    user = await started(bot, "en")
    await user.send("Lille")  # place first: the need then searches at once
    reply = sent(await user.press("c:sexual_violence_support"))[-1]
    assert reply.text.startswith("🆘 <b>" + HEADING)
    assert first_numbers(reply.text)[:2] == ["17", "3919"]
    assert "I know no place for this yet" in reply.text  # the eval catalogue has no such place


async def test_wanting_to_die_shows_3114_then_psychological_support_never_food(bot):
    user = await started(bot, "fr")
    asked = sent(await user.send("je veux plus vivre"))[-1]
    assert first_numbers(asked.text) == ["3114", "15", "112", "114"]
    results = sent(await user.send("Lille"))[-1]
    assert first_numbers(results.text)[0] == "3114"
    assert results.text.index("3114") < results.text.index("<b>1. ")  # block, then places
    assert "svc-032" in ids(results)  # the free psychological consultation in Lille
    assert "Manger" not in results.text and "Alimentation" not in results.text


async def test_pills_already_taken_show_the_samu_first_then_3114(bot):
    user = await started(bot, "fr")
    asked = sent(await user.send("j'ai pris toutes mes pilules"))[-1]
    assert first_numbers(asked.text) == ["15", "3114", "112", "114"]
    assert "SAMU" in asked.text
    results = sent(await user.send("Lille"))[-1]
    assert first_numbers(results.text)[:2] == ["15", "3114"]
    assert "svc-032" in ids(results)  # what follows is the suicide's own: psychological support


@pytest.mark.parametrize(
    "text",
    [
        "у меня передоз",
        "he took too much heroin",
        "il a pris trop de drogue",
        "he is not breathing",
        "ما عم يتنفس",
        "se metió demasiada droga y no respira",
    ],
)
async def test_an_overdose_of_drugs_or_someone_not_breathing_shows_the_samu_first(bot, text):
    user = await started(bot, "fr")
    asked = sent(await user.send(text))[-1]
    assert first_numbers(asked.text) == ["15", "3114", "112", "114"]


async def test_an_age_after_an_arabic_and_still_gets_119_first(bot):
    user = await started(bot, "fr")
    asked = sent(await user.send("ابوي يضربني وعمري ١٤"))[-1]
    assert first_numbers(asked.text)[0] == "119"


async def test_a_persian_cry_on_a_french_phone_gets_the_numbers_in_persian(bot):
    user = await started(bot, "fr")
    asked = sent(await user.send("نمیخوام زنده باشم"))[-1]
    assert translator("fa").gettext(HEADING) in asked.text
    assert first_numbers(asked.text)[0] == "3114"


async def test_in_danger_is_not_read_as_food(bot):
    user = await started(bot, "fr")
    await user.send("Lille")
    reply = sent(await user.send("je suis en danger"))[-1]
    assert first_numbers(reply.text)[0] == "17"
    assert "Manger" not in reply.text


async def test_distress_picked_with_a_button_shows_3114_then_the_local_results(bot):
    user = await started(bot, "en")
    await user.press("c:psychological_support")
    results = sent(await user.send("Lille"))[-1]
    numbers = first_numbers(results.text)
    assert numbers[0] == "3114" and "15" in numbers and "112" in numbers
    assert any(d.startswith("d:") for d in results.button_data())


async def test_a_minor_outside_gets_119_and_115_and_no_shelter_for_adults(bot):
    user = await started(bot, "fr")
    asked = sent(await user.send("je suis mineur et je dors dehors"))[-1]
    assert first_numbers(asked.text) == ["119", "115"]
    results = sent(await user.send("Lille"))[-1]
    assert first_numbers(results.text) == ["119", "115"]
    shown = ids(results)
    assert shown and not {"svc-031", "svc-018"} & set(shown)  # 18+ night shelters
    assert "svc-041" not in shown  # a housing fund is no roof tonight


async def test_a_child_in_danger_gets_119_first(bot):
    user = await started(bot, "en")
    reply = sent(await user.send("I'm 14 and my dad hits me"))[0]
    assert first_numbers(reply.text)[:2] == ["119", "17"]


async def test_a_night_outside_in_arabic_then_the_town_shows_shelters(bot):
    user = await started(bot, "ar")
    asked = sent(await user.send("ما عندي وين نبات الليلة"))[-1]
    assert first_numbers(asked.text) == ["115"]
    results = sent(await user.send("ليل"))[-1]
    assert first_numbers(results.text) == ["115"]
    assert {"svc-018", "svc-025", "svc-031"} & set(ids(results))


async def test_a_bare_call_for_help_gets_112_and_a_question(bot):
    user = await started(bot, "fr")
    reply = sent(await user.send("SOS"))[-1]
    assert first_numbers(reply.text) == ["112"]
    assert "danger" in reply.text.split("112")[-1]  # the question after the number
    assert data_starting([reply], "g:")  # the groups of needs, to say what else is needed


@pytest.mark.parametrize(("lang", "before", "text", "first"), [
    ("en", ["shower"], "I want to die", "3114"),  # at the place step
    ("fr", ["colis alimentaire", "Roubaix"], "il me menace de me tuer", "17"),  # after results
])  # fmt: skip
async def test_a_danger_said_at_any_step_is_read_first(bot, lang, before, text, first):
    user = await started(bot, lang)
    for message in before:
        await user.send(message)
    reply = sent(await user.send(text))[0]
    assert first_numbers(reply.text)[0] == first


async def test_block_stays_on_top_of_the_next_page(bot):
    user = await started(bot, "en")
    await user.press("c:emergency_accommodation")
    first = sent(await user.send("Lille"))[-1]
    assert first_numbers(first.text) == ["115"]
    next_page = [d for d in first.button_data() if d.startswith("pg:")]
    assert next_page, "the eval catalogue has more than one page of shelters"
    edited = (await user.press(next_page[0]))[-1]
    assert edited.method == "editMessageText" and first_numbers(edited.text) == ["115"]
    assert "<b>6. " in edited.text


async def test_a_night_in_the_street_shows_115(bot):
    user = await started(bot, "en")
    reply = sent(await user.send("I sleep in the street tonight"))[0]
    assert first_numbers(reply.text) == ["115"]


async def test_arabic_block_is_in_arabic_and_right_to_left(bot):
    user = await started(bot, "ar")
    reply = sent(await user.press("c:psychiatry"))[-1]
    assert reply.text.startswith(RLM)
    assert "خط الوقاية من الانتحار" in reply.text
    assert first_numbers(reply.text)[0] == "3114"


async def test_an_ordinary_food_query_shows_no_emergency_block(bot):
    user = await started(bot, "fr")
    calls = await user.send("colis alimentaire roubaix")
    for call in sent(calls):
        assert "🆘" not in call.text and not first_numbers(call.text)


async def test_idioms_show_no_emergency_block(bot):
    user = await started(bot, "fr")
    for text in ("tuer le temps", "je meurs de rire", "mon téléphone est mort"):
        for call in sent(await user.send(text)):
            assert "🆘" not in call.text, text


async def test_inline_mode_puts_the_numbers_first(bot):
    user = bot.user(lang="fr")
    calls = await user.inline_query("je veux mourir")
    (answer,) = [c for c in calls if c.method == "answerInlineQuery"]
    first = answer.params["results"][0]
    assert first["id"] == "danger" and "3114" in first["title"]
    assert "3114" in first["input_message_content"]["message_text"]
    calls = await user.inline_query("tuer le temps")
    (answer,) = [c for c in calls if c.method == "answerInlineQuery"]
    assert all(r["id"] != "danger" for r in answer.params["results"])


def test_block_says_once_what_all_lines_share():
    tr = translator("en")
    block = render_emergency_block(lines_for(["violence"]), tr)
    assert block.count("These numbers are free, day and night.") == 1
    assert "24/7" not in block and "free of charge" not in block


def test_block_gives_facts_per_line_when_lines_differ():
    tr = translator("en")
    line = all_lines()[0]
    daytime = dataclasses.replace(line, number="0800", hours="9:00-17:00", free=False)
    block = render_emergency_block([line, daytime], tr)
    assert "📞 3919 · " in block and "24/7" in block and "free of charge" in block
    assert "9:00-17:00" in block and "These numbers" not in block


def test_no_lines_no_block():
    assert render_emergency_block([], translator("fr")) == ""


def test_a_forwarded_list_and_a_printable_sheet_end_with_every_national_number():
    services = [make_service("s1", "Douches solidaires", where=None)]
    now = datetime(2026, 12, 7, tzinfo=UTC)
    last = shortlist_messages(services, translator("uk"), now)[-1]
    sheet = shortlist_sheet(services, "ar", now).decode()
    footer = sheet[sheet.index("<footer>") :]
    for line in all_lines():
        assert f"📞 {line.number} " in last
        assert f"📞 {line.number} " in footer
    assert last.rindex("📞") > last.index("Douches solidaires")


def searched(text: str) -> str:
    """The needs line of a results message ("🔎 …")."""
    return next(line for line in text.split("\n") if line.startswith("🔎"))


@pytest.mark.parametrize(
    ("lang", "text", "plain"),
    [
        ("ru", "не хочу больше жить", "хочу умереть"),  # "жить" is no housing
        ("fr", "je veux dormir pour toujours", "je veux mourir"),  # "dormir" is no shelter
        ("uk", "чоловік мене б'є", "мене б'ють"),  # "чоловік" is no men's clothing
    ],
)
async def test_the_needs_after_a_danger_are_the_dangers_own(bot, lang, text, plain):
    first, second = bot.user(lang=lang, user_id=1), bot.user(lang=lang, user_id=2)
    for user, said in ((first, text), (second, plain)):
        await user.send("/start")
        await user.send(said)
    results = [sent(await user.send("Lille"))[-1].text for user in (first, second)]
    assert searched(results[0]) == searched(results[1])
    assert first_numbers(results[0]) == first_numbers(results[1])


async def test_a_danger_with_another_need_searches_that_need_not_the_dangers_words(bot):
    user = await started(bot, "ru")
    await user.send("не хочу больше жить, нужен юрист")
    results = sent(await user.send("Lille"))[-1]
    assert first_numbers(results.text)[0] == "3114"
    assert searched(results.text) == "🔎 Юридическая помощь"  # not housing ("жить")
