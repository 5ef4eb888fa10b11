"""The language of a free text, read conservatively (catalogue/language.py)."""

from __future__ import annotations

import pytest

from catalogue.language import detect


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("أحتاج مكان للنوم", "ar"),  # Arabic kaf
        ("غذا می‌خواهم", "fa"),  # Persian yeh
        ("زه ډوډۍ غواړم", "ps"),  # Pashto letters decide alone
        ("потрібен лікар", "uk"),  # і
        ("нужен врач", "ru"),  # words only Russian has
        ("хочу есть, мне нечего", "ru"),
        ("vreau să mănânc", "ro"),
        ("donde puedo dormir esta noche", "es"),
        ("I am hungry", "en"),
        ("je cherche à manger", "fr"),
    ],
)
def test_a_clear_text_gives_its_language(text, lang):
    assert detect(text) == lang


@pytest.mark.parametrize(
    "text",
    [
        "douche",
        "shower",
        "Roubaix",
        "pharmacie",
        "سلام",
        "🍞",
        "59100",
        "",
        "bghit n9ra lfransawiya",  # Latin-script Darija: not read as French or English
        "am nevoie de un doctor",  # Romanian and English share "am": not sure enough
    ],
)
def test_an_unclear_text_gives_none(text):
    assert detect(text) is None
