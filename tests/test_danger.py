"""The danger reader: its development set per language, the lines each kind calls for, and
the data files a reviewer edits.

Figures on the development set (recall and false alarms per language):

    .venv/bin/python -m tests.test_danger
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from catalogue import danger, emergency, taxonomy

DEV_SET = Path(__file__).parent / "data" / "danger_dev.json"
RECALL, RECALL_PER_LANGUAGE, FALSE_ALARMS = 0.98, 0.95, 0.05


def dev_set(path: Path = DEV_SET) -> dict[str, list[tuple[str, list[str]]]]:
    """Messages per language of a set in the development set's format (keys "_…" are notes)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {lang: [(text, kinds) for text, kinds in rows] for lang, rows in raw.items()
            if not lang.startswith("_")}  # fmt: skip


@dataclass
class Score:
    dangers: int = 0
    found: int = 0  # every kind expected was read (the right numbers are shown)
    calm: int = 0
    alarms: int = 0
    misses: tuple[str, ...] = ()

    @property
    def recall(self) -> float:
        return self.found / self.dangers if self.dangers else 1.0

    @property
    def false_alarms(self) -> float:
        return self.alarms / self.calm if self.calm else 0.0


def score(rows: list[tuple[str, list[str]]], lang: str) -> Score:
    s = Score()
    misses = []
    for text, kinds in rows:
        read = danger.read(text, lang)
        if kinds:
            s.dangers += 1
            ok = set(kinds) <= set(read.kinds)
            s.found += ok
        else:
            s.calm += 1
            ok = not read
            s.alarms += not ok
        if not ok:
            misses.append(f"{text!r}: expected {kinds}, read {list(read.kinds)}")
    s.misses = tuple(misses)
    return s


def scores(path: Path = DEV_SET) -> dict[str, Score]:
    return {lang: score(rows, lang) for lang, rows in dev_set(path).items()}


def total(per_language: dict[str, Score]) -> Score:
    return Score(*(sum(getattr(s, f) for s in per_language.values())
                   for f in ("dangers", "found", "calm", "alarms")))  # fmt: skip


def test_the_development_set_covers_every_language_with_30_messages_or_more():
    rows = dev_set()
    assert set(rows) == set(taxonomy.LANGUAGES)
    for lang, messages in rows.items():
        assert len(messages) >= 30, lang
        assert sum(1 for _, kinds in messages if not kinds) >= 8, lang  # ordinary messages too
        for _, kinds in messages:
            assert set(kinds) <= set(danger.kinds()), kinds


def test_recall_and_false_alarms_on_the_development_set():
    per_language = scores()
    everything = total(per_language)
    misses = [m for s in per_language.values() for m in s.misses]
    assert everything.recall >= RECALL, misses
    assert everything.false_alarms <= FALSE_ALARMS, misses
    for lang, s in per_language.items():
        assert s.recall >= RECALL_PER_LANGUAGE, (lang, s.misses)


@pytest.mark.parametrize(("text", "lang", "numbers"), [
    ("je veux mourir", "fr", ["3114", "15", "112", "114"]),
    ("mon mari me frappe", "fr", ["17", "3919", "112", "114"]),
    ("il frappe mes enfants", "fr", ["119", "17", "3919", "112", "114"]),
    ("je suis mineur et je dors dehors", "fr", ["119", "115"]),
    ("I sleep in the street tonight", "en", ["115"]),
    ("SOS", "en", ["112"]),
    ("I'm 15 and I want to die", "en", ["119", "3114", "15", "112", "114"]),
    ("j'ai pris toutes mes pilules", "fr", ["15", "3114", "112", "114"]),  # already done: SAMU
    ("je me suis ouvert les veines", "fr", ["15", "3114", "112", "114"]),
    ("je vais m'ouvrir les veines", "fr", ["3114", "15", "112", "114"]),  # not yet: 3114
    ("выпила пачку антидепрессантов", "ru", ["15", "3114", "112", "114"]),
    ("همه قرصامو خوردم", "fa", ["15", "3114", "112", "114"]),
    ("chrebt jafel", "ar", ["15", "3114", "112", "114"]),
    ("I'm 15 and I took all my pills", "en", ["119", "15", "3114", "112", "114"]),
])  # fmt: skip
def test_each_kind_calls_for_its_lines_in_order(text, lang, numbers):
    assert [line.number for line in danger.read(text, lang).lines] == numbers


@pytest.mark.parametrize(("text", "lang"), [
    ("je ne suis pas en danger", "fr"), ("I'm not in danger, I need a shower", "en"),
    ("je n'ai pas envie de mourir", "fr"), ("не хочу умирать", "ru"),
    ("je n'arrive pas à me réveiller le matin", "fr"), ("не могу проснуться рано утром", "ru"),
    ("پدرم در را می زند", "fa"),  # knocks on the door
    ("je meurs de rire", "fr"), ("tuer le temps", "fr"), ("mon téléphone est mort", "fr"),
    ("I'm dying to get a haircut", "en"), ("je me bats pour mes enfants", "fr"),
    ("hébergement d'urgence", "fr"), ("aide alimentaire urgente", "fr"),
    ("help with my rent", "en"), ("je veux vivre à Lille", "fr"),
])  # fmt: skip
def test_negations_idioms_and_ordinary_requests_are_not_dangers(text, lang):
    assert not danger.read(text, lang), danger.read(text, lang)


@pytest.mark.parametrize(("text", "lang", "kind"), [
    ("je veux plus vivre", "fr", "suicide"),  # a negation that makes the danger
    ("j'en peux plus, je veux disparaitre", "fr", "suicide"),
    ("jveu en finir", "fr", "suicide"),  # SMS
    ("je veu mourrir", "fr", "suicide"),  # typos
    ("жить не хочу", "ru", "suicide"),  # another word order
    ("bghit nmout", "ar", "suicide"),  # Arabizi
    ("nemikham zendegi konam", "fa", "suicide"),  # Finglish
    ("il m'a frappée", "fr", "violence"),  # another subject, past tense
    ("mon fils veut se suicider", "fr", "suicide"),  # someone else at risk
    ("le mari de ma voisine la tabasse", "fr", "violence"),
    ("everyone would be better off without me", "en", "suicide"),  # euphemisms
    ("je voudrais dormir et ne plus jamais me réveiller", "fr", "suicide"),
    ("شوهرش هر شب اونو با کمربند می زند", "fa", "violence"),  # verb last, "می" apart
    ("j'ai avalé 25 dafalgan", "fr", "suicide"),  # a count of pills
    ("خسته شدم، میخوام بمیرم", "fa", "suicide"),  # the Arabic comma ends a clause
])  # fmt: skip
def test_ways_of_saying_it(text, lang, kind):
    assert kind in danger.read(text, lang).kinds


def test_a_danger_said_in_another_language_than_the_interface_is_read():
    assert danger.read("my husband hits me", "fr").kinds == ("violence",)
    assert danger.read("je veux mourir", "ar").kinds == ("suicide",)


def test_a_call_for_help_beside_a_need_is_not_a_bare_call():
    assert danger.read("au secours !", "fr").kinds == ("help",)
    assert not danger.read("au secours, je cherche un colis alimentaire", "fr")
    assert danger.read("SOS je veux mourir", "fr").kinds == ("suicide",)


def test_a_minor_is_read_from_an_age_or_a_word():
    assert danger.read("j'ai 14 ans et mon père me frappe", "fr").minor
    assert danger.read("jai 14ans mon pere me frappe", "fr").minor
    assert danger.read("мне 16 и я ночую на улице", "ru").kinds == ("child", "outside")
    assert not danger.read("j'ai 30 ans et mon mari me frappe", "fr").minor


def test_needs_that_follow_a_danger_are_never_food():
    food = set(taxonomy.expand("food"))
    for kind in danger.kinds():
        assert not set(danger.needs_for([kind])) & food


def test_kinds_data_names_real_lines_and_taxonomy_keys():
    lines = {line.id for line in emergency.all_lines()}
    spec = danger.kinds_data()["kinds"]
    for kind, entry in spec.items():
        assert entry["lines"] and set(entry["lines"]) <= lines, kind
        for key in [*entry["needs"], *entry["categories"]]:
            assert taxonomy.get_category(key) is not None, (kind, key)


def test_every_language_file_loads_and_names_only_known_kinds():
    for lang in taxonomy.LANGUAGES:
        data = danger.language(lang)
        assert set(data.phrases) <= set(danger.kinds()), lang
        assert data.negations and data.calls, lang


def test_a_phrase_word_must_be_one_word():
    with pytest.raises(ValueError, match="more than one word"):
        danger._words("m'a")


def test_needs_picked_with_buttons_stand_for_their_danger():
    assert danger.from_categories(["psychiatry"]).kinds == ("suicide",)
    assert danger.from_categories(["overnight_stop", "food"]).kinds == ("outside",)
    assert not danger.from_categories(["food", "health"])


def main(argv: list[str] | None = None) -> None:
    """Print recall and false alarms per language on the development set, or on any set of
    the same format (`--set FILE`: a fresh round written by someone else)."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--set", type=Path, default=DEV_SET, dest="path", metavar="FILE")
    per_language = scores(parser.parse_args(argv).path)
    print(f"{'lang':<5}{'danger':>7}{'recall':>8}{'calm':>6}{'false alarms':>14}")
    for lang, s in [*per_language.items(), ("all", total(per_language))]:
        print(f"{lang:<5}{s.dangers:>7}{s.recall:>8.3f}{s.calm:>6}{s.false_alarms:>14.3f}")
    for s in per_language.values():
        for miss in s.misses:
            print("  miss:", miss)


if __name__ == "__main__":
    main()


@pytest.mark.parametrize(("text", "lang"), [
    ("la police m'a demandé un justificatif pour ma plainte pour vol de vélo", "fr"),  # not "plante"
    ("je me suis coupé le doigt en épluchant des légumes", "fr"),
    ("les voisins maltraitent leur chien, qui contacter ?", "fr"),
    ("vecinul isi bate cainele in fiecare zi", "ro"),
    ("i took my pills this morning but i need a new prescription", "en"),
])  # fmt: skip
def test_ordinary_words_are_never_mended_into_danger_words_and_animals_are_no_victims(text, lang):
    assert not danger.read(text, lang), danger.read(text, lang)


@pytest.mark.parametrize(("text", "lang", "kinds"), [
    ("17, kicked out by mum, kipping at the bus station tonight", "en", ["child", "outside"]),
    ("my neighbour's kid, maybe 8, always has bruises", "en", ["child"]),
    ("mon petit frère, environ 9, il a des bleus partout", "fr", ["child"]),
])  # fmt: skip
def test_an_age_said_alone_between_commas_is_a_minor_and_joins_the_clauses_around_it(
        text, lang, kinds):  # fmt: skip
    assert set(kinds) <= set(danger.read(text, lang).kinds)


def test_a_number_between_commas_that_is_no_age_is_no_minor():
    assert not danger.read("je dors dehors, depuis 5 jours", "fr").minor
    assert not danger.read("je dors dehors, 25", "fr").minor


@pytest.mark.parametrize(("text", "lang", "kind"), [
    ("نمیدونم امشب کجا بخوابم", "fa", "outside"),  # "I don't know" negates no danger
    ("ما ته د شپې د پاره ځای پکار دی", "ps", "outside"),
    ("personne ne me regretterait si je partais", "fr", "suicide"),  # the negation is the phrase's
    ("jai 15ans jdor dehor depui 2 nuits", "fr", "child"),
    ("jen ai marre de tout jvoudrais plus me reveiller", "fr", "suicide"),
])  # fmt: skip
def test_a_negation_that_belongs_to_the_phrase_or_another_verb_does_not_cancel_it(text, lang, kind):
    assert kind in danger.read(text, lang).kinds


def test_the_words_of_the_danger_and_its_negation_are_not_the_rest():
    assert danger.read("не хочу больше жить, нужен юрист", "ru").rest == "нужен юрист"


@pytest.mark.parametrize(
    "text, lang, kinds",
    [
        ("غواړم ځان ووژنم", "ps", ("suicide",)),  # killing oneself is no violence
        ("za ghwaram zan wazhnam", "ps", ("suicide",)),
        ("مېړه مې وايي که ولاړې شې وژنم دې", "ps", ("violence",)),
        ("I OD'd", "en", ("overdose", "suicide")),  # 15 first
        ("klit ga3 dwa", "ar", ("overdose", "suicide")),
        ("شربت كل الحبوب", "ar", ("overdose", "suicide")),
        ("ma fille a avalé des médicaments", "fr", ("overdose", "suicide")),
        ("jsui en dangé", "fr", ("violence",)),
        ("j ai 15 ans g nul part ou dormir", "fr", ("child", "outside")),
        ("my son is 15 and he's outside tonight", "en", ("child", "outside")),
        ("۱۵ سالمه و تو خیابونم", "fa", ("child", "outside")),
        ("mon beau-père me tape quand ma mère est pas là", "fr", ("child", "violence")),
        ("my mum's boyfriend hits me when she's at work", "en", ("child", "violence")),
        ("my husband hits me", "en", ("violence",)),
        ("у меня передоз", "ru", ("overdose", "suicide")),  # street drugs: 15 first
        ("друг передознулся", "ru", ("overdose", "suicide")),
        ("he took too much heroin", "en", ("overdose", "suicide")),
        ("a luat prea multe droguri", "ro", ("overdose", "suicide")),
        ("he is not breathing", "en", ("overdose", "suicide")),  # not breathing: 15 first
        ("elle respire plus", "fr", ("overdose", "suicide")),
        ("ما عم يتنفس", "ar", ("overdose", "suicide")),
        ("ابوي يضربني وعمري ١٤", "ar", ("child", "violence")),  # "و" written onto "عمري"
    ],
)
def test_these_read_exactly_these_kinds_and_no_more(text, lang, kinds):
    assert danger.read(text, lang).kinds == kinds


@pytest.mark.parametrize(("text", "lang"), [
    ("il respire mal depuis hier", "fr"),
    ("overdose de boulot cette semaine", "fr"),
    ("my son won't wake up for school", "en"),
    ("не могу дышать от пыли", "ru"),
    ("nu mă pot trezi dimineața", "ro"),
    ("خلص الدوام وما في شي", "ar"),  # "وما" is "and" + "ما", calm all the same
])  # fmt: skip
def test_breathing_badly_waking_late_and_an_overdose_of_work_are_calm(text, lang):
    assert not danger.read(text, lang), danger.read(text, lang)


@pytest.mark.parametrize(("text", "lang", "read_in"), [
    ("نمیخوام زنده باشم", "fr", "fa"),  # a Persian message on a French phone
    ("je veux mourir", "en", "fr"),
    ("ابوي يضربني", "fr", "ar"),
    ("у меня передоз", "fr", None),  # Russian and Ukrainian both say it: the letters tell
])  # fmt: skip
def test_the_danger_tells_the_one_language_whose_phrases_read_it(text, lang, read_in):
    assert danger.read(text, lang).lang == read_in
