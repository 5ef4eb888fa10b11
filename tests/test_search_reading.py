"""Reading people, not keywords (issue 17): situations read as needs through frames, politeness
and self-introductions around a need, glued names and pronouns, abstentions kept, and `explain`."""

import json

import pytest

from catalogue import taxonomy
from catalogue.needs import DATA, lexicon, unchat
from catalogue.search import Query
from catalogue.text import normalise
from tests import test_search
from tests.test_search import ids

index = test_search.index  # the small catalogue of test_search, as a fixture here too

FOOD = {"food-lille", "parcel-roubaix", "grocery-tourcoing", "student-grocery"}
SHELTERS = {"shelter-men", "shelter-women", "shelter-families"}


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("plus rien dans les placards", "fr", FOOD),
        ("our fridge has been empty since monday", "en", FOOD),
        ("сплю на вулиці вже тиждень", "uk", SHELTERS),
        ("ночую в машине", "ru", SHELTERS),
        ("my cat is ill", "en", {"vet"}),
        ("нет одежды", "ru", {"clothes-lille"}),
        ("ma3andich hwayej", "ar", {"clothes-lille"}),
        ("got laid off", "en", {"jobs", "youth-jobs"}),
    ],
)
def test_a_situation_is_read_as_the_need_it_calls_for(index, text, lang, expected):
    outcome = index.search(Query(text=text, lang=lang))
    assert ids(outcome) and ids(outcome)[0] in expected


def test_a_frame_needs_every_slot():
    """A thing alone ("placard") or a state alone ("empty") is no situation."""
    frames = lexicon().frames
    assert frames.needs(["placard"], [True]) == {}
    assert frames.needs(["empty"], [True]) == {}
    assert "food" in frames.needs(["empty", "fridge"], [True, True])


def test_politeness_around_a_need_is_not_read(index):
    outcome = index.search(
        Query(text="salut, je voudrais savoir où prendre une douche à Roubaix svp merci", lang="fr")
    )
    assert ids(outcome)[0] == "shower-roubaix"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Bonjour, je suis assistante sociale, je cherche des vêtements pour un monsieur", "fr"),
        ("Hello, I'm a social worker looking for clothes for a young man", "en"),
    ],
)
def test_who_writes_is_not_what_is_asked(index, text, lang):
    outcome = index.search(Query(text=text, lang=lang))
    assert ids(outcome)[0] == "clothes-lille"
    assert "social_accompaniment" not in outcome.categories


@pytest.mark.parametrize(("text", "expected"),
                         [("emmausconnect", "emmaus"), ("emmausconect", "emmaus"),
                          ("MobilimELroubaix", "mobility")])  # fmt: skip
def test_run_together_names_are_split(index, text, expected):
    assert ids(index.search(Query(text=text)))[0] == expected


def test_an_ordinary_long_word_is_not_split(index):
    assert index._unglue(["travaille", "hebergement"]) == ["travaille", "hebergement"]


def test_a_glued_pronoun_is_written_out():
    assert unchat(["jcomprends", "rien"], "fr") == ["je", "comprends", "rien"]
    assert unchat(["jardin", "japprends"], "fr") == ["jardin", "japprends"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [("c'est quoi le meilleur resto étoilé", "fr"), ("best sushi place in town", "en"),
     ("cuánto cuesta un iphone", "es"), ("qsdfghjk azerty", "fr"), ("ывапролдж фывап", "ru")],
)  # fmt: skip
def test_out_of_scope_and_gibberish_still_abstain(index, text, lang):
    assert index.search(Query(text=text, lang=lang)).abstained


def test_explain_says_how_each_word_was_read(index):
    rows = {word: role for word, role, _ in index.explain(Query(text="douche bitcoin Roubaix"))}
    assert rows == {"roubaix": "place", "douche": "need", "bitcoin": "unknown"}


def test_a_pictograph_that_says_a_need_is_a_word_of_its_own():
    """🍞 glued to a place is two words; a pictograph saying no need (🙏) is dropped."""
    assert normalise("🍞Roubaix 🙏") == "🍞 roubaix"
    assert normalise("🛏️") == "🛏"  # the emoji presentation selector is not part of it


def test_pictographs_name_taxonomy_keys():
    data = json.loads((DATA / "emoji.json").read_text(encoding="utf-8"))
    assert {k for k in data if not k.startswith("_")} <= {c.key for c in taxonomy.all_categories()}


@pytest.mark.parametrize(
    ("text", "need"),
    [
        ("bghit n9ra lfransawiya", "french_course"),  # Arabizi: learn + French
        ("I want to learn French", "french_course"),
        ("хочу вивчити французьку", "french_course"),
        ("medico no tengo papeles", "health_access"),  # care + lack + papers
        ("врач, нет страховки", "health_access"),
    ],
)
def test_learning_french_and_care_without_papers_are_read(index, text, need):
    assert need in index.search(Query(text=text, lang="fr")).categories


def test_russian_and_ukrainian_in_latin_letters_are_read_back():
    assert unchat(["nuzhen", "vrach"], "fr") == ["нужен", "врач"]
    assert unchat(["potriben", "likar"], "fr") == ["потрібен", "лікар"]
    # Words of the Latin-script languages, and what reads as no Russian word, stay as they are.
    assert unchat(["douche", "manger", "shower", "pain", "medecin", "xyzzy"], "fr") == [
        "douche",
        "manger",
        "shower",
        "pain",
        "medecin",
        "xyzzy",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello bro i need food in lille", "food-lille"),
        ("salam khouya bghit nakol f lille", "food-lille"),
        ("douche lille merci chef", "shower-lille"),
        ("hermano necesito una ducha en lille", "shower-lille"),
    ],
)
def test_a_form_of_address_never_hides_the_need(index, text, expected):
    assert ids(index.search(Query(text=text)))[0] == expected


@pytest.mark.parametrize(
    "text", ["mineur isolé hébergement", "unaccompanied minor shelter", "неповнолітній житло"]
)
def test_a_minor_said_without_an_age_is_searched_as_under_18(index, text):
    found = ids(index.search(Query(text=text)))
    assert "shelter-men" not in found  # 18 and over
    assert found  # the others stay


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("je meurs de faim", "fr"),
        ("je crève la dalle", "fr"),
        ("im dying of hunger", "en"),
        ("me muero de hambre", "es"),
        ("умираю с голоду", "ru"),
    ],
)
def test_dying_of_hunger_is_food_not_a_need_for_a_psychologist(index, text, lang):
    """(In Arabic and Romanian "I want" is made of stop words, so "أموت" alone still reads
    wanting to die: there the hunger idiom reads food first, and the psychologist too.)"""
    categories = index.search(Query(text=text, lang=lang)).categories
    assert "food" in categories and "psychological_support" not in categories


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("une activité pour tuer le temps", "fr"),
        ("мій телефон помер", "uk"),
    ],
)
def test_a_death_word_in_an_idiom_reads_no_psychologist(index, text, lang):
    """Death words are the danger reader's to read (its needs follow a danger it reads)."""
    assert "psychological_support" not in index.search(Query(text=text, lang=lang)).categories


@pytest.mark.parametrize(
    ("text", "lang"),
    [("the closest open now", "en"), ("nearest one near me", "en"),
     ("not too far, a few minutes walking", "en"),
     ("le plus proche ouvert maintenant", "fr"), ("pas loin, à 10 minutes de marche", "fr"),
     ("el más cercano abierto ahora", "es"), ("cel mai apropiat deschis acum", "ro"),
     ("ближайший открытый сейчас", "ru"), ("найближчий відкритий зараз", "uk"),
     ("الأقرب مفتوح الآن", "ar"), ("نزدیکترین باز الان", "fa"), ("تر ټولو نږدې اوس", "ps")],
)  # fmt: skip
def test_how_near_and_how_soon_are_never_mended_into_a_need(index, text, lang):
    """Words saying how near or how soon are one typo from a need word in another language
    ("closest", "closet": toilets in Romanian); they read no need, alone or beside one."""
    assert index.search(Query(text=text, lang=lang)).categories == ()
    assert index.search(Query(text=f"douche {text}", lang=lang)).categories == ("shower",)
