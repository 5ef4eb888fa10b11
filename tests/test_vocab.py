"""Word look-up: exact words with their own forms, typos for unknown words, short words exact."""

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from catalogue.needs import lexicon
from catalogue.text import script_of
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


LEXICON = lexicon().vocabulary


@settings(max_examples=400, deadline=None)
@given(word=st.sampled_from(LEXICON.words), edits=st.lists(
    st.tuples(st.integers(0, 30), st.sampled_from("abcdeilnorstuéаоеиوای"), st.integers(0, 2)),
    min_size=1, max_size=3))  # fmt: skip
def test_the_letter_bound_drops_no_word_rapidfuzz_would_accept(word, edits):
    """The numpy pre-filter only spares rapidfuzz work: the answer is what scoring every word of
    the same script and a reachable length would give."""
    for at, letter, kind in edits:  # a typo: a letter dropped, added or replaced
        at %= len(word) + 1
        word = [word[:at] + word[at + 1 :], word[:at] + letter + word[at:],
                word[:at] + letter + word[at + 1 :]][kind]  # fmt: skip
    if word in LEXICON.ids or cutoff(len(word)) is None:
        return
    cut = cutoff(len(word))
    same = [w for w in LEXICON.words if script_of(w) == script_of(word) and len(w) >= 4]
    every = {w for w, score, _ in process.extract(word, same, scorer=fuzz.ratio, score_cutoff=cut,
                                                  limit=None)
             if len(w) >= len(word) or score >= (cutoff(len(w)) or 101)}  # fmt: skip
    assert {LEXICON.words[i] for i, _ in LEXICON.matches(word)} == every
