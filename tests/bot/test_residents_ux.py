"""What residents meet (issue 16), end to end through the real Application: greetings, places
outside the metropolis, "nothing found" that says what was understood, filters said in words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.i18n import bidi
from catalogue.db import session_scope
from catalogue.hours import PARIS, is_open
from catalogue.services import get_service
from tests.bot.conftest import TUESDAY, at, data_starting, last_text, sent


def plain(text: str) -> str:
    """Text without direction marks, to compare words."""
    return "".join(c for c in text if c not in "\u200e\u200f\u2066\u2067\u2068\u2069")


@pytest.mark.parametrize(
    ("lang", "hello", "thanks", "greeting", "welcome"),
    [
        ("fr", "Bonjour !", "merci beaucoup", "Bonjour\xa0!", "Avec plaisir."),
        ("en", "hi", "Thank you", "Hello!", "You are welcome."),
        ("ar", "السلام عليكم", "شكرا", "مرحبًا", "على الرحب والسعة."),
        ("fa", "سلام", "ممنون", "سلام", "خواهش می‌کنم."),
    ],
)
async def test_a_greeting_gets_a_greeting_and_the_menu_and_thanks_keep_the_search(
    bot, lang, hello, thanks, greeting, welcome
):
    user = bot.user(lang=lang)
    await user.send("/start")
    answer = sent(await user.send(hello))[-1]
    assert plain(answer.text).startswith(greeting), answer.text
    assert len(data_starting([answer], "g:")) >= 8
    results = sent(await user.send("douche Roubaix"))[-1]
    assert data_starting([results], "d:")
    answer = sent(await user.send(thanks))[-1]
    assert plain(answer.text).startswith(welcome) and data_starting([answer], "g:")
    assert "Roubaix" in plain(last_text(await user.send("manger")))  # the place is kept


@pytest.mark.parametrize(
    ("lang", "paris", "outside"),
    [
        ("fr", "Paris", "en dehors de la métropole"),
        ("en", "I am in Paris", "outside the Lille metropolis"),
        ("uk", "Париж", "поза метрополією"),
    ],
)
async def test_a_place_outside_the_metropolis_is_said_so_and_the_need_is_kept(
    bot, lang, paris, outside
):
    user = bot.user(lang=lang)
    await user.send("/start")
    await user.send("douche")
    answer = sent(await user.send(paris))[-1]
    assert outside in answer.text
    assert answer.params["reply_markup"]["keyboard"][0][0]["request_location"] is True
    results = sent(await user.send("Roubaix"))[-1]
    assert "🔎" in results.text and data_starting([results], "d:")
    assert "Roubaix" in results.text


async def test_after_a_shared_location_a_town_outside_is_not_searched_as_a_name(bot):
    user = bot.user(lang="fr")
    await user.send("/start")
    await user.send("douche")
    await user.share_location(50.6942, 3.1746)
    calls = await user.send("Paris")
    assert "🔎 Paris" not in last_text(calls) and "Parvis" not in last_text(calls)
    assert "en dehors de la métropole" in sent(calls)[-1].text
    assert "🔎 Douche" in last_text(await user.send("Roubaix"))  # the need was kept


async def test_a_postcode_of_another_department_is_outside(bot):
    user = bot.user(lang="fr")
    await user.send("/start")
    await user.send("douche")
    assert "en dehors de la métropole" in sent(await user.send("75011"))[-1].text


async def test_nothing_found_says_what_was_understood(bot):
    user = bot.user(lang="fa")
    await user.send("/start")
    await user.send("Roubaix")
    answer = sent(await user.send("کجا غذا بخورم"))[-1]  # read as food, not surely
    assert "c:food" in answer.button_data()
    assert "نکردم" not in answer.text  # not "sorry, I did not find this"
    results = sent(await user.press("c:food"))[-1]
    assert data_starting([results], "d:")
    user = bot.user(lang="fr", user_id=1002)
    await user.send("/start")
    understood = sent(await user.send("un musée à Lille"))[-1].text
    assert "Je ne connais encore aucun lieu pour ceci" in understood and "Musée" in understood
    not_understood = sent(await user.send("zorglub frimousse"))[-1].text
    assert not_understood.startswith("Désolé")


async def open_services(bot, calls, when: datetime) -> list[bool | None]:
    """Whether each service listed (by its d: button) is open at `when`."""
    ids = [d.removeprefix("d:") for d in data_starting(calls, "d:")]
    with session_scope(bot.app.bot_data["engine"]) as session:
        return [
            is_open(s.hours, s.exceptions, when) for s in (get_service(session, i) for i in ids)
        ]


async def test_open_now_said_in_words_is_applied_and_ticked(bot):
    user = at(bot, TUESDAY)  # 10:00: the Lomme showers are closed, the others open
    await user.send("/start")
    results = sent(await user.send("douche ouverte maintenant à lille"))[-1]
    assert "✅ Ouvert maintenant" in [b["text"] for b in results.buttons]
    assert "Bourg" not in results.text and "fermé maintenant" not in results.text
    states = await open_services(bot, [results], TUESDAY)
    assert states and all(states)
    untick = next(d for d in data_starting([results], "r:") if d.endswith(":open"))
    again = sent(await user.press(untick), "editMessageText")[-1]
    assert "Ouvert maintenant" in [b["text"] for b in again.buttons]
    assert "Bourg" in again.text


async def test_open_now_said_when_all_is_closed_shows_the_filter_to_untick(bot):
    user = at(bot, datetime(2026, 11, 24, 22, tzinfo=UTC), "en")  # 23:00
    await user.send("/start")
    results = sent(await user.send("shower open now in lille"))[-1]
    assert "I found nothing with these choices" in results.text
    assert "✅ Open now" in [b["text"] for b in results.buttons]


@pytest.mark.parametrize(
    ("lang", "text", "label"),
    [
        ("fr", "où manger dimanche soir à roubaix", "✅ Ouvert dimanche soir"),
        ("en", "food on sunday evening in roubaix", "✅ Open Sunday evening"),
    ],
)
async def test_a_weekday_evening_said_in_words_lists_places_open_then(bot, lang, text, label):
    user = at(bot, TUESDAY, lang)
    await user.send("/start")
    results = sent(await user.send(text))[-1]
    assert label in [b["text"] for b in results.buttons]
    sunday_evening = datetime(2026, 11, 29, 19, tzinfo=PARIS)
    states = await open_services(bot, [results], sunday_evening)
    assert states and all(states), results.text


async def test_a_weekday_alone_lists_places_open_that_day(bot):
    user = at(bot, TUESDAY, "en")
    await user.send("/start")
    results = sent(await user.send("food on saturday in lille"))[-1]
    assert "✅ Open on Saturday" in [b["text"] for b in results.buttons]
    ids = [d.removeprefix("d:") for d in data_starting([results], "d:")]
    with session_scope(bot.app.bot_data["engine"]) as session:
        for service_id in ids:
            days = {d for h in get_service(session, service_id).hours for d in h.byday.split(",")}
            assert any(d.endswith("SA") for d in days), service_id


@pytest.mark.parametrize(
    ("lang", "text", "free", "which_one"),
    [
        ("fr", "vêtements gratuits à roubaix", "✅ Gratuit", False),
        ("en", "free clothes in roubaix", "✅ Free", True),  # clothes or laundry?
    ],
)
async def test_free_said_in_words_lists_only_what_costs_nothing(bot, lang, text, free, which_one):
    user = bot.user(lang=lang)
    await user.send("/start")
    results = sent(await user.send(text))[-1]
    assert ("c:clothing" in results.button_data()) == which_one
    if which_one:  # the filter said holds through the question
        results = sent(await user.press("c:clothing"))[-1]
    assert free in [bidi(b["text"], lang) for b in results.buttons]
    assert "Bouton d'Or" not in results.text  # 0,50 € to 5 €
    assert data_starting([results], "d:")


async def test_list_lines_say_commune_kind_conditions_and_when_a_closed_place_opens(bot):
    user = at(bot, datetime(2026, 11, 24, 17, tzinfo=UTC))  # Tuesday 18:00 in Lille
    await user.send("/start")
    await user.send("j'ai faim")
    text = sent(await user.send("Lille"))[-1].text
    assert "Propose\xa0: Manger" not in text  # the kind of help, not the group
    assert "Propose\xa0: Épicerie solidaire" in text
    oliviers = text[text.index("Épicerie solidaire Les Oliviers") :].split("\n")
    assert "· Lille ·" in oliviers[0]
    assert "Sur orientation d'un travailleur social (CCAS" in oliviers[2]
    assert "Participation de 10 à 30 % du prix du marché" in oliviers[2]
    assert "fermé maintenant, ouvre à 19:30" in text  # the evening meal


async def test_a_women_only_place_says_so_in_the_list(bot):
    user = bot.user(lang="en")
    await user.send("/start")
    text = sent(await user.send("shower in lille"))[-1].text
    clairiere = text[text.index("La Clairière") :].split("\n")
    assert "women only" in clairiere[2]


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_phones_are_written_as_dialled_and_tappable(bot, lang):
    user = bot.user(lang=lang)
    await user.send("/start")
    card = sent(await user.press("d:svc-001"))[0].text
    assert '<a href="tel:+33353011001">03 53 01 10 01</a>' in card
    assert "+33353011001</" not in card


@pytest.mark.parametrize(("lang", "metres"), [("ps", "متره"), ("fa", "متر"), ("ar", "متر")])
async def test_distances_use_the_language_units_in_pashto_as_in_arabic_and_persian(
    bot, lang, metres
):
    user = bot.user(lang=lang)
    await user.send("/start")
    await user.send("douche")
    text = plain(sent(await user.send("Lille"))[-1].text)
    assert metres in text and " m ·" not in text and " km ·" not in text


async def test_right_to_left_lists_keep_the_number_first_and_mirror_the_arrows(bot):
    user = bot.user(lang="ar")
    await user.send("/start")
    await user.send("طعام")
    results = sent(await user.send("Lille"))[-1]
    first = next(line for line in results.text.split("\n") if "1." in line)
    assert first.startswith("\u200f<b>1.\u200f \u2066"), repr(first)
    labels = [b["text"] for b in results.buttons]
    assert any(label.endswith("◀") for label in labels)  # "Next", pointing left
    card = sent(await user.press(data_starting([results], "d:")[0]))[0]
    assert any(b["text"].lstrip("\u200f").startswith("▶") for b in card.buttons)  # back
    user = bot.user(lang="fr", user_id=1002)
    await user.send("/start")
    await user.send("manger")
    results = sent(await user.send("Lille"))[-1]
    assert "Suivant ▶" in [b["text"] for b in results.buttons]


async def test_the_flood_limit_counts_messages_not_taps(make_settings):
    from tests.bot.conftest import start_harness

    harness = await start_harness(make_settings(flood_limit=4))
    try:
        user = harness.user(lang="fr")
        user.now = TUESDAY
        await user.send("/start")
        results = sent(await user.send("douche Roubaix"))[-1]
        for data in data_starting([results], "d:"):  # building a list: many taps
            card = sent(await user.press(data))[0]
            adds = [d for d in card.button_data() if d.startswith("shr:add:")]
            answer = await user.press(adds[0])
            assert [c.method for c in answer] == ["answerCallbackQuery"]
            assert "Ajouté" in answer[0].params["text"]
        assert "Trop de messages" not in "".join(c.text for c in harness.request.calls)
        await user.send("/help")
        await user.send("/help")
        for _ in range(2):  # beyond four messages a minute: each one is told, none ignored
            assert "Trop de messages" in last_text(await user.send("/help"))
    finally:
        await harness.app.shutdown()


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
async def test_help_lists_list_and_cancel_and_about_claims_no_volunteers(bot, lang):
    user = bot.user(lang=lang)
    help_text = last_text(await user.send("/help"))
    assert "/list" in help_text and "/cancel" in help_text
    about = last_text(await user.send("/about"))
    assert "bénévoles" not in about and "volunteers" not in about and "متطوع" not in about


async def test_a_note_saying_the_access_again_is_said_once(bot):
    user = bot.user(lang="fr")
    await user.send("/start")
    card = sent(await user.press("d:svc-011"))[0].text  # "Sans rendez-vous, sans condition"
    access = next(line for line in card.split("\n") if line.startswith("🚪"))
    assert access.lower().count("sans rendez-vous") == 1, access
    user = bot.user(lang="en", user_id=1002)
    await user.send("/start")
    card = sent(await user.press("d:svc-011"))[0].text  # the note is French: the line stays
    assert "Just come, no appointment needed." in card


@pytest.mark.parametrize("lang", ["fr", "en", "ar", "uk", "ru", "es", "fa", "ps", "ro"])
async def test_the_legal_protection_group_says_legal_protection(bot, lang):
    from catalogue.taxonomy import label

    user = bot.user(lang=lang)
    menu = sent(await user.send("/start"))[-1]
    assert "g:legal_protection" in menu.button_data()
    assert "guardianship" not in label("legal_protection", lang).lower()


async def test_share_sends_the_card_essentials_as_text_with_the_link(bot):
    from urllib.parse import parse_qs, urlparse

    user = bot.user(lang="fr")
    await user.send("/start")
    card = sent(await user.press("d:svc-001"))[0]
    url = next(b["url"] for b in card.buttons if b.get("url", "").startswith("https://t.me/share"))
    shared = parse_qs(urlparse(url).query)
    assert shared["url"] == ["https://t.me/RelaisLocalBot?start=svc_svc-001"]
    text = shared["text"][0]
    assert text.startswith("Accueil de jour L'Escale\n📍 18 rue des Sarrazins, 59000 Lille")
    assert "📞 03 53 01 10 01" in text and "<" not in text
    assert "lundi" in text.lower()  # the week's hours, in the reader's language


async def test_the_printable_sheet_prints_the_week_the_date_and_the_conditions(bot):
    user = at(bot, TUESDAY, "en")
    await user.send("/start")
    await user.press("shr:add:svc-006")  # épicerie: referral, 10–30 %
    await user.press("shr:add:svc-002")
    await user.press("shr:ls:html")
    sheet = next(c for c in await user.press("shr:lh:en") if c.method == "sendDocument")
    page = next(iter(sheet.files.values())).decode()
    assert "Closed now" not in page and "Open now" not in page and "Today" not in page
    assert "Monday: " in page and "Sunday: " in page
    assert "Information as of November 24, 2026." in page
    assert (
        "Only on referral: a social worker or a service must send you." in page
    )  # access conditions
    assert "What it offers: unknown." not in page  # the description is there


async def test_the_forwarded_list_carries_the_date_conditions_and_description(bot):
    user = at(bot, TUESDAY, "fr")
    await user.send("/start")
    await user.press("shr:add:svc-006")
    await user.press("shr:ls:msg")
    text = "\n".join(c.text for c in sent(await user.press("shr:lm:fr")))
    assert "Informations à jour au 24 novembre 2026." in text
    assert "Sur orientation d'un travailleur social" in text
    assert "Épicerie solidaire où l'on fait ses courses" in text
    assert "maintenant" not in text


async def test_inline_cards_say_no_frozen_closed_now(bot):
    user = at(bot, TUESDAY, "en")
    calls = await user.inline_query("shower Roubaix")
    answer = next(c for c in calls if c.method == "answerInlineQuery")
    texts = [r["input_message_content"]["message_text"] for r in answer.params["results"]]
    assert texts and not any("Closed now" in t or "Open now" in t for t in texts)
    assert all("Information as of" in t for t in texts if "🕘" in t)


class Script:
    """Standard input holding a script (not a terminal)."""

    def __init__(self, text: str) -> None:
        import io

        self.stream = io.StringIO(text)

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        return self.stream.readline()


async def test_terminal_chat_continues_where_the_user_was_unless_asked(make_settings):
    import io

    from bot.cli import chat

    settings = make_settings()
    await chat(settings, "fr", Script("douche\nRoubaix\n"), io.StringIO())
    out = io.StringIO()
    await chat(settings, "fr", Script("2\n"), out)  # a restart: the list's second place
    text = out.getvalue()
    assert "continuing where you were" in text and "De quoi avez-vous besoin" not in text
    assert "Pour qui" in text  # a card opened
    out = io.StringIO()
    await chat(settings, "fr", Script(""), out, fresh=True)
    assert "De quoi avez-vous besoin" in out.getvalue()


async def test_terminal_chat_saves_sent_files_and_tries_inline_mode(make_settings, tmp_path):
    import io

    from bot.cli import chat

    out = io.StringIO()
    folder = tmp_path / "files"
    script = "douche\nRoubaix\n1\n3\n/list\n2\n1\n@douche Roubaix\n1\n"  # card, ⭐, sheet in fr
    await chat(make_settings(), "fr", Script(script), out, files=folder)
    text = out.getvalue()
    saved = folder / "relais-services.html"
    assert f"(file saved: {saved})" in text
    assert "Informations à jour au" in saved.read_text(encoding="utf-8")
    assert "(inline mode: a number posts that card)" in text
    assert "(posted in the chat:)\nBains-douches du Pile" in text


async def test_report_a_mistake_by_tap_or_sentence_reaches_the_admins(make_settings):
    from sqlalchemy import inspect
    from sqlmodel import select

    from bot.report import MistakeReport
    from tests.bot.conftest import start_harness

    harness = await start_harness(make_settings(admin_ids=(9001,)))
    try:
        admin = harness.user(lang="en", user_id=9001)
        await admin.send("/start")
        await admin.press("l:en")  # the language chosen in the bot: what admins are told in
        user = harness.user(lang="fr", user_id=1001)
        user.now = TUESDAY
        harness.app.bot_data["clock"] = lambda: TUESDAY
        await user.send("/start")
        card = sent(await user.press("d:svc-002"))[0]
        assert "rep:svc-002" in card.button_data()
        question = sent(await user.press("rep:svc-002"))[-1]
        assert "Qu'est-ce qui ne va pas" in question.text
        calls = await user.press("rk:phone:svc-002")
        assert "Merci" in sent(calls)[0].text
        told = [c for c in calls if c.params.get("chat_id") == 9001]
        assert told and "Douches de L'Escale (svc-002)" in told[0].text
        assert "The phone number is wrong" in told[0].text
        await user.press("rep:svc-002")
        calls = await user.send("Ils ont déménagé rue Solférino")
        assert any(
            "Ils ont déménagé rue Solférino" in c.text
            for c in calls
            if c.params.get("chat_id") == 9001
        )
        to_user = [c.text for c in sent(calls) if c.params.get("chat_id") == 1001]
        assert to_user == ["Merci. Les administrateurs vont vérifier."]  # not a new search
        stale = "\n".join(c.text for c in sent(await admin.send("/stale")))
        assert "Mistakes reported by residents:" in stale and "svc-002) — 2" in stale
        stats = last_text(await admin.send("/stats"))
        assert "Mistakes reported by residents: 2" in stats
        engine = harness.app.bot_data["engine"]
        columns = {c["name"] for c in inspect(engine).get_columns("mistake_report")}
        assert columns == {"id", "service_id", "day", "kind", "text"}  # nobody's id
        with session_scope(engine) as session:
            rows = session.exec(select(MistakeReport)).all()
        assert [(r.kind, r.text) for r in rows] == [
            ("phone", None),
            (None, "Ils ont déménagé rue Solférino"),
        ]
    finally:
        await harness.app.shutdown()


def first_result(bot, calls) -> set[str]:
    """The category keys of the first service listed."""
    first = data_starting(calls, "d:")[0].removeprefix("d:")
    with session_scope(bot.app.bot_data["engine"]) as session:
        return {c.key for c in get_service(session, first).categories}


@pytest.mark.parametrize(
    ("lang", "text", "key"),
    [
        ("en", "doctor", "general_practitioner"),
        ("es", "necesito un medico", "general_practitioner"),
        ("uk", "потрібен лікар", "general_practitioner"),
        ("uk", "де можна помитися", "shower"),
    ],
)
async def test_inside_a_group_the_kind_asked_comes_first(bot, lang, text, key):
    user = bot.user(lang=lang)
    await user.send("/start")
    await user.send(text)
    calls = await user.send("Lille")
    assert key in first_result(bot, calls), last_text(calls)


async def test_a_social_worker_introducing_herself_gets_the_need_first(bot):
    user = bot.user(lang="fr")
    await user.send("/start")
    calls = await user.send(
        "Bonjour, je suis assistante sociale, je cherche une domiciliation "
        "pour un monsieur de 45 ans sur Tourcoing"
    )
    assert "domiciliation" in first_result(bot, calls), last_text(calls)
    assert "📍 Tourcoing" in last_text(calls)


async def test_a_french_sentence_keeps_its_final_period_on_a_right_to_left_sheet(bot):
    user = at(bot, TUESDAY, "ar")
    await user.send("/start")
    await user.press("shr:add:svc-001")  # its description is French only
    await user.press("shr:ls:html")
    sheet = next(c for c in await user.press("shr:lh:ar") if c.method == "sendDocument")
    page = next(iter(sheet.files.values())).decode()
    description = next(line for line in page.split("\n") if "Accueil de jour pour" in line)
    assert description.endswith("l'équipe sociale.\u2069"), repr(description)


@pytest.mark.parametrize("leave", ["/new", "/cancel", "/start", "tap"])
async def test_a_report_in_progress_ends_with_a_command_or_cancel_and_never_files_a_danger(
    bot, leave
):
    user = at(bot, TUESDAY)
    await user.send("/start")
    await user.press("d:svc-002")
    question = sent(await user.press("rep:svc-002"))[-1]
    assert "rk:cancel:svc-002" in question.button_data()
    if leave == "tap":
        assert (
            sent(await user.press("rk:cancel:svc-002"))[-1].text == "Annulé. Rien n'a été modifié."
        )
    else:
        await user.send(leave)
    text = "\n".join(c.text for c in sent(await user.send("douche à Roubaix")))
    assert "Merci. Les administrateurs" not in text and "Roubaix" in text


async def test_a_person_in_danger_after_report_a_mistake_gets_the_numbers_not_a_report(bot):
    user = at(bot, TUESDAY)
    await user.send("/start")
    await user.press("d:svc-002")
    await user.press("rep:svc-002")
    text = "\n".join(c.text for c in sent(await user.send("je veux mourir")))
    assert "3114" in text and "Merci. Les administrateurs" not in text


async def test_a_place_typed_after_i_think_you_need_searches_that_need_there(bot):
    user = at(bot, TUESDAY)
    await user.send("/start")
    offer = sent(await user.send("manger zorblax quimbu"))[-1]
    assert offer.text.startswith("Je pense que vous cherchez")
    text = sent(await user.send("Roubaix"))[-1].text
    assert text.startswith("🔎 Manger\n📍 Roubaix")
