"""Needs said otherwise (issue 16), end to end on the test catalogue: a pictograph alone or with
a place, unaccompanied minors, Arabizi, Russian in Latin letters, a doctor for someone without papers."""

from __future__ import annotations

import pytest

from catalogue import taxonomy
from catalogue.db import session_scope
from catalogue.services import get_service
from tests.bot.conftest import data_starting, sent

FOOD, HEALTH, SHELTER = (
    taxonomy.expand("food"),
    taxonomy.expand("health"),
    taxonomy.expand("accomodation_and_housing"),
)
MINORS = {"legal_advice", "social_accompaniment"}
CARE_WITHOUT_PAPERS = {"general_practitioner", "health_access"}


def listed_categories(bot, calls) -> list[set[str]]:
    """The categories of each service listed (by its d: button), in order."""
    ids = [d.removeprefix("d:") for d in data_starting(calls, "d:")]
    with session_scope(bot.app.bot_data["engine"]) as session:
        return [set(get_service(session, i).category_keys) for i in ids]


@pytest.mark.parametrize(
    ("lang", "text", "wanted"),
    [
        ("fr", "🍞", FOOD),
        ("fr", "🍞 Roubaix", FOOD),
        ("en", "🚿 Lille", {"shower"}),
        ("fr", "🏠 Lille", SHELTER),
        ("uk", "🛏️ Roubaix", SHELTER),
        ("ar", "🩺 Lille", HEALTH),
        ("fa", "💊 Lille", HEALTH),
        ("fr", "👕 Tourcoing", {"clothing"}),
        ("fr", "mineur isolé à Lille", MINORS),
        ("fr", "je suis éducatrice, je cherche pour un mineur non accompagné sur Lille", MINORS),
        ("en", "unaccompanied minor in Lille", MINORS),
        ("fr", "MNA Lille", MINORS),
        ("ar", "bghit n9ra lfransawiya f Lille", {"french_course"}),
        ("fr", "nuzhen vrach Lille", HEALTH),  # Russian in Latin letters
        ("fr", "potriben likar, Roubaix", HEALTH),  # Ukrainian in Latin letters
        ("es", "medico no tengo papeles en Lille", CARE_WITHOUT_PAPERS),
        ("en", "doctor, I have no papers, Lille", CARE_WITHOUT_PAPERS),
    ],
)
async def test_a_need_said_otherwise_lists_what_it_asks_for(bot, lang, text, wanted):
    user = bot.user(lang=lang)
    await user.send("/start")
    calls = sent(await user.send(text))
    if text == "🍞":  # no place yet: asked, then given
        calls = sent(await user.send("Lille"))
    asked = data_starting(calls[-1:], "c:")
    if asked:  # "which one?": the needs asked for come first, and one tap lists them
        assert {c.removeprefix("c:") for c in asked[:2]} <= wanted, (text, asked)
        calls = sent(await user.press(asked[0]))
    listed = listed_categories(bot, calls[-1:])
    assert listed and all(cats & wanted for cats in listed[:3]), (text, listed)
