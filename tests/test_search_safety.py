"""Safety: distress told as a situation (violence at home, wanting to die) is understood as the
need it is in all nine languages, and ordinary needs do not read as distress (the bot shows
national emergency lines from the categories understood)."""

import pytest

from catalogue.search import Query, SearchIndex
from tests.test_search import make

VIOLENCE = [
    "mon mari me frappe", "je me fais frapper", "violence conjugale", "my husband hits me",
    "he beats me", "I was raped", "زوجي يضربني", "عنف زوجي", "мой муж меня бьёт",
    "чоловік мене б'є", "mi marido me pega", "شوهرم مرا کتک می زند", "خاوند مې وهي",
    "soțul meu mă bate", "rajli kaydrabni", "shoharam kotakam mizane",
]  # fmt: skip
DISTRESS = [
    "j'ai envie de mourir", "je n'en peux plus", "I want to kill myself", "I can't go on",
    "I'm depressed", "أريد أن أموت", "хочу вмерти", "хочу умереть", "quiero morir",
    "می خواهم بمیرم", "غواړم ځان ووژنم", "vreau să mor", "bghit nmout", "mikham bemiram",
]  # fmt: skip
MIND = {"psychological_support", "mental_health"}


@pytest.fixture(scope="module")
def index():
    return SearchIndex.build([
        make("psy", "Consultation psychologique", ["psychological_support", "mental_health"]),
        make("shelter", "Halte de nuit", ["emergency_accommodation"]),
        make("women", "Accueil femmes victimes", ["sexual_violence_support"]),
    ])  # fmt: skip


@pytest.mark.parametrize("text", VIOLENCE)
def test_violence_at_home_is_understood(index, text):
    assert "sexual_violence_support" in index.search(Query(text=text)).categories


@pytest.mark.parametrize("text", DISTRESS)
def test_wanting_to_die_is_understood(index, text):
    outcome = index.search(Query(text=text))
    assert MIND & set(outcome.categories)
    assert outcome.results[0].service_id == "psy"


def test_violence_with_a_shelter_asked_reads_both(index):
    found = set(index.search(Query(text="my husband hits me I need a shelter")).categories)
    assert {"sexual_violence_support", "emergency_accommodation"} <= found


@pytest.mark.parametrize(
    "text",
    [
        "I sleep in the street tonight",
        "je peux plus payer mon loyer",
        "nu mai pot plăti chiria",
        "coup de main pour un dossier",
        "я беременна негде жить",
        "je veux finir ma formation",
    ],
)
def test_ordinary_needs_are_not_distress(index, text):
    found = set(index.search(Query(text=text)).categories)
    assert not found & (MIND | {"sexual_violence_support"})
