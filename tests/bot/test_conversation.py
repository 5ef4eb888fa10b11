"""The resident's conversation end to end: real Update JSON through the real Application,
assertions on the Bot API calls it makes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.i18n import bidi
from bot.models import BotConversation, BotUserData
from bot.render import anywhere_label
from bot.stats import SearchStat
from catalogue.db import session_scope
from tests.bot.conftest import TUESDAY, at, data_starting, last_text, sent

ROUBAIX = (50.6942, 3.1746)


async def at_place_step(bot, lang="en", need="shower"):
    """A user who started and wrote a need: the bot now asks where."""
    user = bot.user(lang=lang)
    await user.send("/start")
    await user.send(need)
    return user


async def search_showers_in_roubaix(user):
    await user.send("/start")
    await user.send("douche")
    return await user.send("Roubaix")


async def test_start_greets_in_french_and_offers_languages_and_needs(bot):
    calls = await bot.user(lang="fr").send("/start")
    greeting, question = sent(calls)
    assert greeting.text.startswith("Bonjour") and "Hello" not in greeting.text
    assert "l:uk" in greeting.button_data() and "l:ps" in greeting.button_data()
    assert len(data_starting([question], "g:")) >= 8


async def test_start_in_an_unsupported_language_greets_in_french_and_english(bot):
    calls = await bot.user(lang="de").send("/start")
    greeting = sent(calls)[0].text
    assert "Hello!" in greeting and "Choose your language:" in greeting
    assert greeting.count("\n\n") >= 2  # French greeting, English greeting, choice


async def test_happy_path_in_english(bot):
    user = at(bot, TUESDAY, "en")
    await user.send("/start")
    place_question = sent(await user.send("shower"))[-1]
    assert "Where are you?" in place_question.text
    keyboard = place_question.params["reply_markup"]["keyboard"]
    assert keyboard[0][0]["request_location"] is True
    calls = await user.send("Roubaix")
    results = sent(calls)[-1]
    assert "Roubaix" in results.text
    assert "open now" in results.text and "closed now" in results.text  # 10:00, a Tuesday
    details = data_starting([results], "d:")
    assert 1 <= len(details) <= 5
    assert data_starting([results], "r:") and "new" in results.button_data()
    card_calls = await user.press(details[0])
    card = sent(card_calls)[0]
    for label in ("Who can come", "How to get in", "Cost", "Last checked"):
        assert label in card.text
    assert "Phone: unknown." in card.text


async def test_happy_path_in_french_with_place_in_the_need(bot):
    user = bot.user(lang="fr")
    await user.send("/start")
    calls = await user.send("colis alimentaire roubaix")
    results = sent(calls)[-1]
    assert data_starting([results], "d:"), results.text
    assert "Où êtes-vous" not in results.text


async def test_card_sends_a_venue_only_for_a_precise_address(bot):
    user = bot.user(lang="fr")
    await user.send("/start")
    venue = sent(await user.press("d:svc-002"), "sendVenue")
    assert venue and venue[0].params["latitude"]
    approximate = await user.press("d:svc-039")  # Emmaüs Connect: commune centre only
    assert "Adresse\xa0: inconnue. — Lille" in sent(approximate)[0].text
    assert not sent(approximate, "sendVenue")


async def test_shared_location_gives_distances(bot):
    user = await at_place_step(bot, "en", "shower")
    calls = await user.share_location(*ROUBAIX)
    results = sent(calls)[-1]
    assert " km" in results.text
    assert data_starting([results], "d:")


async def test_location_sent_before_the_need_is_kept(bot):
    user = bot.user(lang="en")
    await user.send("/start")
    calls = await user.share_location(*ROUBAIX)
    assert "What do you need?" in last_text(calls)
    results = sent(await user.send("food parcel"))[-1]
    assert data_starting([results], "d:")


async def test_typo_in_place_asks_for_confirmation(bot):
    user = await at_place_step(bot, "en", "shower")
    calls = await user.send("Roubx")
    question = sent(calls)[-1]
    assert "Did you mean" in question.text
    yes = data_starting([question], "py:")[0]
    results = sent(await user.press(yes))[-1]
    assert data_starting([results], "d:")


async def test_saying_no_to_the_suggested_place_asks_again(bot):
    user = await at_place_step(bot, "en", "shower")
    question = sent(await user.send("Roubx"))[-1]
    calls = await user.press(data_starting([question], "pn:")[0])
    assert "Where are you?" in last_text(calls)


async def test_yes_typed_confirms_the_place(bot):
    user = await at_place_step(bot, "fr", "douche")
    assert "Roubaix" in sent(await user.send("Roubx"))[-1].text
    results = sent(await user.send("oui"))[-1]
    assert data_starting([results], "d:")


async def test_a_need_typed_at_the_place_step_is_taken_as_the_need(bot):
    user = await at_place_step(bot, "en", "shower")
    calls = await user.send("food parcel")
    assert "Where are you?" in last_text(calls)
    results = sent(await user.send("Roubaix"))[-1]
    assert "Roubaix" in results.text


async def test_anywhere_in_the_metropolis(bot):
    user = await at_place_step(bot, "en", "shower")
    calls = await user.send("🏙 Anywhere in the metropolis")
    results = sent(calls)[-1]
    assert "The whole metropolis" in results.text and data_starting([results], "d:")


async def test_pagination_edits_the_same_message(bot):
    user = bot.user(lang="fr")
    await user.send("/start")
    await user.send("manger")
    results = sent(await user.send(anywhere_label("fr")))[-1]
    first_page = data_starting([results], "d:")
    next_page = data_starting([results], "pg:")
    assert next_page, results.text
    calls = await user.press(next_page[0])
    edit = sent(calls, "editMessageText")[0]
    assert int(edit.params["message_id"]) == results.result["message_id"]
    assert not sent(calls)  # no new message
    assert set(data_starting([edit], "d:")).isdisjoint(first_page)
    back = [d for d in data_starting([edit], "pg:") if d.endswith(":0")]
    calls = await user.press(back[0])
    assert data_starting(sent(calls, "editMessageText"), "d:") == first_page


async def test_back_to_the_list_keeps_the_card_and_sends_the_list_below(bot):
    user = bot.user(lang="en")
    results = sent(await search_showers_in_roubaix(user))[-1]
    card_calls = await user.press(data_starting([results], "d:")[0])
    back = data_starting(card_calls, "bk:")
    assert back, "the card has a back-to-the-list button"
    calls = await user.press(back[0])
    assert not sent(calls, "editMessageText")  # the card is not overwritten
    assert data_starting(sent(calls), "d:") == data_starting([results], "d:")


async def test_refine_free_only_marks_the_filter(bot):
    user = bot.user(lang="en")
    results = sent(await search_showers_in_roubaix(user))[-1]
    free = [d for d in data_starting([results], "r:") if d.endswith(":free")][0]
    edit = sent(await user.press(free), "editMessageText")[0]
    assert any(b["text"].startswith("✅") for b in edit.buttons)


async def test_refine_audience_asks_who_and_updates(bot):
    user = bot.user(lang="en")
    results = sent(await search_showers_in_roubaix(user))[-1]
    who = [d for d in data_starting([results], "r:") if d.endswith(":aud")][0]
    question = sent(await user.press(who))[-1]
    assert "Who is it for?" in question.text
    women = [d for d in question.button_data() if d.endswith(":w")][0]
    calls = await user.press(women)
    assert "👥 A woman" in sent(calls, "editMessageText")[0].text  # the list says for whom
    anyone = women.replace(":w", ":-")
    assert "👥" not in sent(await user.press(anyone), "editMessageText")[0].text


async def test_stale_button_is_answered_kindly(bot):
    user = bot.user(lang="en")
    results = sent(await search_showers_in_roubaix(user))[-1]
    old_page = f"pg:{0}:5"
    calls = await user.press(old_page, results.result["message_id"])
    answer = sent(calls, "answerCallbackQuery")[0]
    assert answer.params["text"] == "This button is old."
    assert "What do you need?" in last_text(calls)
    calls = await user.press("zz:unknown", results.result["message_id"])
    assert sent(calls, "answerCallbackQuery")


async def test_new_search_forgets_the_place(bot):
    user = bot.user(lang="en")
    await search_showers_in_roubaix(user)
    await user.send("/new")
    calls = await user.send("food parcel")
    assert "Where are you?" in last_text(calls)


async def test_new_need_in_results_keeps_the_place(bot):
    user = bot.user(lang="en")
    await search_showers_in_roubaix(user)
    results = sent(await user.send("food parcel"))[-1]
    assert "Roubaix" in results.text and data_starting([results], "d:")


async def test_a_place_named_in_a_new_need_replaces_the_kept_one(bot):
    user = bot.user(lang="fr")
    await search_showers_in_roubaix(user)
    results = sent(await user.send("manger lille"))[-1]
    assert "📍 Lille" in results.text and "Roubaix" not in results.text.split("\n\n")[0]


async def test_a_place_named_with_the_need_stays_for_the_next_need(bot):
    user = bot.user(lang="en")
    await user.send("/start")
    await user.send("shower roubaix")
    results = sent(await user.send("food parcel"))[-1]
    assert "📍 Roubaix" in results.text and data_starting([results], "d:")


async def test_a_place_alone_after_results_searches_the_same_need_there(bot):
    user = bot.user(lang="en")
    await user.send("/start")
    await user.send("shower lille")
    results = sent(await user.send("roubaix"))[-1]
    assert "📍 Roubaix" in results.text and "Shower" in results.text
    assert data_starting([results], "d:")


async def test_words_that_mean_nothing_after_results_keep_the_list_usable(bot):
    user = bot.user(lang="fr")
    results = sent(await search_showers_in_roubaix(user))[-1]
    answer = sent(await user.send("bof bof"))[-1]
    assert "Désolé" in answer.text and data_starting([answer], "c:") + data_starting([answer], "g:")
    thanks = sent(await user.send("merci"))[-1]
    assert thanks.text.startswith("Avec plaisir.") and data_starting([thanks], "g:")
    next_page = data_starting([results], "pg:")[0]
    page = await user.press(next_page)
    assert data_starting(sent(page, "editMessageText"), "d:"), "the list's buttons still work"


async def test_gibberish_abstains_and_offers_categories(bot):
    user = bot.user(lang="en")
    await user.send("/start")
    calls = await user.send("xqzv blorptanglwit")
    answer = sent(calls)[-1]
    assert "Sorry" in answer.text
    assert data_starting([answer], "c:")


async def test_two_needs_in_one_message_ask_which(bot):
    user = bot.user(lang="fr")
    await user.send("/start")
    question = sent(await user.send("douche et manger à Roubaix"))[-1]
    choices = data_starting([question], "c:")
    assert len(choices) >= 2 and "c:shower" in choices
    results = sent(await user.press("c:shower"))[-1]
    assert "Roubaix" in results.text and data_starting([results], "d:")


async def test_a_place_typed_instead_of_choosing_keeps_the_need(bot):
    user = bot.user(lang="fr")
    await user.send("/start")
    assert data_starting(sent(await user.send("douche et manger")), "c:")
    results = sent(await user.send("Roubaix"))[-1]
    assert "Roubaix" in results.text and data_starting([results], "d:")


async def test_category_buttons_lead_to_results(bot):
    user = bot.user(lang="en")
    calls = await user.send("/start")
    group = data_starting(calls, "g:")[0]
    children = sent(await user.press(group), "editMessageReplyMarkup")[0]
    child = data_starting([children], "c:")[1]
    calls = await user.press(child)
    assert "Where are you?" in last_text(calls)
    assert data_starting(sent(await user.send("Lille")), "d:")


@pytest.mark.parametrize(
    ("send", "answer"),
    [
        ("send_sticker", "I can only read text, a location or the buttons."),
        ("send_voice", "I cannot listen to voice messages. Please write, or use the buttons."),
    ],
)
async def test_stickers_and_voice_get_an_answer(bot, send, answer):
    user = bot.user(lang="en")
    await user.send("/start")
    calls = await getattr(user, send)()
    assert last_text(calls) == answer


async def test_edited_message_is_answered(bot):
    user = bot.user(lang="en")
    calls = await user.send("/start")
    calls = await user.edit(calls[0].result["message_id"] - 1, "shower")
    assert "changed a message" in last_text(calls)


async def test_unknown_command(bot):
    calls = await bot.user(lang="en").send("/frobnicate")
    assert "/help" in last_text(calls)


@pytest.mark.parametrize("command", ["/help", "/about", "/privacy", "/language"])
async def test_informational_commands_answer(bot, command):
    calls = await bot.user(lang="en").send(command)
    assert sent(calls) and sent(calls)[0].text


async def test_language_choice_is_kept(bot):
    user = bot.user(lang="fr")
    await user.send("/start")
    await user.press("l:en")
    calls = await user.send("/help")
    assert "Write what you need" in last_text(calls)


async def test_deep_link_opens_a_card(bot):
    calls = await bot.user(lang="en").send("/start svc_svc-002")
    assert "Douches" in sent(calls)[0].text
    calls = await bot.user(lang="en", user_id=5).send("/start svc_nope")
    assert "no longer" in sent(calls)[0].text
    assert "What do you need?" in last_text(calls) and data_starting(calls, "g:")


async def test_searches_are_counted_anonymously(bot):
    user = bot.user(lang="en")
    await search_showers_in_roubaix(user)
    await user.send("xqzv blorptanglwit")
    await bot.app.persistence.written()  # statistics are written with the state, off the loop
    with session_scope(bot.app.bot_data["engine"]) as s:
        rows = [(r.need, r.commune, r.found) for r in s.exec(select(SearchStat))]
    assert ("shower", "Roubaix", True) in rows
    assert (None, "Roubaix", False) in rows  # the place is kept, the need was not understood
    assert len(rows) == 2


async def test_forget_erases_the_user(bot):
    user = bot.user(lang="en")
    await search_showers_in_roubaix(user)
    await bot.app.update_persistence()
    await bot.app.persistence.written()
    engine = bot.app.bot_data["engine"]
    with session_scope(engine) as s:
        assert s.get(BotUserData, user.user["id"]) is not None
    question = sent(await user.send("/forget"))[-1]
    assert question.button_data() == ["f:y", "f:n"]
    calls = await user.press("f:y")
    assert "erased everything" in last_text(calls)
    await bot.app.update_persistence()
    await bot.app.persistence.written()
    with session_scope(engine) as s:
        assert s.get(BotUserData, user.user["id"]) is None
        assert s.exec(select(BotConversation)).all() == []
    assert "Where are you?" not in last_text(await user.send("/help"))


async def test_restart_in_the_middle_resumes(bot):
    user = bot.user(lang="en")
    greeting = sent(await user.send("/start"))[0].result["message_id"]
    await user.press("l:uk", greeting)
    await user.press("l:en", greeting)
    await user.send("shower")  # now waiting for the place
    await bot.restart()
    calls = await user.send("Roubaix")
    results = sent(calls)[-1]
    assert data_starting([results], "d:") and "Roubaix" in results.text


async def test_buttons_of_a_list_still_work_after_a_restart(bot):
    user = bot.user(lang="fr")
    await user.send("/start")
    await user.send("manger")
    results = sent(await user.send(anywhere_label("fr")))[-1]
    next_page = data_starting([results], "pg:")[0]
    await bot.restart()
    calls = await user.press(next_page, results.result["message_id"])
    edit = sent(calls, "editMessageText")[0]
    assert int(edit.params["message_id"]) == results.result["message_id"]
    assert data_starting([edit], "d:")


async def test_search_expires_with_its_location(bot):
    from datetime import UTC, datetime, timedelta

    user = bot.user(lang="en")
    user.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    await user.send("/start")
    await user.send("shower")
    await user.share_location(*ROUBAIX)
    assert bot.app.user_data[user.user["id"]]["search"].location
    user.now += timedelta(hours=7)
    await user.send("/help")
    assert "search" not in bot.app.user_data[user.user["id"]]


async def test_flood_limit_drops_extra_updates(make_settings):
    from datetime import UTC, datetime

    from tests.bot.conftest import start_harness

    harness = await start_harness(make_settings(flood_limit=3))
    try:
        user = harness.user(lang="en")
        user.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        for _ in range(3):
            assert sent(await user.send("/help"))
        warning = await user.send("/help")
        assert "Too many messages" in last_text(warning)
        again = sent(await user.send("/help"))  # dropped, and said so again: never in silence
        assert len(again) == 1 and "Too many messages" in again[0].text
    finally:
        await harness.app.shutdown()


async def test_blocked_user_does_not_crash(bot):
    user = bot.user(lang="en")
    await user.send("/start")
    bot.request.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await user.send("/help")
    assert user.user["id"] not in bot.app.user_data


async def test_flood_control_from_telegram_is_absorbed(bot):
    user = bot.user(lang="en")
    bot.request.fail_next("sendMessage", 429, "Too Many Requests: retry after 5", retry_after=5)
    calls = await user.send("/help")
    assert [c.method for c in calls] == ["sendMessage"]  # refused once, no apology flood
    assert sent(await user.send("/help"))


async def test_a_user_who_blocks_the_bot_is_forgotten(bot):
    user = bot.user(lang="en")
    await search_showers_in_roubaix(user)
    await bot.app.update_persistence()
    await bot.app.persistence.written()
    assert not await user.block()  # nothing sent to someone who blocked us
    await bot.app.update_persistence()
    await bot.app.persistence.written()
    with session_scope(bot.app.bot_data["engine"]) as s:
        assert s.get(BotUserData, user.user["id"]) is None


async def test_live_location_updates_are_not_answered(bot):
    user = bot.user(lang="en")
    await user.send("/start")
    shared = sent(await user.share_location(*ROUBAIX))
    assert shared
    assert not sent(await user.edit_location(5, 50.70, 3.18))


async def test_error_is_reported_and_state_kept(bot):
    user = await at_place_step(bot, "en", "shower")
    bot.request.fail_next("sendMessage", 400, "Bad Request: something broke")
    calls = await user.send("Roubaix")
    assert "something went wrong" in last_text(calls)
    results = sent(await user.send("Roubaix"))[-1]
    assert data_starting([results], "d:")


async def test_a_double_tap_on_a_category_group_is_no_error(bot):
    user = bot.user(lang="en")
    question = sent(await user.send("/start"))[-1]
    message_id = question.result["message_id"]
    await user.press("g:food", message_id)
    calls = await user.press("g:food", message_id)  # the second tap edits it into itself
    assert sent(calls, "editMessageReplyMarkup")  # Telegram refused it: "not modified"
    assert not sent(calls), [c.text for c in calls]
    assert sent(calls, "answerCallbackQuery")


async def test_every_callback_fits_64_bytes(bot):
    user = bot.user(lang="uk")
    calls = await search_showers_in_roubaix(user)
    calls += await user.press(data_starting(calls, "d:")[0])
    for call in bot.request.calls:
        for data in call.button_data():
            assert len(data.encode()) <= 64
        assert len(call.text) <= 4096


async def test_a_date_ending_with_its_own_dot_gets_no_second_one(bot):
    user = bot.user(lang="uk")
    await user.send("/start")
    card = sent(await user.press("d:svc-096"))[0].text
    assert "р." in card and "р.." not in card


async def test_a_need_understood_with_no_place_says_so(bot):
    user = bot.user(lang="en")
    await user.send("/start")
    answer = sent(await user.press("c:hearing_care"))[-1]
    assert "I know no place for this yet: Hearing." in answer.text
    assert "Sorry" not in answer.text
    assert data_starting([answer], "c:")


async def test_a_need_group_is_not_listed_beside_its_own_child(bot):
    user = bot.user(lang="ro")
    await user.send("/start")
    await user.send("curs de franceza")
    results = sent(await user.send("Tourcoing"))[-1].text
    need_line = next(line for line in results.split("\n") if line.startswith("🔎"))
    assert "Cursuri de franceză" in need_line and "Formare și muncă" not in need_line
    assert "Formare și muncă și Cursuri" not in results


@pytest.mark.parametrize(
    ("lang", "typed"), [("fr", "partout"), ("en", "Anywhere"), ("ps", "هر ځای"), ("en", "partout")]
)
async def test_anywhere_typed_in_words_searches_the_whole_metropolis(bot, lang, typed):
    user = await at_place_step(bot, lang=lang, need="vêtements")
    results = sent(await user.send(typed))[-1]
    assert data_starting([results], "d:") and "km" not in results.text


async def test_arabic_anywhere_button_is_not_read_as_lille(bot):
    user = await at_place_step(bot, lang="ar", need="ملابس")
    results = sent(await user.send(bidi(anywhere_label("ar"), "ar")))[-1]
    header = results.text.split("\n\n")[0]  # the list's lines name each place's commune
    assert data_starting([results], "d:") and "Lille" not in header


async def test_a_result_number_typed_opens_that_card(bot):
    user = bot.user(lang="fr")
    results = sent(await search_showers_in_roubaix(user))[-1]
    second = data_starting([results], "d:")[1]
    card = sent(await user.send("2"))[0]
    assert "Pour qui" in card.text
    assert card.text == sent(await user.press(second))[0].text
    assert data_starting(sent(await user.send("99")), "d:")  # no such number: the list again


@pytest.mark.parametrize("typed", ["²", "①", "٣٣٣"])
async def test_digits_that_are_not_0_to_9_after_a_list_get_an_answer(bot, typed):
    """`str.isdigit` says yes to ² and ①, which `int` refuses: no "something went wrong"."""
    user = bot.user(lang="fr")
    await search_showers_in_roubaix(user)
    answers = sent(await user.send(typed))
    assert answers and not any("Désolé, quelque chose" in c.text for c in answers)


@pytest.mark.parametrize(("lang", "separator"), [("ar", "؛ "), ("fr", " ; "), ("en", "; ")])
async def test_audience_facts_are_separated_as_the_language_writes(bot, lang, separator):
    user = bot.user(lang=lang)
    await user.send("/start")
    card = sent(await user.press("d:svc-002"))[0].text  # 18+ and a condition in words
    who = next(line for line in card.split("\n") if line.lstrip("\u200f").startswith("👥"))
    assert separator in who


async def test_a_new_request_naming_a_place_is_not_taken_for_a_place_alone(bot):
    user = bot.user(lang="fr")
    await search_showers_in_roubaix(user)
    reply = last_text(await user.send("les oliviers tourcoing horaires"))
    assert "Douche" not in reply  # not the showers of Tourcoing


async def test_a_card_checked_long_ago_says_to_check_before_going(bot):
    bot.app.bot_data["clock"] = lambda: datetime(2026, 11, 23, 12, tzinfo=UTC)
    user = bot.user(lang="en")
    await user.send("/start")
    old = sent(await user.press("d:svc-039"))[0].text  # last checked in May 2024
    assert "⚠ Last checked: May 7, 2024." in old and "Check before you go." in old
    recent = sent(await user.press("d:svc-002"))[0].text  # checked in March 2026
    assert "✅ Last checked" in recent and "Check before you go." not in recent


async def test_an_unknown_place_offers_the_location_and_anywhere_buttons_again(bot):
    user = await at_place_step(bot)
    answer = sent(await user.send("Atlantis"))[-1]
    assert "I do not know this place" in answer.text
    keyboard = answer.params["reply_markup"]["keyboard"]
    assert keyboard[0][0]["request_location"] is True and len(keyboard) == 2


async def test_coordinates_typed_before_the_need_are_a_location(bot):
    user = bot.user(lang="en")
    await user.send("/start")
    assert "I have your location" in sent(await user.send("50.6942, 3.1746"))[0].text
    results = sent(await user.send("shower"))[-1]
    assert "Near your location" in results.text and data_starting([results], "d:")


async def test_a_short_french_note_repeating_the_access_line_is_left_out_in_russian(bot):
    user = bot.user(lang="ru")
    await user.send("/start")
    card = sent(await user.press("d:svc-047"))[0].text  # access known, note "Accès libre"
    access = next(line for line in card.split("\n") if line.startswith("🚪"))
    assert "Accès libre" not in access and "Просто приходите" in access


async def test_after_emergency_numbers_no_sorry_but_places_that_help(bot):
    user = bot.user(lang="en")
    await user.send("/start")
    await user.send("Lille")
    answer = sent(await user.send("my husband hits me"))[-1]
    assert "📞 3919" in answer.text
    assert "Sorry" not in answer.text and "Maison Iris" in answer.text  # victims' shelter


async def test_after_emergency_numbers_and_nothing_found_other_help_below(bot):
    user = bot.user(lang="en")
    await user.send("/start")
    await user.send("Lille")
    answer = sent(await user.press("c:sexual_violence_support"))[-1]
    assert "📞 3919" in answer.text and "Sorry" not in answer.text
    assert data_starting([answer], "c:")


async def test_a_postcode_answer_names_its_town(bot):
    user = await at_place_step(bot, "fr", "douche")
    said, results = sent(await user.send("59650"))
    assert said.text == "📍 59650 Villeneuve-d'Ascq"
    assert "📍 59650 Villeneuve-d'Ascq\n" in results.text


async def test_a_postcode_in_the_text_names_every_commune_it_serves(bot):
    user = bot.user(lang="en")
    await user.send("/start")
    results = sent(await user.send("shower 59160"))[-1]
    assert "📍 59160 Capinghem and Lille\n" in results.text
    user = bot.user(lang="fr", user_id=1002)
    await user.send("/start")
    assert "D'accord\xa0: 59100 Roubaix." in sent(await user.send("59100"))[-1].text


async def test_a_new_need_with_its_place_at_the_place_step_replaces_the_need(bot):
    user = await at_place_step(bot, "fr", "douche")
    results = sent(await user.send("manger à tourcoing"))[-1]
    assert "📍 Tourcoing" in results.text and data_starting([results], "d:")
    need = results.text.split("\n")[0]
    assert need.startswith("🔎") and "Douche" not in need, need


@pytest.mark.parametrize("place", ["je suis à Tourcoing", "59200 tourcoing"])
async def test_only_a_place_at_the_place_step_keeps_the_need(bot, place):
    user = await at_place_step(bot, "fr", "douche")
    results = sent(await user.send(place))[-1]
    assert results.text.startswith("🔎 Douche\n📍") and "Tourcoing" in results.text


@pytest.mark.parametrize("place", ["j'habite à roubaix", "12 rue de la Gare, Roubaix"])
async def test_saying_where_one_lives_at_the_place_step_keeps_the_need(bot, place):
    user = await at_place_step(bot, "fr", "douche")
    results = sent(await user.send(place))[-1]
    assert results.text.startswith("🔎 Douche\n📍 Roubaix") and data_starting([results], "d:")
