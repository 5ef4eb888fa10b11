"""Programme names found whatever the typos or the script they are typed in."""

import pytest

from catalogue.names import NameIndex
from catalogue.text import normalise, stem
from tests.factories import make_service


@pytest.fixture(scope="module")
def names():
    return NameIndex.build(
        [make_service("a", "Emmaüs Connect", where=None),
         make_service("b", "Boutique solidaire Le Bouton d'Or", where=None),
         make_service("c", "Fonds de Solidarité Logement", where=None, alternate_name="F.S.L.")],
        common_words={"boutique", "solidaire", "panier"},
    )  # fmt: skip


def match(names, text):
    raw = normalise(text).split()
    return names.match([stem(w) for w in raw], raw, (1 << len(raw)) - 1)


@pytest.mark.parametrize(
    "text",
    [
        "emmaus connect",
        "emaus conect",
        "emaus conek",
        "إيماوس كونكت",
        "ایماوس کانکت",
        "Эммаус Коннект",
    ],
)
def test_a_name_in_any_script(names, text):
    found = match(names, text)
    assert list(found.services) == [0]
    assert found.scores[0] > 0.7 and found.bits[0] == (1 << len(text.split())) - 1


def test_a_latin_word_never_matches_a_name_by_sound_alone(names):
    assert match(names, "bitcoin") is None


def test_generic_words_alone_are_not_a_name(names):
    assert match(names, "boutique solidaire") is None


def test_dotted_acronyms_are_words(names):
    assert list(match(names, "fsl").services) == [2]


def test_a_word_counts_once_per_service_when_judging_if_it_is_generic():
    """Three shops named "Les Oliviers" (each with an alternate name holding it too) are three
    services, not six names: the word still finds them."""
    names = NameIndex.build(
        [make_service(f"s{n}", f"Épicerie Les Oliviers {n}", where=None,
                      alternate_name=f"Oliviers {n}") for n in range(3)],
        common_words={"epicerie"},
    )  # fmt: skip
    assert set(match(names, "les oliviers").services) == {0, 1, 2}
