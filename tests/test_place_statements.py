"""Saying where one lives, works or stays, or giving a street address, is place information:
"j'habite à Roubaix" is Roubaix, not clothes ("habits"); being homeless stays a need."""

import pytest

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
        ("j'habite chez ma soeur à Lille", "fr", "Lille"),
        ("vivo en Roubaix", "es", "Roubaix"),
        ("locuiesc în Lille", "ro", "Lille"),
        ("я живу в Рубе", "ru", "Roubaix"),
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
        ("j'ai besoin d'habits", "fr", "clothing", "clothes", None),
    ],
)  # fmt: skip
def test_true_needs_stay_needs(index, text, lang, need, service, place):
    outcome = index.search(Query(text=text, lang=lang))
    assert need in outcome.categories
    assert ("clothing" in outcome.categories) == (need == "clothing")  # not "j'habite"
    assert service in [r.service_id for r in outcome.results]
    assert (outcome.place.place.name if outcome.place else None) == place
