"""Saying where one lives, works or stays, or giving a street address, is place information:
"j'habite à Roubaix" is Roubaix, not clothes ("habits"); being homeless stays a need."""

import pytest

from catalogue.places import find_place_in_text
from catalogue.search import Query, SearchIndex
from tests.test_search import LILLE, ROUBAIX, make


@pytest.fixture(scope="module")
def index():
    return SearchIndex.build([
        make("clothes", "Vestiaire solidaire", ["clothing"]),
        make("shelter", "Centre d'hébergement", ["emergency_accommodation"]),
        make("housing", "Agence logement", ["access_to_housing"], ROUBAIX),
        make("jobs", "Permanence emploi", ["job_coaching"], LILLE),
        make("food", "Restaurant social", ["food_distribution"], ROUBAIX),
        make("welcome", "Accueil de jour", ["welcome"], ROUBAIX),
    ])  # fmt: skip


@pytest.mark.parametrize(
    ("text", "lang", "place"),
    [
        ("j'habite à roubaix", "fr", "Roubaix"),
        ("je loge à roubaix", "fr", "Roubaix"),
        ("je travaille à lille", "fr", "Lille"),
        ("12 rue de la gare roubaix", "fr", "Roubaix"),
        ("j'habite au 5 bis avenue Jean Jaurès à Lille", "fr", "Lille"),
        ("bd Victor Hugo 59000", "fr", "59000"),
        ("je suis hébergée à Tourcoing", "fr", "Tourcoing"),
        ("j'habite chez ma soeur à Lille", "fr", "Lille"),
        ("I live in Roubaix", "en", "Roubaix"),
        ("I'm staying in Tourcoing", "en", "Tourcoing"),
        ("I work in Lile", "en", "Lille"),
        ("trabajo en Lille", "es", "Lille"),
        ("vivo en Roubaix", "es", "Roubaix"),
        ("locuiesc în Lille", "ro", "Lille"),
        ("stau în Roubaix", "ro", "Roubaix"),
        ("я работаю в Лилле", "ru", "Lille"),
        ("я живу в Рубе", "ru", "Roubaix"),
        ("я працюю в Ліллі", "uk", "Lille"),
        ("أسكن في روبيه", "ar", "Roubaix"),
        ("من در لیل کار می‌کنم", "fa", "Lille"),
        ("زه په لیل کې کار کوم", "ps", "Lille"),
    ],
)
def test_saying_where_one_lives_or_works_is_no_need(index, text, lang, place):
    outcome = index.search(Query(text=text, lang=lang))
    assert outcome.categories == ()
    assert outcome.place is not None and outcome.place.place.name == place


@pytest.mark.parametrize(
    ("text", "lang", "need", "service", "place"),
    [
        ("je dors à la rue", "fr", "emergency_accommodation", "shelter", None),
        ("je vis dans la rue", "fr", "emergency_accommodation", "shelter", None),
        ("vivo en la calle", "es", "emergency_accommodation", "shelter", None),
        ("я живу на улице", "ru", "emergency_accommodation", "shelter", None),
        ("je suis à la rue à Lille", "fr", "emergency_accommodation", "shelter", "Lille"),
        ("je dors dans la rue de la gare à Roubaix", "fr", "emergency_accommodation", "shelter",
         "Roubaix"),
        ("where can I sleep in Roubaix", "en", "emergency_accommodation", "shelter", "Roubaix"),
        ("sans logement à roubaix", "fr", "access_to_housing", "housing", "Roubaix"),
        ("je cherche du travail à lille", "fr", "job_coaching", "jobs", "Lille"),
        ("busco trabajo en Lille", "es", "job_coaching", "jobs", "Lille"),
        ("vreau să lucrez în Lille", "ro", "job_coaching", "jobs", "Lille"),
        ("I need work in Lille", "en", "job_coaching", "jobs", "Lille"),
        ("j'ai besoin d'habits", "fr", "clothing", "clothes", None),
        ("j'ai faim, j'habite à roubaix", "fr", "food", "food", "Roubaix"),
    ],
)  # fmt: skip
def test_true_needs_stay_needs(index, text, lang, need, service, place):
    outcome = index.search(Query(text=text, lang=lang))
    assert need in outcome.categories
    assert ("clothing" in outcome.categories) == (need == "clothing")  # not "j'habite"
    assert service in [r.service_id for r in outcome.results]
    assert (outcome.place.place.name if outcome.place else None) == place


@pytest.mark.parametrize(
    ("text", "matched"),
    [
        ("j'habite au 12 rue de la Gare à Roubaix", "habite au 12 rue de la gare a roubaix"),
        ("douche, I live in Lille", "live in lille"),
        ("je suis à la rue à Lille", "lille"),  # homeless: not an address
        ("busco trabajo en Lille", "lille"),  # looking for work: a need
        ("je ne travaille pas à Lille", "lille"),
        ("je sais pas où je dors à Lille ce soir", "lille"),  # asks for a bed
        ("where can I sleep in Roubaix", "roubaix"),
        ("در لیل زندگی می‌کنم", "ليل زندگي مي كنم"),
    ],
)
def test_the_place_match_covers_the_statement(text, matched):
    assert find_place_in_text(text).matched == matched
