"""Language negotiation, CLDR formatting, right-to-left marks and localized service fields."""

from __future__ import annotations

from datetime import date, time
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import i18n
from bot.i18n import LRI, PDI, RLM
from catalogue.models import ServiceTranslation
from tests.factories import make_service


@pytest.mark.parametrize(
    ("code", "lang"),
    [
        ("uk", "uk"),
        ("uk-UA", "uk"),
        ("ar-MA", "ar"),
        ("fa-AF", "fa"),  # Dari
        ("prs", "fa"),
        ("pbt", "ps"),
        ("ps", "ps"),
        ("en-GB", "en"),
        ("RO", "ro"),
        ("pt-BR", None),
        ("zh-hans", None),
        ("", None),
        (None, None),
    ],
)
def test_negotiate(code, lang):
    assert i18n.negotiate(code) == lang


def _update(language_code):
    return SimpleNamespace(effective_user=SimpleNamespace(language_code=language_code))


def test_user_language_prefers_the_stored_choice():
    context = SimpleNamespace(user_data={"lang": "ps"})
    assert i18n.user_language(_update("ru"), context) == "ps"


def test_user_language_falls_back_to_telegram_then_french():
    assert i18n.user_language(_update("ru-RU"), SimpleNamespace(user_data={})) == "ru"
    assert i18n.user_language(_update("de"), SimpleNamespace(user_data={})) == "fr"
    assert i18n.user_language(SimpleNamespace(effective_user=None), None) == "fr"
    stale = SimpleNamespace(user_data={"lang": "klingon"})
    assert i18n.user_language(_update("uk"), stale) == "uk"


def test_translator_is_cached_per_language_and_unknown_is_french():
    assert i18n.translator("ar") is i18n.translator("ar")
    assert i18n.translator("ar").lang == "ar"
    assert i18n.translator("xx").lang == "fr"
    assert i18n.translator("en").gettext("No such message here") == "No such message here"


@pytest.mark.parametrize(
    ("lang", "near", "mid", "far"),
    [
        ("fr", "350\u202fm", "1,2\u202fkm", "13\u202fkm"),
        ("en", "350 m", "1.2 km", "13 km"),
        ("uk", "350 м", "1,2 км", "13 км"),
        ("ar", "350 مترًا", "1.2 كم", "13 كم"),
        ("fa", "350\u00a0متر", "1.2 کیلومتر", "13 کیلومتر"),
    ],
)
def test_format_distance(lang, near, mid, far):
    assert i18n.format_distance(0.347, lang) == near
    assert i18n.format_distance(1.23, lang) == mid
    assert i18n.format_distance(12.6, lang) == far


def test_format_distance_never_says_zero():
    assert i18n.format_distance(0, "en") == "10 m"


def test_times_and_ranges_follow_cldr():
    assert i18n.format_time(time(9), "fr") == "09:00"
    assert i18n.format_time(time(14, 30), "en") == "2:30\u202fPM"
    assert i18n.format_hours_range(time(9), time(12), "fr") == "09:00\u2009–\u200912:00"
    assert (
        i18n.format_hours_range(time(9), time(12), "en") == "9:00\u202fAM\u2009–\u200912:00\u202fPM"
    )
    assert i18n.format_hours_range(time(9), time(12), "fa") == "9:00 تا 12:00"
    # A night shelter opening past midnight.
    assert i18n.format_hours_range(time(20), time(8), "uk") == "20:00–08:00"


@pytest.mark.parametrize(
    ("lang", "monday", "sunday"),
    [
        ("fr", "lundi", "dimanche"),
        ("en", "Monday", "Sunday"),
        ("uk", "понеділок", "неділя"),
        ("ru", "понедельник", "воскресенье"),
        ("ar", "الاثنين", "الأحد"),
        ("ps", "دوشنبه", "یکشنبه"),
    ],
)
def test_format_weekday(lang, monday, sunday):
    assert i18n.format_weekday(0, lang) == monday
    assert i18n.format_weekday(6, lang) == sunday


def test_pashto_weekdays_are_one_decided_set_whatever_babel_says():
    names = [i18n.format_weekday(i, "ps") for i in range(7)]
    assert names == ["دوشنبه", "سه شنبه", "چهارشنبه", "پنج شنبه", "جمعه", "شنبه", "یکشنبه"]


def test_format_date_spells_the_month():
    assert i18n.format_date(date(2026, 3, 5), "fr") == "5 mars 2026"
    assert i18n.format_date(date(2026, 3, 5), "uk") == "5 березня 2026\u202fр."
    assert i18n.format_date(date(2026, 3, 5), "ar") == "5 مارس 2026"


def test_format_list():
    assert i18n.format_list(["A", "B", "C"], "fr") == "A, B et C"
    assert i18n.format_list(["A", "B"], "ro") == "A și B"
    assert i18n.format_list(iter(["A", "B", "C"]), "uk") == "A, B і C"
    assert i18n.format_list([], "fr") == ""


def test_bidi_leaves_left_to_right_languages_alone():
    text = "Restos du Cœur\n12 rue de Paris"
    assert i18n.bidi(text, "fr") == text
    assert i18n.bidi(text, "uk") == text


def test_bidi_marks_every_right_to_left_line():
    text = "Restos du Cœur — مطعم\n\n☎️ +33 3 20 12 34 56"
    lines = i18n.bidi(text, "ar").split("\n")
    assert lines[0].startswith(RLM) and lines[2].startswith(RLM)
    assert lines[1] == ""


def test_bidi_isolates_addresses_phones_and_names():
    text = (
        "العنوان: 12 rue de Paris, 59000 Lille\nالهاتف: +33 3 20 12 34 56\nمطعم Restos (Roubaix)."
    )
    out = i18n.bidi(text, "ar")
    assert f"{LRI}12 rue de Paris, 59000 Lille{PDI}" in out
    assert f"{LRI}+33 3 20 12 34 56{PDI}" in out
    # The closing bracket belongs to the name, the full stop to the sentence.
    assert f"{LRI}Restos (Roubaix){PDI}." in out
    # A leading plus sign would otherwise be drawn after the digits.
    assert f"{LRI}+33320123456{PDI}" in i18n.bidi("الهاتف: +33320123456", "ar")
    # A command stays one piece, so Telegram still makes it a tappable link.
    assert f"{LRI}/forget{PDI} ولېږئ" in i18n.bidi("/forget ولېږئ", "ps")


def test_bidi_keeps_html_tags_and_plain_numbers():
    text = '<b>Secours populaire</b> — 1,2 كم\n<a href="tel:+33320">+33 3 20</a>'
    out = i18n.bidi(text, "fa")
    assert f"<b>{LRI}Secours populaire{PDI}</b>" in out
    assert '<a href="tel:+33320">' in out
    assert f"{LRI}1,2{PDI}" not in out and "1,2 كم" in out


@given(st.text(max_size=300), st.sampled_from(sorted(i18n.RTL)))
def test_bidi_only_adds_marks_and_is_idempotent(text, lang):
    text = text.replace(RLM, "").replace(LRI, "").replace(PDI, "").replace("\u2067", "")
    text = text.replace("\u2068", "")
    out = i18n.bidi(text, lang)
    assert out.replace(RLM, "").replace(LRI, "").replace(PDI, "") == text
    assert i18n.bidi(out, lang) == out


def _service():
    service = make_service("s1", "Douches", where=None, description="Douches gratuites.")
    service.translations = [
        ServiceTranslation(service_id="s1", lang="ar", field="description", text="حمامات مجانية."),
        ServiceTranslation(service_id="s1", lang="uk", field="description", text=""),
    ]
    return service


def test_localized_field_prefers_the_users_language():
    assert i18n.localized_field(_service(), "description", "ar") == ("حمامات مجانية.", False)
    assert i18n.localized_field(_service(), "description", "fr") == ("Douches gratuites.", False)


def test_localized_field_falls_back_to_french_and_says_so():
    assert i18n.localized_field(_service(), "description", "uk") == ("Douches gratuites.", True)
    assert i18n.localized_field(_service(), "fees", "uk") == (None, False)
    marked = i18n.localized(_service(), "description", "en")
    assert marked.endswith("Douches gratuites.") and marked != "Douches gratuites."
    assert i18n.localized(_service(), "fees", "en") is None


def test_rtl_isolates_each_fact_of_a_line_and_keeps_a_price_sign_with_its_number():
    line = i18n.bidi("Roubaix · 600 م · 💶 Participation de 2,50 €", "ar")
    assert line == "\u200f\u2066Roubaix\u2069 · 600 م · 💶 \u2066Participation de 2,50 €\u2069"
    assert i18n.bidi("data·inclusion (GIP)", "ar") == "\u200f\u2066data·inclusion (GIP)\u2069"
