"""Answered in the language typed (issue 16), end to end: a phone in French, a message in
Arabic, Ukrainian or Spanish; remembered for the next messages; a language chosen explicitly
always wins."""

from __future__ import annotations

import pytest

from bot.i18n import translator
from tests.bot.conftest import last_text
from tests.bot.test_residents_ux import plain

WHERE = "Where are you? Write your town, postcode or neighbourhood. Or send your location with the button."


def where(lang: str) -> str:
    return translator(lang).gettext(WHERE)


# What the bot may answer a need first: the place question, a question on the need, or sorry.
FIRST_ANSWERS = (
    WHERE,
    "Which one do you need?",
    "I think you need: {need}. Tap it below to see the places, or say it with other words.",
    "Sorry, I did not find this. Choose what you need below, or say it with other words.",
)


def answers_in(text: str, lang: str) -> bool:
    """`text` is one of the first answers to a need, in `lang`."""
    tr = translator(lang)
    return any(
        plain(text).startswith(plain(tr.gettext(msg)).split("{")[0]) for msg in FIRST_ANSWERS
    )


@pytest.mark.parametrize(
    ("phone", "text", "lang"),
    [
        ("fr", "أحتاج مكان للنوم", "ar"),
        ("fr", "де безкоштовно поїсти", "uk"),
        ("fr", "где можно поесть бесплатно", "ru"),
        ("fr", "کجا غذا بخورم", "fa"),
        ("fr", "زه ډوډۍ غواړم", "ps"),
        ("fr", "necesito un medico, no tengo papeles", "es"),
        ("fr", "I need a doctor", "en"),
        ("en", "je cherche à manger", "fr"),
    ],
)
async def test_the_answer_is_in_the_language_typed_and_stays(bot, phone, text, lang):
    user = bot.user(lang=phone)
    await user.send("/start")
    assert answers_in(last_text(await user.send(text)), lang)
    # Remembered: a word every language shares ("Roubaix") or a lone ambiguous word after it.
    await user.send("Roubaix")
    assert plain(last_text(await user.send("/new"))) == plain(
        translator(lang).gettext("What do you need? Choose below, or write it in your own words.")
    )


async def test_an_unclear_text_keeps_the_phone_language(bot):
    user = bot.user(lang="fr")
    await user.send("/start")
    assert plain(last_text(await user.send("shower"))).startswith(plain(where("fr")))
    assert plain(last_text(await user.send("/new"))).startswith("De quoi avez-vous besoin")


async def test_a_language_chosen_explicitly_wins_over_what_is_typed(bot):
    user = bot.user(lang="en")
    await user.send("/start")
    await user.press("l:fr")
    assert answers_in(last_text(await user.send("أحتاج مكان للنوم")), "fr")
    arabic = bot.user(lang="fr", user_id=1002)
    await arabic.send("/start")
    await arabic.send("أحتاج مكان للنوم")
    await arabic.press("l:fr")  # chosen after the detection: French again
    await arabic.send("/new")
    assert answers_in(last_text(await arabic.send("بدي حكيم")), "fr")
