"""One rule says whether a service is free (catalogue.fees), and search, import and the card
follow it."""

from datetime import UTC, datetime

import pytest

from bot.render import render_service_card
from catalogue.db import session_scope
from catalogue.fees import is_free, settle_free
from catalogue.search import Query, SearchIndex
from catalogue.services import apply_snapshot, list_services


@pytest.mark.parametrize(
    ("fees", "free"),
    [
        (None, None),
        ("", None),
        ("Gratuit", True),
        ("Gratuit et anonyme", True),
        ("Entièrement gratuit", True),
        ("Gratuit, 2 fois par semaine", True),  # a digit that is no amount is no price
        ("Gratuit, adhésion annuelle 5 €", False),
        ("Gratuit (adhésion de 5 € par an)", False),
        ("Gratuit, adhésion annuelle", False),  # a fee word without its amount
        ("Gratuit, cotisation annuelle", False),
        ("1 € le repas, gratuit sur présentation d'un bon du CCAS", False),
        ("1 € le repas", False),
        ("Repas à 2 euros", False),
        ("3€ la douche", False),
        ("Gratuit sans couverture maladie ; sinon tiers payant", True),  # no one pays at the door
        ("Gratuit pour les moins de 26 ans, sinon nous consulter", True),  # the card says the rest
        ("Participation libre", None),  # a donation asked: not promised free, no price either
        ("Sans avance de frais", None),
        ("Accès gratuit le mardi", None),  # only a text that starts by saying free is read
    ],
)
def test_what_a_resident_would_call_free(fees, free):
    assert is_free(fees) is free


@pytest.mark.parametrize(
    ("stated", "fees", "free"),
    [
        (True, "Gratuit, adhésion annuelle 5 €", False),  # the text names a price: not free
        (False, "Gratuit", True),
        (True, "Participation libre", True),  # the text says nothing plain: the source decides
        (None, "Participation libre", None),
        (True, None, True),
        (None, "Gratuit", True),
    ],
)
def test_the_stored_value_follows_the_fees_text_when_it_says_something(stated, fees, free):
    assert settle_free(stated, fees) is free


@pytest.mark.parametrize(
    ("stated", "fees", "free"),
    [
        (True, "Gratuit, adhésion annuelle 5 €", False),  # was listed as "Cost: free."
        (None, "Gratuit, 2 fois par semaine", True),  # was under Free, with its cost as a price
    ],
)
def test_the_free_filter_and_the_card_say_the_same(sqlite_engine, stated, fees, free):
    snapshot = {"id": "svc", "name": "Douches", "free": stated, "fees": fees,
                "categories": ["shower"]}  # fmt: skip
    with session_scope(sqlite_engine) as session:
        apply_snapshot(session, snapshot)
    with session_scope(sqlite_engine) as session:
        services = list_services(session)
        index = SearchIndex.build(services)
        listed = index.search(Query(text="douche", free_only=True)).results
        card = render_service_card(services[0], "en", now=datetime(2026, 3, 2, 10, tzinfo=UTC))
    assert services[0].free is free
    assert bool(listed) is free
    assert ("Cost: free." in card.text) is free
