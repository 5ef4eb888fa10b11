"""Word look-up: exact words with their own forms, typos for unknown words, short words exact."""

from catalogue.vocab import Vocabulary, cutoff

VOCABULARY = Vocabulary(["douche", "doucher", "couche", "ملابس", "ملابسي", "bus", "laverie"])


def words(found):
    return {VOCABULARY.words[i] for i, _ in found}


def test_a_known_word_with_its_own_forms_only():
    assert words(VOCABULARY.matches("douche")) == {"douche", "doucher"}
    assert words(VOCABULARY.matches("ملابسي")) == {"ملابسي", "ملابس"}


def test_typos_of_unknown_words():
    assert words(VOCABULARY.matches("douhce")) == {"douche"}
    assert words(VOCABULARY.matches("lavrie")) == {"laverie"}
    assert all(0.8 <= similarity < 1 for _, similarity in VOCABULARY.matches("douhce"))


def test_short_words_only_exact():
    assert cutoff(3) is None
    assert words(VOCABULARY.matches("bus")) == {"bus"}
    assert VOCABULARY.matches("bis") == ()


def test_other_scripts_are_not_compared():
    assert VOCABULARY.matches("душ") == ()
