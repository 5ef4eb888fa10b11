"""What a person needs and who is asking, read from what they wrote, in nine languages.

The words come from data files: `data/synonyms/<lang>.json` (how people say a need, per
Soliguide key), the taxonomy labels, `data/stopwords/<lang>.txt` (words that say nothing about the
need: "where can I find") and `data/audience.json` (women, students, families..., and filters said
in words: free, without appointment, open now). Every phrase goes through the same
normalisation as the query (`text.normalise`, stop words out, `text.stem`), so a phrase matches
whatever the accents, case, article or plural the person used; typos are handled by
`vocab.Vocabulary`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from catalogue import taxonomy
from catalogue.language import from_latin
from catalogue.text import normalise, stem
from catalogue.vocab import Vocabulary

DATA = Path(__file__).parent / "data"
MAX_WORDS = 32  # a query's words are tracked as bits of an int; the rest is ignored


@cache
def stopwords() -> frozenset[str]:
    """Stop words of every language, normalised (a query may mix languages)."""
    words: set[str] = set()
    for path in sorted((DATA / "stopwords").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.startswith("#"):
                words.update(normalise(line).split())
    return frozenset(words)


def key_words(text: str) -> list[str]:
    """The comparison keys of the words of `text` that are not stop words."""
    stops = stopwords()
    return [stem(w) for w in normalise(text).split() if w not in stops]


@cache
def chat_spellings() -> dict[str, dict[str, list[str]]]:
    """Per language: a chat or SMS spelling ("jai", "jsuis", "cant") -> the words it stands for,
    normalised (`data/chat.json`)."""
    data = json.loads((DATA / "chat.json").read_text(encoding="utf-8"))
    return {
        lang: {normalise(short): normalise(full).split() for short, full in table.items()}
        for lang, table in data.items()
        if not lang.startswith("_")
    }


@cache
def glued_pronouns() -> dict[str, str]:
    """Letters that stand for a pronoun glued to the next word ("jcrève": "je crève"), with the
    pronoun, any language (`data/chat.json` `_glued`)."""
    data = json.loads((DATA / "chat.json").read_text(encoding="utf-8"))["_glued"]
    return {short: full for lang, table in data.items() if not lang.startswith("_")
            for short, full in table.items()}  # fmt: skip


_VOWELS = frozenset("aeiouyh")


def unchat(words: Sequence[str], lang: str) -> list[str]:
    """Normalised `words` with chat spellings written out, read in `lang` first ("ya" is "il y a"
    in French, "you" in English chat), and a glued pronoun split off ("jcomprends")."""
    tables = chat_spellings()
    order = [tables[lang]] if lang in tables else []
    order += [t for code, t in tables.items() if code != lang]
    glued = glued_pronouns()
    out: list[str] = []
    for word in words:
        full = next((t[word] for t in order if word in t), None)
        if full is None:
            short = next((p for p in (word[:2], word[:1]) if p in glued), None)
            rest = word[len(short) :] if short else ""
            if short and len(rest) >= 3 and rest[0] not in _VOWELS and rest.isalpha():
                full = [glued[short], rest]
        if full is None and (cyrillic := from_latin(word)):  # "vrach": Russian in Latin letters
            full = [cyrillic]
        out.extend(full if full is not None else [word])
    return out


@cache
def off_topic_phrases() -> dict[str, list[tuple[str, ...]]]:
    """Per first word: phrases asking what Relais does not answer ("how much is"), longest first
    (`data/off_topic.json`)."""
    data = json.loads((DATA / "off_topic.json").read_text(encoding="utf-8"))
    phrases = {tuple(normalise(p).split()) for lang, ps in data.items() if not lang.startswith("_")
               for p in ps}  # fmt: skip
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for phrase in sorted(phrases, key=len, reverse=True):
        if phrase:
            by_first.setdefault(phrase[0], []).append(phrase)
    return by_first


def off_topic(words: Sequence[str]) -> list[tuple[int, int]]:
    """(start, length) of the off-topic phrases in normalised `words`."""
    table = off_topic_phrases()
    found: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        phrase = next(
            (p for p in table.get(words[i], ()) if tuple(words[i : i + len(p)]) == p), None
        )
        if phrase:
            found.append((i, len(phrase)))
        i += len(phrase) if phrase else 1
    return found


@cache
def _introductions() -> tuple[frozenset[tuple[str, ...]], dict[str, list[tuple[str, ...]]]]:
    """Openers ("je suis", "I'm a") and roles ("assistante sociale") as comparison keys, roles
    by first word, longest first (`data/self_introductions.json`)."""
    data = json.loads((DATA / "self_introductions.json").read_text(encoding="utf-8"))

    def keyed(phrases: dict[str, list[str]]) -> set[tuple[str, ...]]:
        return {tuple(stem(w) for w in normalise(p).split()) for ps in phrases.values() for p in ps}

    roles: dict[str, list[tuple[str, ...]]] = {}
    for role in sorted(keyed(data["roles"]) - {()}, key=len, reverse=True):
        roles.setdefault(role[0], []).append(role)
    return frozenset(keyed(data["openers"]) - {()}), roles


def introductions(keys: Sequence[str]) -> int:
    """Bits of the words that introduce the writer ("je suis assistante sociale", "I'm a social
    worker"): a role right after an opener (at most one word between)."""
    openers, roles = _introductions()
    bits = 0
    for i in range(len(keys[:MAX_WORDS])):
        for role in roles.get(keys[i], ()):
            if tuple(keys[i : i + len(role)]) != role:
                continue
            for gap in (0, 1):  # "I'm a social worker": the article between
                for opener in openers:
                    start = i - gap - len(opener)
                    if start >= 0 and tuple(keys[start : start + len(opener)]) == opener:
                        bits |= sum(1 << j for j in range(start, min(i + len(role), MAX_WORDS)))
            break
    return bits


@dataclass(frozen=True)
class Need:
    """A category understood: how well (0..1) and which query words (bits) it explains."""

    key: str
    score: float
    words: int


@dataclass(frozen=True)
class Audience:
    """Who is asking and the filters they said, with the query words (bits) that said it."""

    tags: frozenset[str]
    age: int | None
    words: int


class Frames:
    """Situation frames (`data/situations.json`): what a person lacks or what is happening to
    them ("mon frigo est vide", "зуб болит", "the landlord kicked me out") read as needs. A frame
    is a few slots, each a union of word lists in every language; it reads its needs when every
    slot has an entry in the text, at distinct words. Entries are matched on comparison keys,
    stop words included ("pas de", "нет", "ما عندي"), typos allowed for the longer words."""

    def __init__(self, data: dict[str, Any]) -> None:
        lists: dict[str, set[tuple[str, ...]]] = {}
        for name, langs in data["words"].items():
            lists[name] = {tuple(stem(w) for w in normalise(entry).split())
                           for entries in langs.values() for entry in entries} - {()}  # fmt: skip
        entries = sorted({e for es in lists.values() for e in es})
        self.vocabulary = Vocabulary(w for e in entries for w in e)
        ids = self.vocabulary.ids
        self.entries: list[tuple[int, ...]] = [tuple(ids[w] for w in e) for e in entries]
        number = {e: i for i, e in enumerate(entries)}
        self.frames: list[tuple[tuple[str, ...], tuple[frozenset[int], ...]]] = [
            (tuple(f["needs"]), tuple(frozenset(number[e] for name in slot for e in lists[name])
                                      for slot in f["slots"]))
            for f in data["frames"]
        ]  # fmt: skip
        self.by_word: dict[int, list[int]] = {}
        for n, entry in enumerate(self.entries):
            for word_id in set(entry):
                self.by_word.setdefault(word_id, []).append(n)
        self.by_entry: dict[int, list[int]] = {}  # entry -> frames with a slot holding it
        for f, (_, slots) in enumerate(self.frames):
            for n in set().union(*slots):
                self.by_entry.setdefault(n, []).append(f)

    def needs(self, keys: Sequence[str], content: Sequence[bool]) -> dict[str, Need]:
        """Needs of the frames present in `keys` (every word's comparison key); `content` says
        which words are not stop words: only those are explained and may be typo'd."""
        best: dict[int, tuple[float, int]] = {}
        for position, key in enumerate(keys[:MAX_WORDS]):
            if content[position]:
                matches = self.vocabulary.matches(key)
            else:
                exact = self.vocabulary.ids.get(key)
                matches = ((exact, 1.0),) if exact is not None else ()
            for word_id, similarity in matches:
                if similarity > best.get(word_id, (0.0, 0))[0]:
                    best[word_id] = (similarity, position)
        if not best:
            return {}
        present: dict[int, tuple[float, int]] = {}  # entry -> (similarity, positions as bits)
        for n in {n for word_id in best for n in self.by_word.get(word_id, ())}:
            entry = self.entries[n]
            if all(w in best for w in entry):
                bits = sum({1 << best[w][1] for w in entry})
                present[n] = (sum(best[w][0] for w in entry) / len(entry), bits)
        found: dict[str, Need] = {}
        explained = sum(1 << i for i, c in enumerate(content[:MAX_WORDS]) if c)
        for f in sorted({f for n in present for f in self.by_entry.get(n, ())}):
            needs, slots = self.frames[f]
            used, score, filled = 0, 0.0, 0
            options = [sorted((hit for n, hit in present.items() if n in slot), reverse=True)
                       for slot in slots]  # fmt: skip
            for slot in options:
                pick = next((o for o in slot if not o[1] & used), None)
                if pick is None:
                    break
                used |= pick[1]
                score += pick[0]
                filled += 1
            if filled < len(slots) or not used & explained:
                continue
            for slot in options:  # the other words of a slot are explained too ("mrid skhana")
                for _, bits in slot:
                    if not bits & used:
                        used |= bits
            for key in needs:
                old = found.get(key)
                need = Need(key, score / len(slots), used & explained)
                found[key] = need if old is None or old.score < need.score else old
        return found


class Lexicon:
    """Synonym phrases of every category in every language, ready for matching."""

    def __init__(self, phrases: Iterable[tuple[str, str, str]], audience: dict[str, Any],
                 situations: dict[str, Any] | None = None) -> None:  # fmt: skip
        """`phrases`: (category key, text, language) of every synonym and label;
        `situations`: the frames of `data/situations.json`."""
        self.frames = Frames(situations or {"words": {}, "frames": []})
        phrases = list(phrases)
        parsed = [(key, tuple(key_words(text))) for key, text, _ in phrases]
        # Phrases made only of stop words ("je n'en peux plus", "can't go on") are matched
        # word for word, stop words included.
        self.idioms: list[tuple[str, tuple[str, ...]]] = sorted(
            {(key, tuple(stem(w) for w in normalise(text).split()))
             for (key, text, _), (_, words) in zip(phrases, parsed, strict=True)
             if not words and normalise(text)}
        )  # fmt: skip
        langs: dict[tuple[str, tuple[str, ...]], set[str]] = {}
        for (key, words), (_, _, lang) in zip(parsed, phrases, strict=True):
            if words:
                langs.setdefault((key, words), set()).add(lang)
        unique = sorted(langs)
        self.vocabulary = Vocabulary(w for _, words in unique for w in words)
        ids = self.vocabulary.ids
        self.phrases: list[tuple[str, tuple[int, ...]]] = [
            (key, tuple(ids[w] for w in words)) for key, words in unique
        ]
        self.languages: list[frozenset[str]] = [frozenset(langs[p]) for p in unique]
        self.by_word: dict[int, list[int]] = {}
        for number, (_, word_ids) in enumerate(self.phrases):
            for word_id in set(word_ids):
                self.by_word.setdefault(word_id, []).append(number)
        self.audience: dict[str, list[tuple[str, ...]]] = {
            tag: sorted(
                {tuple(stem(w) for w in normalise(p).split()) for ps in langs.values() for p in ps},
                key=len,
                reverse=True,
            )
            for tag, langs in audience.items()
            if isinstance(langs, dict)
        }
        self._by_first: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for tag, tag_phrases in self.audience.items():
            for phrase in tag_phrases:
                if phrase:
                    self._by_first.setdefault(phrase[0], []).append((tag, phrase))
        self.age_units = frozenset(
            stem(w) for u in audience["age_units"] for w in normalise(u).split()
        )
        self.age_cues = frozenset(
            stem(w) for u in audience["age_cues"] for w in normalise(u).split()
        )

    def needs(self, words: Sequence[str], lang: str | None = None) -> dict[str, Need]:
        """Categories whose phrases are fully present in `words` (comparison keys), typos allowed.

        A phrase scores the mean similarity of its words; a category keeps its best phrase score
        and the union of the query words its phrases explain. Words are read in `lang` first: a
        word a phrase of that language explains is not read through another language's phrases
        ("french course" in English is not French "courses", groceries).
        """
        best: dict[int, tuple[float, int]] = {}  # vocabulary id -> (similarity, query word bit)
        for position, word in enumerate(words[:MAX_WORDS]):
            for word_id, similarity in self.vocabulary.matches(word):
                if similarity > best.get(word_id, (0.0, 0))[0]:
                    best[word_id] = (similarity, 1 << position)
        candidates = {p for word_id in best for p in self.by_word.get(word_id, ())}
        present: list[tuple[int, float, int]] = []
        own = 0  # query words explained by a phrase of the query's language
        for number in candidates:
            word_ids = self.phrases[number][1]
            if all(w in best for w in word_ids):
                bits = 0
                for w in word_ids:
                    bits |= best[w][1]
                present.append((number, sum(best[w][0] for w in word_ids) / len(word_ids), bits))
                if lang in self.languages[number]:
                    own |= bits
        found: dict[str, Need] = {}
        for number, score, bits in present:
            if bits & own and lang not in self.languages[number]:
                continue
            key = self.phrases[number][0]
            old = found.get(key)
            if old is None:
                found[key] = Need(key, score, bits)
            else:
                found[key] = Need(key, max(score, old.score), bits | old.words)
        return found

    def idioms_in(self, keys: Sequence[str]) -> dict[str, Need]:
        """Categories of the stop-word-only phrases present, as a run, in `keys` (every word's
        comparison key, stop words included)."""
        found: dict[str, Need] = {}
        text = f" {' '.join(keys)} "
        for key, phrase in self.idioms:
            at = text.find(f" {' '.join(phrase)} ")
            if at >= 0:
                start = text[:at].count(" ")
                bits = sum(1 << i for i in range(start, min(start + len(phrase), MAX_WORDS)))
                found[key] = Need(key, 1.0, bits | found.get(key, Need(key, 0, 0)).words)
        return found

    def said(self, words: Sequence[str]) -> list[tuple[int, str, int]]:
        """(position, tag, length) of the audience phrases present in `words`; a longer phrase
        hides the shorter ones inside it ("sans enfant" is not "enfant")."""
        found = [
            (i, tag, len(phrase))
            for i, word in enumerate(words)
            for tag, phrase in self._by_first.get(word, ())
            if tuple(words[i : i + len(phrase)]) == phrase
        ]
        kept: list[tuple[int, str, int]] = []
        taken: set[int] = set()
        for at, tag, length in sorted(found, key=lambda f: -f[2]):
            span = set(range(at, at + length))
            if not span & taken or any(k[0] == at and k[2] == length for k in kept):
                kept.append((at, tag, length))
                taken |= span
        return sorted(kept)

    def who(self, words: Sequence[str]) -> Audience:
        """Audience tags, filters and age said in `words` (comparison keys)."""
        tags: set[str] = set()
        bits = 0
        for at, tag, length in self.said(words):
            tags.add(tag)
            for i in range(at, min(at + length, MAX_WORDS)):
                bits |= 1 << i
        age = None
        for i, word in enumerate(words[:MAX_WORDS]):
            if not (word.isdecimal() and 0 < int(word) < 111):
                continue
            after = [j for j in range(i + 1, min(i + 3, len(words))) if words[j] in self.age_units]
            cued = any(w in self.age_cues for w in words[max(0, i - 2) : i])
            if after or (cued and 12 <= int(word) <= 99):
                age = int(word)
                for j in [i, *after]:
                    bits |= 1 << j if j < MAX_WORDS else 0
        return Audience(frozenset(tags), age, bits)

    def without_audience(self, text: str) -> str:
        """`text` (normalised) without the words saying who is asking or who comes along, its
        filters and ages ("avec mes enfants", "with my wife", "ce soir"): who a person is with
        is an audience, not a need ("enfants" alone asks for parenting help)."""
        raw = normalise(text).split()
        said = self.who([stem(w) for w in raw]).words
        return " ".join(w for i, w in enumerate(raw) if not said >> i & 1)

    def tags_in(self, text: str | None) -> list[str]:
        """Audience tags said in a text, in the order they are said (a service's eligibility:
        "Femmes et enfants" is for women first; "Familles ... et femmes enceintes" for families)."""
        words = [stem(w) for w in normalise(text or "").split()]
        return [tag for _, tag, _ in sorted(self.said(words))]


@lru_cache(maxsize=4)
def lexicon(taught: tuple[tuple[str, str, str], ...] = ()) -> Lexicon:
    """The lexicon of all languages (a person may write in any of them, whatever the interface),
    with the (key, phrase, language) administrators `taught` (`catalogue.taught`)."""
    phrases: list[tuple[str, str, str]] = list(taught)
    for lang in taxonomy.LANGUAGES:
        for key, texts in taxonomy.synonyms(lang).items():
            phrases.extend((key, text, lang) for text in texts)
    for category in taxonomy.all_categories():
        phrases.extend((category.key, text, lang) for lang, text in category.labels.items())
    emoji = json.loads((DATA / "emoji.json").read_text(encoding="utf-8"))
    phrases.extend((key, e, "") for key, es in emoji.items() if not key.startswith("_") for e in es)
    audience = json.loads((DATA / "audience.json").read_text(encoding="utf-8"))
    situations = json.loads((DATA / "situations.json").read_text(encoding="utf-8"))
    return Lexicon(phrases, audience, situations)
