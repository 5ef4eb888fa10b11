"""What a tester met (issue 16, second round), end to end through the real Application: the
list line's access in the service's own words, ..."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.bot.conftest import data_starting, sent


def line_of(text: str, name: str) -> str:
    """The list entry (its lines up to the next entry) whose title holds `name`."""
    entry = text[text.index(name) :]
    return entry.split("<b>", 1)[0]


async def test_the_list_line_says_the_access_in_the_services_own_words(bot):
    user = bot.user(lang="fr")
    await user.send("/start")
    text = sent(await user.send("hébergement d'urgence famille à Lille"))[-1].text
    assert "Sur orientation du 115 ou du SIAO" in line_of(text, "Les Hirondelles")
    assert "travailleur social" not in text
    user = bot.user(lang="ar", user_id=1002)
    await user.send("/start")
    await user.send("ليل")
    text = sent(await user.press("c:emergency_accommodation"))[-1].text
    assert "بالتوجيه فقط" in line_of(text, "Le Rempart")  # "on referral only", no one named
    assert "مرشد اجتماعي" not in text


@pytest.mark.parametrize(
    ("lang", "text", "free", "cheap"),
    [
        ("fr", "manger pas cher à Lille", "Gratuit", "Épicerie"),
        ("en", "cheap food in Lille", "Free", "Épicerie"),
        ("es", "comida barata en Lille", "Gratis", "Épicerie"),
        ("ru", "дешево поесть Лилль", "Бесплатно", "Épicerie"),
    ],
)
async def test_cheap_is_not_free(bot, lang, text, free, cheap):
    """Low cost is not free: the Free filter stays unticked and the épicerie at 10-30 % stays."""
    user = bot.user(lang=lang)
    await user.send("/start")
    results = sent(await user.send(text))[-1]
    labels = [b["text"] for b in results.buttons]
    assert free in labels and f"✅ {free}" not in labels
    assert cheap in results.text


@pytest.mark.parametrize(
    ("lang", "need", "fives"),
    [
        ("ru", "душ", "Фив"),
        ("uk", "душ", "Фів"),
        ("ar", "حمام", "فيف"),
        ("fa", "حمام", "فیو"),
    ],
)
async def test_a_neighbourhood_written_in_cyrillic_or_arabic_script_is_found(
    bot, lang, need, fives
):
    user = bot.user(lang=lang)
    await user.send("/start")
    await user.send(need)
    results = sent(await user.send(fives))[-1]
    assert "Fives" in results.text and data_starting([results], "d:")


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("salam man be dars zaban faranse niaz daram dar lil", "Lille"),  # a French class
        ("salam ghaza mikham dar roubaix", "Roubaix"),
        ("vakil niaz daram dar lil", "Lille"),  # a lawyer
    ],
)
async def test_finglish_needs_are_read_like_persian_script(bot, text, place):
    user = bot.user(lang="fa")
    await user.send("/start")
    results = sent(await user.send(text))[-1]
    assert data_starting([results], "d:"), results.text
    assert place in results.text


async def test_a_card_in_another_language_names_the_weekdays_and_its_date(bot):
    """Sent to be forwarded and read later: no "Today: closed", the week by names, the date."""
    bot.app.bot_data["clock"] = lambda: datetime(2026, 11, 24, 9, tzinfo=UTC)  # a Tuesday
    user = bot.user(lang="fr")
    await user.send("/start")
    await user.press("shr:ol:svc-006")
    card = sent(await user.press("shr:in:ar:svc-006"))[-1].text
    assert "اليوم" not in card and "الآن" not in card  # "today", "now"
    assert "الاثنين" in card and "الأحد" in card  # Monday ... Sunday
    assert card.split("\n")[-1] == "\u200fمعلومات بتاريخ 24 نوفمبر 2026."  # its date
    card = sent(await user.press("shr:in:fr:svc-006"))[-1].text
    assert "Aujourd'hui" not in card and "mardi" in card
    assert card.endswith("Informations à jour au 24 novembre 2026.")


@pytest.mark.parametrize("lang", ["ar", "ps"])
async def test_right_to_left_lists_isolate_the_town_and_the_price_each_on_its_own(bot, lang):
    user = bot.user(lang=lang)
    await user.send("/start")
    await user.share_location(50.6330, 3.0600)  # in Lille
    text = sent(await user.press("c:social_grocery_stores"))[-1].text
    assert "\u2066Lille\u2069 · " in text  # the distance's unit is not beside the town
    assert "\u2066Lille · " not in text
    assert "30 %" in text
    price = text[text.index("💶") :].split("\n", 1)[0]
    assert price.endswith("\u2069") and "%" in price  # the sign inside the French price's run


@pytest.mark.parametrize(
    ("lang", "need", "where", "shelter"),
    [
        ("fr", "hébergement", "Paris", "hébergement d'urgence, appelez le 115"),
        ("fr", "hébergement", "75011", "appelez le 115"),
        ("uk", "житло", "Париж", "телефонуйте 115"),
    ],
)
async def test_outside_the_metropolis_points_to_the_115_and_soliguide(
    bot, lang, need, where, shelter
):
    user = bot.user(lang=lang)
    await user.send("/start")
    await user.send(need)
    answer = sent(await user.send(where))[-1].text
    assert shelter in answer and "soliguide.fr" in answer
