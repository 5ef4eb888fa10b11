"""Search behaviour on small in-memory catalogues: needs in nine languages, places, ranking,
filters, audience and abstention."""

import gc
import weakref
from datetime import UTC, datetime, time

import pytest
from sqlalchemy import Engine

from catalogue.db import session_scope
from catalogue.importer import import_file
from catalogue.search import Query, SearchIndex, Weights, current_index, search_services
from catalogue.services import list_services
from tests.conftest import CATALOGUE
from tests.factories import LILLE, ROUBAIX, TOURCOING
from tests.factories import make_service as make

MONDAY_NOON = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # 11:00 in Paris, an ordinary Monday


@pytest.fixture(scope="module")
def index():
    return SearchIndex.build([
        make("shower-lille", "Douches du Centre", ["shower"], free=True, access="unconditional",
             hours=[("MO,TU,WE,TH,FR", time(9), time(12))]),
        make("shower-roubaix", "Bains-douches du Pile", ["shower", "hygiene_products"], ROUBAIX,
             fees="1 €", access="appointment"),
        make("food-lille", "Restaurant social Le Bol", ["food_distribution"], free=True),
        make("parcel-roubaix", "Colis de l'Alma", ["food_packages"], ROUBAIX),
        make("grocery-tourcoing", "Épicerie de la Bourgogne", ["social_grocery_stores"], TOURCOING),
        make("clothes-lille", "Vestiaire solidaire", ["clothing"]),
        make("shelter-men", "Centre d'hébergement Le Rempart", ["emergency_accommodation"],
             eligibility="Hommes seuls de 18 ans et plus, sans enfant.", min_age=18),
        make("shelter-women", "Maison Iris – hébergement pour femmes", ["emergency_accommodation"],
             ROUBAIX, gender="women", eligibility="Femmes victimes de violences."),
        make("shelter-families", "Résidence Les Hirondelles", ["emergency_accommodation"],
             eligibility="Familles avec enfants mineurs et femmes enceintes."),
        make("youth-jobs", "Espace Jeunes Emploi", ["job_coaching"], ROUBAIX, min_age=16, max_age=25),
        make("jobs", "Permanence emploi", ["job_coaching"], ROUBAIX),
        make("student-grocery", "Le Panier du Campus – épicerie solidaire étudiante",
             ["social_grocery_stores"], LILLE, offset=-0.02,
             eligibility="Étudiants inscrits dans un établissement de la métropole."),
        make("emmaus", "Emmaüs Connect", ["digital_tools_training", "solidarity_store"],
             approximate=True, description="Accès au numérique pour les personnes isolées."),
        make("digital", "Atelier numérique Clic", ["digital_tools_training"],
             description="Apprendre à se connecter et à utiliser une messagerie."),
        make("mobility", "MobilimEL – plateforme mobilité", ["mobility_support"],
             approximate=True, areas=["Métropole Européenne de Lille"]),
        make("transport-far", "Transport solidaire du Sud", ["transportation_mobility"], TOURCOING),
        make("vet", "Consultations vétérinaires", ["vet_care"],
             description="Soins pour les chiens et chats des personnes sans domicile."),
    ])  # fmt: skip


def ids(outcome):
    return [r.service_id for r in outcome.results]


# --------------------------------------------------------------------------- needs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("j'ai faim", "food-lille"),
        ("bouffe gratos", "food-lille"),
        ("need a shower", "shower-lille"),
        ("wash myself", "shower-lille"),
        ("أحتاج أكل", "food-lille"),
        ("أنام في الشارع", "shelter-families"),
        ("де поїсти", "food-lille"),
        ("нужна одежда", "clothes-lille"),
        ("comida gratis", "food-lille"),
        ("mâncare", "food-lille"),
        ("mancare calda", "food-lille"),
        ("گرسنه هستم", "food-lille"),
        ("لباس گرم", "clothes-lille"),
        ("وږی یم", "food-lille"),
        ("douhce", "shower-lille"),  # typo
    ],
)
def test_need_understood_in_every_language(index, text, expected):
    outcome = index.search(Query(text=text), now=MONDAY_NOON)
    assert expected in ids(outcome)
    assert not outcome.abstained


def test_a_group_need_finds_every_kind_of_food_help(index):
    outcome = index.search(Query(text="manger"), now=MONDAY_NOON)
    assert {"food-lille", "parcel-roubaix", "grocery-tourcoing"} <= set(ids(outcome))
    assert "food" in outcome.categories


def test_categories_chosen_with_buttons(index):
    outcome = index.search(Query(categories=("shower",)), now=MONDAY_NOON)
    assert set(ids(outcome)) == {"shower-lille", "shower-roubaix"}
    assert all(r.why == "category" for r in outcome.results)


def test_stop_words_alone_match_nothing(index):
    assert index.search(Query(text="where can I find"), now=MONDAY_NOON).abstained
    assert index.search(Query(text="où est-ce que je peux trouver"), now=MONDAY_NOON).abstained


# --------------------------------------------------------------------------- abstention


@pytest.mark.parametrize(
    "text",
    ["prix du bitcoin", "asdkjh qwzx", "météo demain", "", "receta de paella", "score du match"],
)
def test_abstains_on_nonsense_and_out_of_scope(index, text):
    outcome = index.search(Query(text=text), now=MONDAY_NOON)
    assert outcome.abstained and outcome.results == []
    assert "food" in outcome.suggestions and "health" in outcome.suggestions


@pytest.mark.parametrize(
    "text",
    [
        "douche gratuite zorblax",
        "vêtements pour femme zorblax",
        "free shower for women zorblax quimpel",
    ],
)
def test_one_unknown_word_does_not_empty_a_clear_query(index, text):
    """What was read clearly (a need, who asks, a filter) outweighs a word we cannot read."""
    assert not index.search(Query(text=text), now=MONDAY_NOON).abstained


@pytest.mark.parametrize(("text", "lang", "first"), [
    ("slt g besoin dune douche jsuis a lille", "fr", "shower-lille"),
    ("jai faim", "fr", "food-lille"),
    ("im cold cant find clothes pls", "en", "clothes-lille"),
    ("shower asap", "en", "shower-lille"),
])  # fmt: skip
def test_chat_and_sms_spellings_are_read_as_words(index, text, lang, first):
    outcome = index.search(Query(text=text, lang=lang), now=MONDAY_NOON)
    assert ids(outcome)[0] == first


@pytest.mark.parametrize(
    "text",
    [
        "cât costă o pâine",
        "сколько стоит хлеб",
        "cuánto cuesta el pan",
        "combien coûte le pain",
        "قداش الخبز",
    ],
)
def test_price_questions_abstain(index, text):
    assert index.search(Query(text=text), now=MONDAY_NOON).abstained


def test_a_price_question_beside_a_clear_need_still_answers(index):
    outcome = index.search(Query(text="combien coûte une douche gratuite"), now=MONDAY_NOON)
    assert ids(outcome)[0] == "shower-lille"


@pytest.mark.parametrize(("text", "need"), [
    ("bghit nakol", "food_distribution"), ("fin kayn douche", "shower"),
    ("gorosna hastam", "food_distribution"), ("da khob zai", "emergency_accommodation"),
])  # fmt: skip
def test_arabic_persian_and_pashto_typed_in_latin_letters(index, text, need):
    outcome = index.search(Query(text=text), now=MONDAY_NOON)
    assert index.services[index.ids.index(ids(outcome)[0])].categories[0].key == need


def test_a_group_need_leaves_out_children_that_do_not_answer_it(index):
    """A person asking for health care is not sent to a vet; asked by name, the vet is found."""
    assert "vet" not in ids(index.search(Query(text="santé", limit=50), now=MONDAY_NOON))
    assert ids(index.search(Query(text="vétérinaire"), now=MONDAY_NOON))[0] == "vet"


def test_words_are_read_in_the_query_language_first(index):
    """English "course" is a class, not French "courses" (groceries) or "course" (a run)."""
    understood = index.search(Query(text="french course", lang="en"), now=MONDAY_NOON).categories
    assert "french_course" in understood
    assert not {"food", "sport_activities"} & set(understood)


@pytest.mark.parametrize(
    "text",
    ["logement ce soir", "housing tonight", "жильё сегодня ночью", "necesito una casa esta noche"],
)
def test_a_roof_tonight_is_an_emergency_shelter_first(text):
    index = SearchIndex.build([
        make("fund", "Fonds de Solidarité Logement", ["access_to_housing"]),
        make("shelter", "Halte de nuit", ["emergency_accommodation"]),
    ])  # fmt: skip
    outcome = index.search(Query(text=text), now=MONDAY_NOON)
    assert "emergency_accommodation" in outcome.categories
    assert ids(outcome)[0] == "shelter"


@pytest.mark.parametrize(
    "text",
    [
        "je suis enceinte sans logement",
        "я беременна, нужно жильё",
        "embarazada necesito alojamiento",
        "حامل أحتاج سكن",
    ],
)
def test_pregnant_in_any_language_finds_the_shelter_for_pregnant_women(text):
    index = SearchIndex.build([
        make("any", "Centre d'hébergement", ["emergency_accommodation"]),
        make("pregnant", "Résidence familles", ["emergency_accommodation"],
             eligibility="Familles avec enfants et femmes enceintes"),
    ])  # fmt: skip
    assert ids(index.search(Query(text=text), now=MONDAY_NOON))[0] == "pregnant"


def test_information_words_beside_a_name_are_not_needs():
    index = SearchIndex.build([
        make("olivier", "Épicerie Les Oliviers", ["social_grocery_stores"], ROUBAIX),
        make("address", "Domiciliation Roubaix", ["domiciliation"], ROUBAIX),
    ])  # fmt: skip
    for text in ("les oliviers adresse", "oliviers horaires", "les oliviers téléphone"):
        outcome = index.search(Query(text=text), now=MONDAY_NOON)
        assert ids(outcome)[0] == "olivier" and "domiciliation" not in outcome.categories
    assert ids(index.search(Query(text="besoin d'une adresse"), now=MONDAY_NOON)) == ["address"]


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "text",
    ["emmaus connect", "emaus conect", "Emmaüs", "إيماوس كونكت", "ایماوس کانکت", "Эммаус Коннект"],
)
def test_a_programme_name_finds_the_programme_first(index, text):
    outcome = index.search(Query(text=text), now=MONDAY_NOON)
    assert ids(outcome)[0] == "emmaus"
    assert outcome.results[0].why == "name"


def test_exact_programme_name_beats_fuzzy_text(index):
    outcome = index.search(Query(text="mobilimel"), now=MONDAY_NOON)
    assert ids(outcome)[0] == "mobility"


def test_description_words_are_a_last_resort(index):
    outcome = index.search(Query(text="chiens chats"), now=MONDAY_NOON)
    assert ids(outcome)[0] == "vet"


# --------------------------------------------------------------------------- places


@pytest.mark.parametrize(
    ("place", "first"),
    [("Roubaix", "shower-roubaix"), ("Lille", "shower-lille"), ("59100", "shower-roubaix")],
)
def test_near_beats_far_for_the_same_need(index, place, first):
    outcome = index.search(Query(text="douche", place=place), now=MONDAY_NOON)
    assert ids(outcome)[0] == first
    assert outcome.results[0].distance_km < 3


def test_shared_location_and_distances(index):
    lat, lon = ROUBAIX[2:]
    outcome = index.search(Query(text="shower", location=(lat, lon)), now=MONDAY_NOON)
    assert ids(outcome) == ["shower-roubaix", "shower-lille"]
    assert outcome.results[0].distance_km == pytest.approx(0, abs=0.01)
    assert outcome.results[1].distance_km == pytest.approx(9.8, abs=0.5)
    assert outcome.place.place.kind == "coordinates"


def test_place_inside_the_text_is_understood_and_not_taken_as_a_need(index):
    outcome = index.search(Query(text="need a shower rubaix"), now=MONDAY_NOON)
    assert outcome.place is not None and outcome.place.place.commune == "Roubaix"
    assert ids(outcome)[0] == "shower-roubaix"
    assert outcome.categories == ("shower",)


def test_approximate_coordinates_are_never_near(index):
    lat, lon = LILLE[2:]
    outcome = index.search(Query(text="atelier numérique", location=(lat, lon)), now=MONDAY_NOON)
    emmaus = next(r for r in outcome.results if r.service_id == "emmaus")
    assert emmaus.distance_km is None
    assert ids(outcome)[0] == "digital"


def test_a_service_for_the_whole_metropolis_counts_as_near(index):
    outcome = index.search(Query(text="transport", place="Lille"), now=MONDAY_NOON)
    assert ids(outcome)[0] == "mobility"


def test_anywhere_ignores_the_place(index):
    outcome = index.search(Query(text="douche", place="Roubaix", anywhere=True), now=MONDAY_NOON)
    assert outcome.place is None
    assert outcome.results and all(r.distance_km is None for r in outcome.results)


# --------------------------------------------------------------------------- audience, filters


def test_a_woman_is_never_sent_to_a_men_only_shelter(index):
    outcome = index.search(Query(text="je suis une femme, je dors dehors"), now=MONDAY_NOON)
    assert "shelter-men" not in ids(outcome)
    assert ids(outcome)[0] == "shelter-women"


def test_a_man_is_never_sent_to_a_women_only_shelter(index):
    for query in (Query(text="hébergement d'urgence homme"),
                  Query(text="hébergement d'urgence", gender="men")):  # fmt: skip
        assert "shelter-women" not in ids(index.search(query, now=MONDAY_NOON))


def test_a_family_is_not_sent_where_children_are_refused(index):
    outcome = index.search(Query(text="shelter for my children"), now=MONDAY_NOON)
    assert "shelter-men" not in ids(outcome)
    assert ids(outcome)[0] == "shelter-families"


def test_age_from_the_text_and_from_the_query(index):
    young = index.search(Query(text="I am 19 and need a job"), now=MONDAY_NOON)
    assert ids(young)[0] == "youth-jobs"
    old = index.search(Query(text="trouver un emploi", age=40), now=MONDAY_NOON)
    assert "youth-jobs" not in ids(old)


def test_students_get_student_services_first(index):
    outcome = index.search(Query(text="épicerie étudiant"), now=MONDAY_NOON)
    assert ids(outcome)[0] == "student-grocery"


def test_filters_chosen_with_buttons(index):
    free = index.search(Query(text="douche", free_only=True), now=MONDAY_NOON)
    assert ids(free) == ["shower-lille"]
    walk_in = index.search(Query(text="douche", no_appointment=True), now=MONDAY_NOON)
    assert ids(walk_in) == ["shower-lille"]
    opened = index.search(Query(text="douche", open_at=MONDAY_NOON), now=MONDAY_NOON)
    assert ids(opened) == ["shower-lille"] and opened.results[0].open_now is True
    closed = index.search(Query(text="douche", open_at=MONDAY_NOON.replace(hour=17)))
    assert closed.results == []


def test_free_said_in_words_reorders_without_excluding(index):
    outcome = index.search(Query(text="douche gratuite", place="Roubaix"), now=MONDAY_NOON)
    assert set(ids(outcome)) == {"shower-lille", "shower-roubaix"}


def test_open_now_is_reported(index):
    outcome = index.search(Query(text="douche"), now=MONDAY_NOON)
    states = {r.service_id: r.open_now for r in outcome.results}
    assert states == {"shower-lille": True, "shower-roubaix": None}


def test_pagination_keeps_the_total(index):
    first = index.search(Query(text="manger", limit=2), now=MONDAY_NOON)
    second = index.search(Query(text="manger", limit=2, offset=2), now=MONDAY_NOON)
    assert len(first.results) == 2 and first.total == second.total >= 3
    assert not set(ids(first)) & set(ids(second))


@pytest.mark.parametrize("first", [(0, 20), (0, 2), (3, 2)])
def test_a_page_is_the_same_whatever_was_asked_before(index, first):
    """Outcomes are remembered per query without its page: a page cut from a deeper one, or
    asked after a shallower one, is what a fresh index answers."""
    fresh = SearchIndex.build(index.services)
    index.search(Query(text="manger", offset=first[0], limit=first[1]), now=MONDAY_NOON)
    for offset, limit in [(0, 1), (0, 2), (1, 2), (2, 5), (0, 20)]:
        query = Query(text="manger", offset=offset, limit=limit)
        assert index.search(query, now=MONDAY_NOON) == fresh.search(query, now=MONDAY_NOON)


# --------------------------------------------------------------------------- per database


def test_current_index_is_rebuilt_when_the_catalogue_changes(sqlite_engine):
    with session_scope(sqlite_engine) as session:
        session.add(make("a", "Douches A", ["shower"]))
    assert len(current_index(sqlite_engine)) == 1
    assert current_index(sqlite_engine) is current_index(sqlite_engine)
    with session_scope(sqlite_engine) as session:
        session.add(make("b", "Douches B", ["shower"], ROUBAIX))
    assert len(current_index(sqlite_engine)) == 2
    outcome = search_services(sqlite_engine, Query(text="douche", place="Roubaix"))
    assert ids(outcome) == ["b", "a"]


def test_the_index_built_before_a_change_is_let_go_before_its_successor_is_built(
    sqlite_engine, monkeypatch
):
    """Two indexes at once would double the peak memory (+100 MB at 100k services)."""
    with session_scope(sqlite_engine) as session:
        session.add(make("a", "Douches A", ["shower"]))
    before = weakref.ref(current_index(sqlite_engine))
    build = SearchIndex.from_engine
    alive_during_build = []

    def from_engine(engine: Engine) -> SearchIndex:
        gc.collect()
        alive_during_build.append(before() is not None)
        return build(engine)

    monkeypatch.setattr(SearchIndex, "from_engine", from_engine)
    with session_scope(sqlite_engine) as session:
        session.add(make("b", "Douches B", ["shower"], ROUBAIX))
    assert len(current_index(sqlite_engine)) == 2
    assert alive_during_build == [False]


def test_answers_and_opening_of_an_earlier_minute_are_let_go(index):
    """A bot running for weeks keeps only the current minute's, never read again after it."""
    queries = [Query(text="douche", place="Roubaix"), Query(text="manger")]
    for query in queries:
        index.search(query, now=MONDAY_NOON)
    later = MONDAY_NOON.replace(minute=1)
    outcome = index.search(queries[0], now=later)
    assert outcome == SearchIndex.build(index.services).search(queries[0], now=later)
    assert [at for _, at in index._answers] == [later]
    assert {at for _, at in index.ranking._open_cache} == {later}


def test_a_search_answers_the_same_whatever_was_searched_before(index):
    """Searches share scratch arrays and caches: none may leak into the next one."""
    queries = [Query(text=t, place=p) for t, p in [
        ("douche", "Roubaix"), ("manger", None), ("emaus conect", None), ("colis alimentaire", "Lille"),
        ("hébergement femme", "Tourcoing"), ("xqzt", None), ("épicerie étudiant", "Lille"),
        ("douche et vêtements", "Lille"), ("manger ou se laver", None),
    ]]  # fmt: skip
    for query in queries:
        index.search(query, now=MONDAY_NOON)
    for query in reversed(queries):
        fresh = SearchIndex.build(index.services)
        assert index.search(query, now=MONDAY_NOON) == fresh.search(query, now=MONDAY_NOON)
    assert (index.postings.slots() == -1).all()


def test_an_index_ranks_by_the_weights_it_is_built_with(index):
    """`Weights` are the index's, not module constants: a stricter threshold abstains."""
    query = Query(text="douche", place="Roubaix")
    assert index.weights == Weights()
    assert not index.search(query, now=MONDAY_NOON).abstained
    strict = SearchIndex.build(index.services, weights=Weights(min_relevance=1.5))
    assert strict.search(query, now=MONDAY_NOON).abstained


def test_the_index_read_from_columns_answers_as_the_one_from_orm_services(sqlite_engine):
    """`from_engine` reads light rows; ORM services give the very same answers."""
    assert import_file(sqlite_engine, CATALOGUE).ok()
    with session_scope(sqlite_engine) as session:
        from_orm = SearchIndex.build(list_services(session))
    from_rows = SearchIndex.from_engine(sqlite_engine)
    assert from_rows.ids == from_orm.ids
    for text, place in [
        ("douche", "Roubaix"),
        ("manger", None),
        ("emaus conect", None),
        ("hébergement femme", "Tourcoing"),
        ("avocat gratuit", "Lille"),
        ("cours de français", "Villeneuve-d'Ascq"),
        ("xqzt", None),
    ]:
        for open_at in (None, MONDAY_NOON):
            query = Query(text=text, place=place, open_at=open_at)
            assert from_rows.search(query, now=MONDAY_NOON) == from_orm.search(
                query, now=MONDAY_NOON
            )
