"""Danger first: national emergency lines open the reply when the need understood is a danger
(violence, distress, a night outside), whatever the local results; ordinary needs stay calm."""

from __future__ import annotations

import dataclasses

from bot.i18n import RLM, translator
from bot.render import render_emergency_block
from catalogue.emergency import all_lines, lines_for
from tests.bot.conftest import sent

HEADING = "If you are in danger or need help now, call:"


def first_numbers(text: str) -> list[str]:
    """The numbers of the emergency block, in order ("" when the text has none)."""
    lines = text.replace(RLM, "").split("\n")
    return [line.split()[1] for line in lines if line.startswith("📞")]


async def started(bot, lang: str):
    user = bot.user(lang=lang)
    await user.send("/start")
    return user


async def test_violence_in_words_shows_3919_at_the_top_at_once(bot):
    user = await started(bot, "fr")
    reply = sent(await user.send("mon mari me frappe"))[0]
    assert reply.text.startswith("🆘")
    assert first_numbers(reply.text)[:1] == ["3919"]
    assert {"17", "112"} <= set(first_numbers(reply.text))
    assert "Violences Femmes Info" in reply.text


async def test_violence_button_shows_3919_even_when_nothing_local_is_found(bot):
    user = await started(bot, "en")
    await user.send("Lille")  # place first: the need then searches at once
    reply = sent(await user.press("c:sexual_violence_support"))[-1]
    assert reply.text.startswith("🆘 <b>" + HEADING)
    assert first_numbers(reply.text)[0] == "3919"
    assert "I know no place for this yet" in reply.text  # the eval catalogue has no such place


async def test_distress_shows_3114_then_the_local_results(bot):
    user = await started(bot, "en")
    await user.press("c:psychological_support")
    results = sent(await user.send("Lille"))[-1]
    numbers = first_numbers(results.text)
    assert numbers[0] == "3114" and "15" in numbers and "112" in numbers
    assert results.text.index("3114") < results.text.index("<b>1. ")  # block, then places
    assert any(d.startswith("d:") for d in results.button_data())


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


def test_block_says_once_what_all_lines_share():
    tr = translator("en")
    block = render_emergency_block(lines_for(["sexual_violence_support"]), tr)
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
