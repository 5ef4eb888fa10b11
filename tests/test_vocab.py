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


def test_the_shorter_word_of_a_pair_sets_the_bar():
    """Two letters more than a short word is not one typo ("cinema" is not Romanian "cina")."""
    vocabulary = Vocabulary(["cina", "water", "sweater"])
    assert {vocabulary.words[i] for i, _ in vocabulary.matches("cinema")} == set()
    assert {vocabulary.words[i] for i, _ in vocabulary.matches("weather")} == {"sweater"}


def test_a_known_word_does_not_match_a_four_letter_root_of_itself():
    vocabulary = Vocabulary(["street", "stre"])
    assert {vocabulary.words[i] for i, _ in vocabulary.matches("street")} == {"street"}
