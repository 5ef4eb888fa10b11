"""Social workers' tools end to end: share link, other language, shortlist, inline mode."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import unquote

import pytest

from bot.i18n import translator
from bot.share import MAX_MESSAGE, card_buttons, deep_link, shortlist_messages
from bot.transport import BOT_USER
from tests.bot.admin_kit import SERVICE_ID
from tests.factories import make_service


def test_card_buttons_share_a_deep_link_and_fit_callback_limits():
    rows = card_buttons(SERVICE_ID, "RelaisBot", translator("en"))
    url = rows[0][0].url
    assert unquote(url).endswith(f"https://t.me/RelaisBot?start=svc_{SERVICE_ID}")
    data = [b.callback_data for row in rows for b in row if b.callback_data]
    assert data == [f"shr:ol:{SERVICE_ID}", f"shr:add:{SERVICE_ID}"]
    assert all(len(d.encode()) <= 64 for d in data)


def test_ids_that_cannot_travel_get_no_link():
    assert deep_link("RelaisBot", "a b/c") is None
    assert card_buttons("x" * 61, "RelaisBot", translator("en")) == []


async def test_deep_link_opens_the_card(kit):
    calls = await kit.other.send(f"/start svc_{SERVICE_ID}")
    assert any("Douches solidaires" in c.text for c in calls)


async def test_card_in_another_language_keeps_the_workers_language(kit):
    user = kit.other
    user_data_before = dict(kit.app.user_data[user.user["id"]])
    calls = await user.press(f"shr:ol:{SERVICE_ID}", message_id=1)
    assert f"shr:in:uk:{SERVICE_ID}" in calls[-1].button_data()
    calls = await user.press(f"shr:in:uk:{SERVICE_ID}")
    card = [c.text for c in calls if c.method == "sendMessage"][-1]
    assert "Douches solidaires" in card
    assert (
        card
        != [
            c.text for c in await user.press(f"shr:in:en:{SERVICE_ID}") if c.method == "sendMessage"
        ][-1]
    )
    assert kit.app.user_data[user.user["id"]].get("lang") == user_data_before.get("lang")


async def test_shortlist_add_view_send_sheet_clear(kit):
    user = kit.other
    calls = await user.press(f"shr:add:{SERVICE_ID}", message_id=1)
    assert "1 service" in calls[-1].params["text"]
    calls = await user.press(f"shr:add:{SERVICE_ID}", message_id=1)
    assert "Already" in calls[-1].params["text"]
    calls = await user.send("/list")
    assert "Douches solidaires" in calls[-1].text
    assert calls[-1].button_data() == ["shr:ls:msg", "shr:ls:html", "shr:ls:clear"]
    calls = await user.press("shr:ls:msg")
    assert "shr:lm:uk" in calls[-1].button_data()
    calls = await user.press("shr:lm:en")
    message = [c for c in calls if c.method == "sendMessage"][-1]
    assert "Douches solidaires" in message.text and "Roubaix" in message.text
    assert message.params.get("parse_mode") == "HTML"
    await user.press("shr:ls:html")
    calls = await user.press("shr:lh:ar")
    (document,) = [c for c in calls if c.method == "sendDocument"]
    sheet = document.files["document"].decode()
    assert sheet.startswith("<!doctype html>") and "Douches solidaires" in sheet
    assert 'lang="ar" dir="rtl"' in sheet
    await user.press("shr:ls:clear")
    assert "empty" in (await user.send("/list"))[-1].text


async def test_inline_query_answers_with_cards(kit):
    calls = await kit.other.inline_query("douche Roubaix")
    (answer,) = [c for c in calls if c.method == "answerInlineQuery"]
    results = answer.params["results"]
    assert [r["id"] for r in results] == [SERVICE_ID]
    content = results[0]["input_message_content"]
    assert "Douches solidaires" in content["message_text"]
    button = results[0]["reply_markup"]["inline_keyboard"][0][0]
    assert button["url"] == f"https://t.me/{BOT_USER['username']}?start=svc_{SERVICE_ID}"
    calls = await kit.other.inline_query("")
    (answer,) = [c for c in calls if c.method == "answerInlineQuery"]
    assert answer.params["results"] == []
    assert answer.params["button"]["start_parameter"] == "inline"


def test_a_long_shortlist_is_split_between_whole_entries():
    services = [make_service(f"s{i}", f"Service {i} " + "x" * 900, where=None) for i in range(10)]
    messages = shortlist_messages(services, translator("en"), datetime(2026, 3, 2, tzinfo=UTC))
    assert len(messages) > 1 and all(len(m) <= MAX_MESSAGE for m in messages)
    assert sum(m.count("<b>Service") for m in messages) == 10


@pytest.mark.parametrize("lang", ["uk", "en", "ar"])
def test_a_price_alone_is_its_own_line_and_no_french_to_mark(lang):
    """The door line says who may come and how to get in; a price is its own line, and "1 €"
    is written in no language, so it carries no "(in French)"."""
    tr = translator(lang)
    priced = make_service("priced", "Bains-douches", ["shower"], fees="1 €")
    (message,) = shortlist_messages([priced], tr, datetime(2026, 3, 2, tzinfo=UTC))
    assert "🚪" not in message
    assert "\n💶 1 €\n" in message + "\n"
    assert tr.gettext("(in French)") not in message
    worded = make_service("worded", "Laverie", ["laundry"], fees="2 € le lavage",
                          access="appointment")  # fmt: skip
    (message,) = shortlist_messages([worded], tr, datetime(2026, 3, 2, tzinfo=UTC))
    door = next(line for line in message.splitlines() if line.startswith("🚪"))
    assert "💶" not in door and tr.gettext("by appointment") in door
    assert f"💶 {tr.gettext('(in French)')} 2 € le lavage" in message
