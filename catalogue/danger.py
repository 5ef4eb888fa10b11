"""Who is in danger, in any language, and which national lines to show before anything else.

A person who writes "je veux plus vivre", "mon mec me tape dessus" or "ما عندي وين نبات الليلة"
must get the right numbers at once, whatever the search makes of the words. This reader is kept
apart from need reading: it runs first on every free text, and a false alarm costs a few lines
where a miss can cost a life, so when in doubt it reports a danger.

How it reads (all of it data, `data/danger/<lang>.json`, documented in `data/README.md`):
1. the text is cut into clauses at punctuation, normalised (`text.normalise`: case, accents,
   letter variants), and SMS or Latin-script spellings are written out ("jveu" → "je veux");
2. idioms that are not dangers ("je meurs de rire", "tuer le temps") are blanked out;
3. each kind's phrases are looked for: slots of word alternatives in order, a few words apart,
   tolerant of one typo in long words and of an Arabic article or a Cyrillic case ending;
   a negation near a phrase cancels it ("je ne suis pas en danger"), and some phrases count
   only when negated ("je veux plus vivre", "не хочу жить");
4. a minor ("mineur", "I'm 15") in any danger, or violence against a child, is a child in
   danger; a bare call for help ("SOS", "au secours") with nothing else is its own kind.
Which lines each kind calls for, in which order, and which needs follow, is `kinds.json`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import permutations
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

from catalogue.emergency import EmergencyLine, all_lines
from catalogue.taxonomy import DATA, LANGUAGES
from catalogue.text import normalise, stem

FOLDER: Path = DATA / "danger"
TYPO_LENGTH = 6  # words of the phrases this long are recognised with a typo
GAP = 3  # words allowed between two slots of a phrase ("je veux vraiment plus vivre")
NEGATION_BEFORE = 3  # words before a phrase where a negation still bears on it
MINOR_AGES = range(5, 18)  # "j'ai 15 ans": a number said as an age in this range is a minor
MINOR_AGE = 17  # the age searched for a minor: services for adults only are left out
_CLAUSE = re.compile(r"[.!?;,:\n()\[\]«»\"،؛؟…]+|\s[-–—]\s")  # Arabic-script commas, dashes
_APOSTROPHE = re.compile(r"(?<=[а-яіїєґ])['’ʼ`](?=[а-яіїєґ])", re.IGNORECASE)  # "б'є" is one word
_AGE_GLUED = re.compile(r"(\d{1,2})(\D+)")
CHILD, HELP = "child", "help"


@dataclass(frozen=True)
class Danger:
    """What the reader found: kinds in display order, whether a minor speaks, and the text's
    other words (what else the person asks: "mon mari me frappe, je cherche un avocat")."""

    kinds: tuple[str, ...] = ()
    minor: bool = False
    rest: str = ""
    lang: str | None = None  # the one language whose phrases read it: the answer's language

    def __bool__(self) -> bool:
        return bool(self.kinds)

    @property
    def lines(self) -> list[EmergencyLine]:
        return lines_for(self.kinds)

    @property
    def age(self) -> int | None:
        """The age to search with, when a minor speaks (`MINOR_AGE`)."""
        return MINOR_AGE if self.minor else None

    @property
    def needs(self) -> tuple[str, ...]:
        """Category keys to search when the person asked nothing else (never food)."""
        return needs_for(self.kinds)


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class _Slot:
    """One place of a phrase: any of its words, looked up by kind (whole, beginning, part)."""

    words: tuple[str, ...]  # literals, "prefix*" for a beginning, "*part*" inside a word
    negative: bool = False  # "!je": neither of the two words before the phrase is one of these
    exact: frozenset[str] = frozenset()  # the literals and their stems
    prefixes: tuple[str, ...] = ()
    parts: re.Pattern[str] | None = None  # any of the parts
    pieces: tuple[str, ...] = ()  # the parts themselves
    at_least: int | None = None  # "#10": a number this large ("j'ai pris 30 doliprane")
    loose: re.Pattern[str] | None = None  # the beginnings and parts, over a clause at once

    @classmethod
    def of(cls, words: Sequence[str], negative: bool = False) -> _Slot:
        plain = [w for w in words if not w.endswith("*") and not w.startswith("#")]
        numbers = [int(w[1:]) for w in words if w.startswith("#")]
        prefixes = [w[:-1] for w in words if w.endswith("*") and not w.startswith("*")]
        parts = [w[1:-1] for w in words if w.startswith("*") and w.endswith("*")]
        loose = ([" (?:" + "|".join(map(re.escape, prefixes)) + ")"] if prefixes else []) + [
            re.escape(p) for p in parts]  # fmt: skip
        return cls(
            tuple(words), negative,
            exact=frozenset(plain) | frozenset(stem(w) for w in plain),
            prefixes=tuple(w[:-1] for w in words if w.endswith("*") and not w.startswith("*")),
            parts=re.compile("|".join(re.escape(w[1:-1]) for w in words if w.startswith("*")
                                      and w.endswith("*"))) if any(w.startswith("*") for w in words)
            else None,
            at_least=min(numbers, default=None),
            pieces=tuple(parts),
            loose=re.compile("|".join(loose)) if loose else None,
        )  # fmt: skip

    def fits(self, token: str | None) -> bool:
        """`token` is one of the words: the same word or stem (an Arabic article, a case
        ending, a plural), a beginning, or a part (Arabic pronouns and particles are written
        onto the verb: "بيضربني", "kaydrebni"). Typos are mended before (`_mended`)."""
        if token is None:
            return False
        if token in self.exact or _stem(token) in self.exact:
            return True
        if self.prefixes and token.startswith(self.prefixes):
            return True
        if self.at_least is not None and token.isdecimal() and int(token) >= self.at_least:
            return True
        return self.parts is not None and self.parts.search(token) is not None

    def in_clause(self, tokens: Sequence[str | None], index: _Index) -> bool:
        """Some word of the clause fits, tested on the clause's index at once."""
        if not self.exact.isdisjoint(index.words):
            return True
        if self.loose is not None and self.loose.search(index.text):
            return True
        return self.at_least is not None and any(self.fits(t) for t in tokens)


@dataclass(frozen=True)
class _Phrase:
    slots: tuple[_Slot, ...]
    any_order: bool
    negated: bool  # counts only with a negation near it
    gap: int = GAP  # words allowed between two slots (more where the verb comes last)
    words: tuple[_Slot, ...] = ()  # the slots to find, without the guard
    guard: _Slot | None = None
    anchor: frozenset[str] | None = None  # a slot's whole words: none in a clause, no match
    gate: _Slot | None = None  # a slot to look the phrase up by (`_Lookup`); None: numbers only

    def __post_init__(self) -> None:
        words = tuple(s for s in self.slots if not s.negative)
        plain = [s for s in words if not (s.prefixes or s.parts or s.at_least is not None)]
        object.__setattr__(self, "words", words)
        object.__setattr__(self, "guard", next((s for s in self.slots if s.negative), None))
        object.__setattr__(self, "anchor", min((s.exact for s in plain), key=len, default=None))
        gates = [s for s in words if s.at_least is None]  # fewest keys, parts last
        object.__setattr__(self, "gate", min(gates, default=None, key=lambda s: (
            bool(s.pieces), len(s.exact) + len(s.prefixes) + len(s.pieces))))  # fmt: skip

    def absent(self, index: _Index) -> bool:
        """Surely not in a clause of these words and stems (most phrases, at once)."""
        return self.anchor is not None and self.anchor.isdisjoint(index.words)


@dataclass(frozen=True)
class _Language:
    spellings: dict[str, tuple[str, ...]]
    negations: frozenset[str]
    subjects: frozenset[str]  # a negation before the subject bears on another sentence
    negation_after: int  # words after a phrase where a negation still bears on it (verb last)
    idioms: tuple[_Phrase, ...]
    phrases: dict[str, tuple[_Phrase, ...]]  # kind -> phrases
    minor: tuple[_Phrase, ...]
    age_cues: frozenset[str]
    age_units: _Slot
    age_asides: frozenset[str]  # words around an age said alone ("maybe 8", "environ 8")
    calls: tuple[_Phrase, ...]  # a bare call for help
    fillers: frozenset[str]  # words a bare call may carry ("svp", "vite", "please")
    glue: frozenset[str]  # prefixes written apart or joined: Persian "مي زند" is "ميزند"
    clitics: tuple[str, ...]  # conjunctions written onto a word: Arabic "وعمري" is "و عمري"
    code: str = ""


def _slot(spec: str, classes: dict[str, list[str]]) -> _Slot:
    negative = spec.startswith("!")
    words: list[str] = []
    for alternative in spec.removeprefix("!").split("|"):
        if alternative.startswith("@"):
            words += [w for item in classes[alternative[1:]] for w in _words(item)]
        else:
            words += _words(alternative)
    return _Slot.of(tuple(dict.fromkeys(words)), negative)


def _words(item: str) -> list[str]:
    """A literal normalised the way texts are; a slot holds one word ("m'a" is two)."""
    if re.fullmatch(r"#\d+", item):
        return [item]
    inside = item.startswith("*") and item.endswith("*") and len(item) > 2
    star = item.endswith("*")
    norm = normalise(_APOSTROPHE.sub("", item.strip("*")))
    if " " in norm:
        raise ValueError(f"danger data: {item!r} is more than one word")
    return [("*" if inside else "") + norm + ("*" if star else "")] if norm else []


def _phrase(spec: str, classes: dict[str, list[str]], *, negated: bool = False,
            gap: int = GAP) -> _Phrase:  # fmt: skip
    any_order = spec.startswith("~")
    parts = spec.removeprefix("~").split()
    return _Phrase(tuple(_slot(p, classes) for p in parts), any_order, negated, gap)


def _phrases(specs: Iterable[str], classes: dict[str, list[str]], *,
             negated: bool = False, gap: int = GAP) -> tuple[_Phrase, ...]:  # fmt: skip
    return tuple(_phrase(s, classes, negated=negated, gap=gap) for s in specs)


def _bag(items: Iterable[str]) -> frozenset[str]:
    """Single words (negations, fillers, age cues): "quelqu'un" is two."""
    return frozenset(w for item in items for w in normalise(item).split())


@cache
def language(lang: str) -> _Language:
    """One language's data file, read once."""
    raw = json.loads((FOLDER / f"{lang}.json").read_text(encoding="utf-8"))
    classes = raw.get("words", {})
    gap = int(raw.get("gap", GAP))
    kinds = {
        kind: _phrases(spec.get("say", []), classes, gap=gap)
        + _phrases(spec.get("when_negated", []), classes, negated=True, gap=gap)
        for kind, spec in raw.get("kinds", {}).items()
    }
    return _Language(
        spellings={
            normalise(k): tuple(normalise(v).split()) for k, v in raw.get("spellings", {}).items()
        },  # fmt: skip
        negations=_bag(raw.get("negations", [])),
        subjects=_bag(raw.get("subjects", [])),
        negation_after=int(raw.get("negation_after", 0)),
        idioms=_phrases(raw.get("not_danger", []), classes),
        phrases=kinds,
        minor=_phrases(raw.get("minor", []), classes),
        age_cues=_bag(raw.get("age_cues", [])),
        age_units=_Slot.of([w for n in raw.get("age_units", []) for w in _words(n)]),
        age_asides=_bag(raw.get("age_asides", [])),
        calls=_phrases(raw.get("help", {}).get("calls", []), classes),
        fillers=_bag(raw.get("help", {}).get("fillers", [])),
        glue=_bag(raw.get("glue", [])),
        clitics=tuple(normalise(c) for c in raw.get("clitics", [])),
        code=lang,
    )


@cache
def kinds_data() -> dict[str, Any]:
    """`kinds.json`: each kind's lines in display order, the needs that follow, and the
    category keys that mean the kind when a person picks them."""
    data: dict[str, Any] = json.loads((FOLDER / "kinds.json").read_text(encoding="utf-8"))
    return data


def kinds() -> tuple[str, ...]:
    """Every kind, in display order (a child in danger first)."""
    return tuple(kinds_data()["kinds"])


# --------------------------------------------------------------------------- matching


_stem = lru_cache(maxsize=16384)(stem)  # words are stemmed again for every slot


@dataclass(frozen=True)
class _Index:
    """A clause's words and their stems (a set test), and its words in one string (" a b c ",
    one regular expression per slot tests beginnings and parts at once)."""

    words: frozenset[str]
    text: str
    tokens: tuple[str, ...]  # the words, blanks left out


def _index(tokens: Sequence[str | None]) -> _Index:
    words = [t for t in tokens if t]
    return _Index(frozenset(words) | frozenset(_stem(t) for t in words),
                  " " + " ".join(t or "" for t in tokens) + " ", tuple(words))  # fmt: skip


def _matches(tokens: Sequence[str | None], phrase: _Phrase,
             index: _Index | None = None) -> Iterator[tuple[int, ...]]:  # fmt: skip
    """Positions of each slot of `phrase` in `tokens`, for every way it is said there."""
    slots = phrase.words
    index = _index(tokens) if index is None else index
    if phrase.absent(index) or not all(slot.in_clause(tokens, index) for slot in slots):
        return  # a word of the phrase is missing
    guard = phrase.guard
    orders = permutations(slots) if phrase.any_order and len(slots) > 1 else [slots]
    for order in orders:
        for found in _in_order(tokens, order, 0, -1, phrase.gap):
            if guard is not None and any(
                guard.fits(t) for t in tokens[max(0, found[0] - 2) : found[0]]
            ):
                continue
            yield found


def _in_order(tokens: Sequence[str | None], slots: Sequence[_Slot], at: int, last: int,
              gap: int) -> Iterator[tuple[int, ...]]:  # fmt: skip
    if at == len(slots):
        yield ()
        return
    start = 0 if last < 0 else last + 1
    stop = len(tokens) if last < 0 else min(len(tokens), last + 2 + gap)
    for i in range(start, stop):
        if slots[at].fits(tokens[i]):
            for rest in _in_order(tokens, slots, at + 1, i, gap):
                yield (i, *rest)


def _negations(tokens: Sequence[str | None], found: tuple[int, ...],
               langs: Sequence[_Language]) -> set[int]:  # fmt: skip
    """Where a negation bears on the phrase (empty: none): inside it, or a few words before
    it but not before its subject ("j'en peux plus je veux disparaître": the "plus" is
    another sentence's)."""
    lo = min(found)
    while (
        lo > 0
        and min(found) - lo < NEGATION_BEFORE
        and not any(tokens[lo - 1] in lang.subjects for lang in langs)
    ):
        lo -= 1
    hi = (
        max(found) + 1 + max((lang.negation_after for lang in langs), default=0)
    )  # Persian: "... ندارم"
    return {
        i
        for i in range(lo, min(hi, len(tokens)))
        if tokens[i] and any(tokens[i] in lang.negations for lang in langs)
    }


def _clauses(text: str) -> list[str]:
    return [c for c in (normalise(_APOSTROPHE.sub("", part)) for part in _CLAUSE.split(text)) if c]


def _spelled_out(words: list[str], langs: Sequence[_Language]) -> list[str]:
    out: list[str] = []
    for word in words:
        if (
            out
            and any(out[-1] in lang.glue for lang in langs)
            and out[-1] + word in _vocabulary()[0]
        ):
            out[-1] += word
            continue
        for lang in langs:
            if word in lang.spellings:
                out += lang.spellings[word]
                break
        else:
            out += _unglued(word, langs)
    return out


def _unglued(word: str, langs: Sequence[_Language]) -> list[str]:
    """A word the phrases do not know, made of a conjunction and one they know, is two
    ("وعمري ١٤": "and I am 14"; "وما يتنفس": "and he is not breathing")."""
    known = _vocabulary()[0]
    if word in known:
        return [word]
    for lang in langs:
        for clitic in lang.clitics:
            rest = word[len(clitic) :]
            if (
                word.startswith(clitic)
                and len(rest) >= 2
                and (rest in known or rest.isdecimal() or any(rest in la.age_cues for la in langs))
            ):
                return [clitic, rest]
    return [word]


@cache
def _vocabulary() -> tuple[frozenset[str], tuple[str, ...], dict[str, tuple[str, ...]]]:
    """Every whole word and beginning of every language's phrases (with the ordinary words: all
    of them are never mended), and the words long enough to be mended, by their first letter."""
    words: set[str] = set()
    for lang in LANGUAGES:
        data = language(lang)
        phrases = [*data.idioms, *data.minor, *data.calls,
                   *(p for ps in data.phrases.values() for p in ps)]  # fmt: skip
        words.update(w for p in phrases for slot in p.slots for w in slot.words)
    whole = sorted(w for w in words if "*" not in w)
    ordinary = _ordinary_words() | {w for lang in LANGUAGES for w in
                                    language(lang).negations | language(lang).subjects}  # fmt: skip
    beginnings = tuple(sorted(w[:-1] for w in words if w.endswith("*") and not w.startswith("*")))
    long: dict[str, list[str]] = {}
    for word in whole:
        if len(word) >= TYPO_LENGTH:
            long.setdefault(word[0], []).append(word)
    return frozenset(whole) | ordinary, beginnings, {k: tuple(v) for k, v in long.items()}


def _ordinary_words() -> frozenset[str]:
    """Words a person writes asking for a service (stop words, the needs' synonyms): never
    mended into a danger word ("plainte" is no "plante", stabbed)."""
    words: set[str] = set()
    for path in (DATA / "stopwords").glob("*.txt"):
        words.update(w for line in path.read_text(encoding="utf-8").splitlines()
                     if not line.startswith("#") for w in normalise(line).split())  # fmt: skip
    for path in (DATA / "synonyms").glob("*.json"):
        for phrases in json.loads(path.read_text(encoding="utf-8")).values():
            words.update(w for p in phrases if isinstance(p, str) for w in normalise(p).split())
    return frozenset(words)


@lru_cache(maxsize=16384)
def _mended(token: str) -> str:
    """A word of the phrases typed with a typo ("mourrir", "suicde"): one edit in a word of
    six letters or more, two from nine, the first letter right. A word the phrases know, or
    one a phrase's beginning fits ("obligée"), stays as it is."""
    known, beginnings, long = _vocabulary()
    if (
        len(token) < TYPO_LENGTH
        or token in known
        or _stem(token) in known
        or token.startswith(beginnings)
    ):
        return token
    best, distance = token, 3
    for word in long.get(token[0], ()):
        allowed = 2 if len(word) >= 9 else 1
        if abs(len(token) - len(word)) <= allowed:
            d = Levenshtein.distance(token, word, score_cutoff=allowed)
            if d <= allowed and d < distance:
                best, distance = word, d
    return best


def _blank(tokens: list[str | None], idioms: _Lookup) -> None:
    """Blank out the words of idioms ("mort de rire"): they say no danger."""
    index = _index(tokens)
    for entry in idioms.candidates(index):
        for found in list(_matches(tokens, entry.phrase, index)):
            for i in range(min(found), max(found) + 1):
                tokens[i] = None


def _said(tokens: Sequence[str | None], phrase: _Phrase, langs: Sequence[_Language],
          index: _Index) -> set[int]:  # fmt: skip
    """Positions of the words that say `phrase` (empty: not said). Negations are those of the
    phrase's language and of the person's ("not in danger": French "danger")."""
    used: set[int] = set()
    for found in _matches(tokens, phrase, index):
        negations = _negations(tokens, found, langs)
        if bool(negations) == phrase.negated:  # "не хочу больше жить": all four said
            used.update(range(min(found), max(found) + 1), negations)
    return used


def _age_minor(tokens: Sequence[str | None], lang: _Language) -> bool:
    if not any(token and token[0].isdecimal() for token in tokens):
        return False  # no number, glued or not
    for i, token in enumerate(tokens):
        glued = _AGE_GLUED.fullmatch(token or "")  # "14ans", "15yo"
        if glued and int(glued[1]) in MINOR_AGES and lang.age_units.fits(glued[2]):
            return True
        if token is None or not token.isdecimal() or int(token) not in MINOR_AGES:
            continue
        after = [t for t in tokens[i + 1 : i + 3] if t]
        before = [t for t in tokens[max(0, i - 2) : i] if t]
        if any(lang.age_units.fits(t) for t in after) or any(t in lang.age_cues for t in before):
            return True
    return False


def _bare_call(tokens: Sequence[str | None], langs: Sequence[_Language], calls: _Lookup) -> bool:
    """Nothing but a call for help ("au secours !", "help me please")."""
    words = [t for t in tokens if t]
    fillers = frozenset().union(*(lang.fillers for lang in langs))
    index = _index(words)
    called: set[int] = set()
    for entry in calls.candidates(index):
        for found in _matches(words, entry.phrase, index):
            called.update(range(min(found), max(found) + 1))
    return bool(called) and all(i in called or w in fillers for i, w in enumerate(words))


@cache
def _all_languages(first: str) -> tuple[_Language, ...]:
    """Every language's data, the user's first: people write in any of them."""
    order = [first] + [lang for lang in LANGUAGES if lang != first]
    return tuple(language(lang) for lang in order if (FOLDER / f"{lang}.json").exists())


@dataclass(frozen=True)
class _Entry:
    phrase: _Phrase
    lang: _Language
    kind: str | None = None  # None: a phrase saying a minor (or an idiom, a call)


@dataclass(frozen=True, eq=False)  # hashed by identity: `_opened` remembers per lookup
class _Lookup:
    """Phrases by the keys of their gate slot (whole words, beginnings, parts): a clause meets
    only the few its words may say instead of all (over a thousand), in their order. A phrase
    left out has a slot no word of the clause fits (`_Slot.in_clause`): it could not match."""

    entries: tuple[_Entry, ...]
    by_word: dict[str, tuple[int, ...]]
    by_beginning: dict[str, tuple[int, ...]]
    by_part: dict[str, tuple[int, ...]]
    always: frozenset[int]  # every slot a number
    longest: tuple[int, int]  # the longest beginning, the longest part

    @classmethod
    def of(cls, entries: Iterable[_Entry]) -> _Lookup:
        entries = tuple(entries)
        keys: tuple[dict[str, list[int]], ...] = ({}, {}, {})
        for i, entry in enumerate(entries):
            gate = entry.phrase.gate
            for found, words in zip(keys, (gate.exact, gate.prefixes, gate.pieces) if gate
                                    else ((), (), ()), strict=True):  # fmt: skip
                for word in words:
                    found.setdefault(word, []).append(i)
        by_word, by_beginning, by_part = ({k: tuple(v) for k, v in d.items()} for d in keys)
        always = frozenset(i for i, e in enumerate(entries) if e.phrase.gate is None)
        longest = (max(map(len, by_beginning), default=0), max(map(len, by_part), default=0))
        return cls(entries, by_word, by_beginning, by_part, always, longest)

    def candidates(self, index: _Index) -> list[_Entry]:
        ids = set(self.always)
        for word in index.words:
            ids.update(self.by_word.get(word, ()))
        for token in index.tokens:
            ids.update(_opened(self, token))
        return [self.entries[i] for i in sorted(ids)]


@lru_cache(maxsize=16384)
def _opened(lookup: _Lookup, token: str) -> frozenset[int]:
    """The phrases of `lookup` a word opens by a beginning or a part, remembered: the same
    words come back in message after message."""
    beginning, part = lookup.longest
    ids: set[int] = set()
    for end in range(1, min(len(token), beginning) + 1):
        ids.update(lookup.by_beginning.get(token[:end], ()))
    for start in range(len(token) if part else 0):
        for end in range(start + 1, min(len(token), start + part) + 1):
            ids.update(lookup.by_part.get(token[start:end], ()))
    return frozenset(ids)


@cache
def _lookups(first: str) -> tuple[_Lookup, _Lookup, _Lookup]:
    """The idioms (in the order they are blanked: the user's language first), the phrases of
    every kind and of a minor, and the bare calls for help, of every language."""
    langs = _all_languages(first)
    return (
        _Lookup.of(_Entry(p, data) for data in langs for p in data.idioms),
        _Lookup.of([_Entry(p, data, kind) for data in langs
                    for kind, phrases in data.phrases.items() for p in phrases]
                   + [_Entry(p, data) for data in langs for p in data.minor]),
        _Lookup.of(_Entry(p, data) for data in langs for p in data.calls),
    )  # fmt: skip


def _asides(clauses: list[str], langs: Sequence[_Language]) -> tuple[list[str], bool]:
    """An age said alone between commas ("17, kicked out", "my neighbour's kid, maybe 8,
    always has bruises") says a minor, and the clauses on either side of it are one."""
    out: list[str] = []
    minor = join = False
    for clause in clauses:
        words = clause.split()
        numbers = [w for w in words if w.isdecimal()]
        if len(numbers) == 1 and int(numbers[0]) in MINOR_AGES and all(
                w in numbers or any(w in lang.age_asides or lang.age_units.fits(w)
                                    for lang in langs) for w in words):  # fmt: skip
            minor = join = True
            continue
        if join and out:
            out[-1] += " " + clause
        else:
            out.append(clause)
        join = False
    return out, minor


def read(text: str, lang: str = "fr") -> Danger:
    """The dangers `text` tells of (falsy when none), read in every language."""
    first = lang if lang in LANGUAGES else "fr"
    langs = _all_languages(first)
    idioms, dangers, calls = _lookups(first)
    found: set[str] = set()
    readers: set[str] = set()  # the languages whose phrases said a danger
    rest: list[str] = []
    every: list[str | None] = []
    clauses, minor = _asides(_clauses(text[:2000]), langs)
    for clause in clauses:
        words = [_mended(w) for w in _spelled_out(clause.split(), langs)]
        tokens: list[str | None] = list(words)
        said: set[int] = set()
        _blank(tokens, idioms)
        every += tokens
        index = _index(tokens)
        for entry in dangers.candidates(index):
            if entry.kind is None:  # a minor speaks ("je suis mineur")
                minor = minor or bool(_said(tokens, entry.phrase, (), index))
            elif used := _said(tokens, entry.phrase, (entry.lang, langs[0]), index):
                found.add(entry.kind)
                readers.add(entry.lang.code)
                said |= used
        minor = minor or any(_age_minor(tokens, data) for data in langs)
        rest += [w for i, w in enumerate(words) if i not in said]
    for kind in list(found):  # violence against a child is violence, an overdose a suicide
        found.update(kinds_data()["also"].get(kind, ()))
    if not found and _bare_call(every, langs, calls):
        found.add(HELP)
    lang_read = readers.pop() if len(readers) == 1 else None
    return _danger(found, minor, " ".join(rest), lang_read)


def _danger(found: set[str], minor: bool, rest: str = "", lang: str | None = None) -> Danger:
    """Kinds in display order: a minor in danger is a child in danger; a call for help adds
    nothing to a danger already named."""
    if found - {HELP}:
        found = found - {HELP}
        if minor:
            found.add(CHILD)
    return Danger(tuple(k for k in kinds() if k in found), minor, rest, lang if found else None)


def from_categories(keys: Iterable[str]) -> Danger:
    """The danger a need picked or understood stands for (a violence button, "psychiatre")."""
    keys = set(keys)
    spec = kinds_data()["kinds"]
    return _danger({k for k in spec if keys & set(spec[k].get("categories", []))}, False)


def lines_for(kinds_said: Iterable[str]) -> list[EmergencyLine]:
    """The lines the kinds call for, kind after kind in display order, each line once."""
    spec = kinds_data()["kinds"]
    by_id = {line.id: line for line in all_lines()}
    wanted = set(kinds_said)
    ids = [i for kind in spec if kind in wanted for i in spec[kind]["lines"]]
    return [by_id[i] for i in dict.fromkeys(ids)]


def needs_for(kinds_said: Iterable[str]) -> tuple[str, ...]:
    spec = kinds_data()["kinds"]
    wanted = set(kinds_said)
    return tuple(dict.fromkeys(k for kind in spec if kind in wanted
                               for k in spec[kind].get("needs", [])))  # fmt: skip


def national_lines() -> list[EmergencyLine]:
    """Every national line, for footers of what is printed or forwarded."""
    return list(all_lines())
