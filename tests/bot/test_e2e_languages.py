"""Whole conversations in Arabic, Ukrainian and Pashto, asserting on the rendered text: the
user's language everywhere, CLDR plurals, numbers and weekdays, right-to-left marks, and
Telegram's limits (4,096 characters per message, 64 bytes of callback data) on every call."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, LRI, PDI, RLM, SUPPORTED, format_weekday, translator
from bot.transport import Call
from tests.bot.conftest import TUESDAY, at, data_starting, sent

ROUBAIX = (50.6942, 3.1746)


def texts(calls: list[Call]) -> list[str]:
    return [c.text for c in calls if c.method in {"sendMessage", "editMessageText"} and c.text]


def assert_within_telegram_limits(calls: list[Call]) -> None:
    for call in calls:
        text = call.text or ""
        assert len(text.encode("utf-16-le")) // 2 <= 4096, call.method
        for data in call.button_data():
            assert len(data.encode()) <= 64, data


def assert_right_to_left(calls: list[Call]) -> None:
    """Every line of every message and every button label starts right-to-left (except the
    language choice, where each language is written in its own direction)."""
    for text in texts(calls):
        for line in text.split("\n"):
            assert not line or line.startswith(RLM), line
    for call in calls:
        for button in call.buttons:
            if not button.get("callback_data", "").startswith("l:"):
                assert button["text"].startswith(RLM), button["text"]


def found_count(text: str, lang: str) -> int:
    """The number in the "I found N places." line, checked against the language's plural rule."""
    count = int(re.search(r"\d+", text.split("\n")[2]).group())
    expected = translator(lang).ngettext("I found {count} place.", "I found {count} places.", count)
    assert expected.format(count=count) in text
    return count


def weekdays(lang: str) -> list[str]:
    return [format_weekday(i, lang) for i in range(7)]


async def test_arabic_conversation_from_greeting_to_card(bot):
    user = at(bot, TUESDAY, "ar")
    calls = await user.send("/start")
    greeting, question = sent(calls)
    assert "مرحبًا" in greeting.text and "اختر لغتك" in greeting.text
    assert "ماذا تحتاج؟" in question.text
    assert "النظافة الشخصية" in " ".join(b["text"] for b in question.buttons)

    calls += await user.send("أحتاج حمام")
    place_question = sent(calls)[-1]
    assert "أين أنت؟" in place_question.text
    assert "إرسال موقعي" in place_question.buttons[0]["text"]

    calls += await user.send("Roubaix")
    results = sent(calls)[-1].text
    count = found_count(results, "ar")
    assert 3 <= count % 100 <= 10, count  # so that the Arabic "few" form is the one checked
    assert f"وجدت {count} أماكن." in results
    assert f"{RLM}📍 {LRI}Roubaix" in results  # a Latin place name kept in its own direction
    assert re.search(f"<b>1\\.\u200f {LRI}[A-Z]", results)  # so are the names, number first
    assert "كم" in results  # CLDR's Arabic units (Roubaix is kilometres away)
    assert "مفتوح الآن" in results  # open now, at 10:00 on a Tuesday

    card_calls = await user.press(data_starting(calls, "d:")[0])
    card = sent(card_calls)[0].text
    calls += card_calls
    for label in ("من يمكنه الحضور", "طريقة الاستفادة", "السعر", "آخر تحقق"):
        assert label in card
    assert any(day in card for day in weekdays("ar"))
    assert "(بالفرنسية)" in card  # the description exists in French only
    assert_right_to_left(calls)
    assert_within_telegram_limits(calls)


async def test_ukrainian_conversation_with_place_in_the_need_refine_and_pages(bot):
    user = at(bot, TUESDAY, "uk")
    calls = await user.send("/start")
    assert "Вітаю!" in sent(calls)[0].text
    assert "Що вам потрібно?" in sent(calls)[1].text

    calls += await user.send("де поїсти 59100")
    results = sent(calls)[-1]
    assert "Де ви?" not in results.text  # the postcode in the sentence was understood
    assert "📍 59100" in results.text
    count = found_count(results.text, "uk")
    assert count > 5 and "Далі ▶" in [b["text"] for b in results.buttons]
    assert re.search(r"\d,\d км", results.text) and re.search(r" \d+ м\b", results.text)  # km, m
    assert "Пропонує: " in results.text and "Пропонує: Їжа" not in results.text  # the kind
    assert RLM not in results.text and LRI not in results.text

    page = await user.press(data_starting([results], "pg:")[0])
    assert "Ось результати з 6 по 10:" in texts(page)[-1]
    calls += page

    refined = await user.press(data_starting([results], "r:")[0])  # open now
    assert "✅ Відчинено зараз" in [b["text"] for b in refined[-1].buttons]
    calls += refined

    card_calls = await user.press(data_starting([results], "d:")[0])
    card = sent(card_calls)[0].text
    calls += card_calls
    for label in ("Хто може прийти", "Як потрапити", "Ціна", "Востаннє перевірено"):
        assert label in card
    assert "Сьогодні" in card
    assert_within_telegram_limits(calls)


async def test_pashto_chosen_by_button_then_location_privacy_and_forget(bot):
    user = at(bot, TUESDAY)
    calls = await user.send("/start")
    assert sent(calls)[0].text.startswith("Bonjour")

    calls = await user.press("l:ps")  # from here on, everything is in Pashto
    assert "سمه ده، په دې ژبه به لیکم." in texts(calls)[-2]
    assert "تاسو څه ته اړتیا لرئ؟" in texts(calls)[-1]

    calls += await user.send("حمام")
    assert "تاسو چېرته یاست؟" in texts(calls)[-1]
    calls += await user.share_location(*ROUBAIX)
    results = texts(calls)[-1]
    assert "📍 ستاسو شاوخوا" in results  # "near your location"
    count = found_count(results, "ps")
    assert count > 1 and f"{count} ځایونه مې وموندل." in results  # the plural form
    assert re.search(f"{PDI} · \\d+,\\d کیلومتره", results)  # Pashto kilometres, decimal comma

    card_calls = await user.press(data_starting(calls, "d:")[0])
    card = sent(card_calls)[0].text
    calls += card_calls
    for label in ("څوک راتلای شي", "د ګټې اخیستو لاره", "بیه", "وروستۍ کتنه"):
        assert label in card
    assert any(day in card for day in weekdays("ps"))

    privacy = texts(await user.send("/privacy"))[-1]
    assert "ستاسو په اړه دا ساتم:" in privacy
    assert f"{LRI}/forget{PDI}" in privacy

    calls += await user.send("/forget")
    assert "غواړئ چې ستاسو په اړه ټول ساتل شوي معلومات پاک کړم؟" in texts(calls)[-1]
    assert_right_to_left(calls)
    assert_within_telegram_limits(calls)


def english_messages() -> set[str]:
    """The English msgids, cut at their placeholders into pieces long enough to be telling."""
    catalog = read_po((LOCALES_DIR / "messages.pot").open("rb"))
    pieces = set()
    for message in catalog:
        for msgid in message.id if message.pluralizable else [message.id]:
            pieces.update(p.strip() for p in re.split(r"\{\w+\}", msgid) if len(p.strip()) >= 12)
    return pieces


@pytest.mark.parametrize("lang", [lang for lang in SUPPORTED if lang != "en"])
async def test_no_english_left_in_a_whole_conversation(bot, lang):
    user = bot.user(lang=lang)
    calls = await user.send("/start")
    calls += await user.press("g:hygiene_and_wellness")
    calls += await user.press("c:shower")
    calls += await user.send("Roubaix")
    calls += await user.press(data_starting(calls, "d:")[0])
    calls += await user.send("/help")
    calls += await user.send("/privacy")
    shown = "\n".join(texts(calls) + [b["text"] for c in calls for b in c.buttons])
    leaks = sorted(piece for piece in english_messages() if piece in shown)
    assert not leaks, leaks
    assert_within_telegram_limits(calls)
