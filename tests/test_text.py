"""Normalisation per script: what people type must compare equal to what the catalogue says."""

import pytest

from catalogue.text import fold, normalise, script_of, skeleton, sound_key, stem, to_latin, tokens


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Épicerie SOLIDAIRE", "epicerie solidaire"),
        ("Mons-en-Barœul", "mons en baroeul"),
        ("Villeneuve d’Ascq", "villeneuve d ascq"),
        ("mâncare caldă", "mancare calda"),  # Romanian diacritics
        ("ducha  gratis!!", "ducha gratis"),
    ],
)
def test_latin_case_accents_and_punctuation(typed, stored):
    assert normalise(typed) == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("أحتاج", "احتاج"),  # hamza on alef
        ("إيماوس", "ايماوس"),
        ("آكل", "اكل"),  # madda
        ("مستشفى", "مستشفي"),  # alef maqsura
        ("وجبة", "وجبه"),  # teh marbuta
        ("طـــعام", "طعام"),  # tatweel
        ("طَعَامٌ", "طعام"),  # harakat
    ],
)
def test_arabic_letter_variants(typed, stored):
    assert normalise(typed) == stored


def test_persian_and_pashto_letters_meet_arabic_ones():
    assert normalise("کمک یک") == normalise("كمك يك")  # Persian kaf and yeh
    assert normalise("ډاکټر") == normalise("داکتر")  # Pashto letters typed on a Persian keyboard
    assert normalise("ګرم") == normalise("گرم")
    assert normalise("می\u200cخواهم") == "مي خواهم"  # zero-width non-joiner splits words


def test_cyrillic_variants():
    assert normalise("Ёлка") == normalise("елка")
    assert normalise("їжа") == normalise("іжа")
    assert normalise("ґанок") == normalise("ганок")


def test_digits_of_every_script_are_ascii():
    assert normalise("٥٩١٠٠") == "59100"
    assert normalise("۵۹۱۰۰") == "59100"


def test_tokens_and_fold():
    assert tokens("J'ai faim, à Lille !") == ["j", "ai", "faim", "a", "lille"]
    assert fold("ÇA") == "ca"


@pytest.mark.parametrize(
    ("word", "key"),
    [
        ("للنوم", "نوم"),  # li + article
        ("والسكن", "سكن"),  # wa + article
        ("одежду", "одежд"),  # Russian case ending
        ("одежда", "одежд"),
        ("douches", "douche"),  # Latin plural
        ("bus", "bus"),  # too short to be a plural
    ],
)
def test_stem_removes_what_hides_a_word(word, key):
    assert stem(normalise(word)) == key


def test_script_of():
    assert [script_of(w) for w in ("douche", "دوش", "душ", "59100")] == [
        "latin", "arabic", "cyrillic", "other",
    ]  # fmt: skip


def test_names_in_other_scripts_sound_alike():
    latin = [sound_key(w) for w in to_latin("Emmaüs Connect").split()]
    arabic = [sound_key(w) for w in to_latin("إيماوس كونكت").split()]
    cyrillic = [sound_key(w) for w in to_latin("Эммаус Коннект").split()]
    assert latin[0] == arabic[0] == cyrillic[0]
    assert latin[1] == cyrillic[1]
    assert skeleton(latin[1]) == skeleton(sound_key(to_latin("كنكت")))


def test_look_alike_letters_of_the_other_script_are_folded_into_the_main_one():
    assert normalise("лiкар безкоштовно") == "лікар безкоштовно"  # Latin i in Ukrainian
    assert normalise("дoктор") == "доктор"  # Latin o in Russian
    assert normalise("shоwer") == "shower"  # Cyrillic о in English
    assert normalise("Москва shower") == "москва shower"  # words of one script are untouched
