"""Gazetteer of the Métropole Européenne de Lille: communes, neighbourhoods, postcodes, GPS.

People type places with typos ("roubais", "vilneuve dasq"), in other scripts ("Лілль", "روبيه"),
as postcodes ("59100"), or share a location. Everything resolves to a `Place` with coordinates.
Data: `data/communes.csv` (the 95 communes) and `data/neighbourhoods.csv`; sources in
`data/README.md`. Lomme and Hellemmes are associated communes of Lille: they are neighbourhoods
of Lille here, with their own postcodes (59160, 59260).

Matching: every name and alternate spelling is normalised once (catalogue.text.normalise). An
exact name is certain; a fuzzy one (rapidfuzz ratio) is certain only from CERTAIN_SCORE, below
that the bot asks "did you mean ...?". Inside a sentence, names that are also ordinary words
("Croix", "Don", "Hem", "Pile") need a preposition before them ("à Croix") or to end the text
just after a need word ("douche fives"), and words of the
category labels and synonyms ("laverie", "santé") are never fuzzily read as places. The words
around a place that say where one lives, works or stays ("j'habite à", "I work in", "я живу в",
`data/place_statements.json`) and a street address before it ("12 rue de la Gare") belong to the
match: they are place information, not a need (search takes the match's words out of the need).
"""

from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy
from rapidfuzz import fuzz, process

from catalogue import taxonomy
from catalogue.needs import stopwords
from catalogue.text import normalise

DATA = Path(__file__).parent / "data"

# A bounding box around the communes' territory: the centroids span lat 50.514-50.786 and
# lon 2.806-3.253; communes reach 2-3 km beyond their centroid (Provin, Comines, Aubers,
# Baisieux). It is a box, not the boundary: Mouscron and Menen (Belgium) fall inside.
MEL_SOUTH, MEL_NORTH, MEL_WEST, MEL_EAST = 50.49, 50.80, 2.78, 3.29

CERTAIN_SCORE = 90.0  # fuzzy scores from here on need no confirmation
WHOLE_TEXT_CUTOFF = 70.0  # resolve_place: below this, nothing is suggested
IN_TEXT_CUTOFF = 85.0  # find_place_in_text: stricter, the sentence holds other words
MIN_FUZZY_LENGTH = 4  # shorter words match only exactly
# A match by sound alone ("tourcuan") scores a little less than the same match by spelling, and
# very short sound keys ("em" for Hem) are not used.
SOUND_PENALTY = 8.0
MIN_SOUND_LENGTH = 4
MIN_GEONAMES_LENGTH = 5  # shorter GeoNames transliterations are too often words ("Обе")
MAX_NGRAM = 4
MAX_FUZZY_WORDS = 60  # typos are looked for in the first words only: a 10 kB text stays fast

# Words that announce a place, before a name that is also an ordinary word ("à Croix").
PLACE_CUES = frozenset(
    normalise(
        " ".join(
            [
                "à a au aux sur vers près pres proche dans de du",  # fr
                "in at near around to",  # en
                "en cerca junto",  # es
                "în lângă langa",  # ro ("la" is also French)
                "в у біля поруч коло около возле рядом",  # uk, ru
                "في فى قرب بالقرب",  # ar
                "در نزدیک نزديك",  # fa
                "په نږدې",  # ps
            ]
        )
    ).split()
)
# Words before a name that make it a street name: "rue de Lille", "avenue de Dunkerque".
STREET_WORDS = frozenset(
    {"rue", "avenue", "av", "bd", "boulevard", "chemin", "route", "allee", "quai", "impasse"}
)
# A street address before the place is place information too ("12 rue de la Gare Roubaix"):
# a street word with a name after it, and its number. After an article it is no address: "à la
# rue", "dans la rue" say one is homeless.
ARTICLES = frozenset({"la", "l", "le", "les", "une", "un", "the", "a", "an"})
MAX_STREET_NAME = 6  # words of a street's name ("rue du General de Gaulle")
_HOUSE_NUMBER = re.compile(r"^(\d{1,4}[a-z]?|bis|ter)$")
EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
_POSTCODE = re.compile(r"^59\d{3}$")
_NUMBER = r"[-+]?\d{1,3}[.,]\d+"
_COORDINATES = re.compile(rf"^\s*@?\s*({_NUMBER})\s*[,; ]\s*({_NUMBER})\s*$")
_CEDEX = re.compile(r"\s+cedex(\s+\d+)?$")
# How French place names are written by ear ("tourcuan", "rubé", "vatrelo"): a rough sound key
# for Latin letters, applied in order; other scripts are left as they are.
_SOUNDS = [(re.compile(pattern), replacement) for pattern, replacement in (
    (r"eau|au", "o"), (r"ou", "u"), (r"oi", "ua"), (r"ai|ei|ae", "e"), (r"ph", "f"),
    (r"qu|ck|q", "k"), (r"c(?=[eiy])", "s"), (r"c", "k"), (r"w", "v"), (r"y", "i"),
    (r"h", ""), (r"([a-z])\1", r"\1"), (r"(?<=[a-z])ng\b", "n"), (r"(?<=[a-z])[xstd]\b", ""),
)]  # fmt: skip


@dataclass(frozen=True)
class Place:
    name: str  # display, e.g. "Roubaix", "Wazemmes (Lille)", "59100"
    kind: str  # "commune" | "neighbourhood" | "postcode" | "coordinates"
    latitude: float
    longitude: float
    insee_code: str | None  # commune INSEE code (for a neighbourhood: its commune's)
    commune: str | None  # commune display name


@dataclass(frozen=True)
class PlaceMatch:
    place: Place
    score: float  # 0..100
    certain: bool  # False -> the bot asks "did you mean <place.name>?"
    matched: str  # the part of the input that named the place


@dataclass(frozen=True)
class _Choices:
    """Names for fuzzy matching, their sound keys, and the places they name (parallel lists)."""

    names: list[str]
    sounds: list[str]
    places: list[Place]

    @classmethod
    def of(cls, named: dict[str, Place]) -> _Choices:
        """Short names ("vda", "lil") match only exactly: their fuzzy form is "" (no match)."""
        names = [name if _letters(name) >= MIN_FUZZY_LENGTH else "" for name in named]
        return cls(names, [_sound_key(name) for name in names], list(named.values()))


@dataclass(frozen=True)
class _Gazetteer:
    communes: dict[str, Place]  # by INSEE code
    postcodes: dict[str, Place]
    postcode_communes: dict[str, list[Place]]
    exact: dict[str, Place]  # normalised name -> place (communes win over neighbourhoods)
    commune_names: dict[str, Place]  # normalised commune names and alternates
    word_like: frozenset[str]  # normalised names that are also ordinary words
    choices: _Choices  # every name, for fuzzy matching of a whole text
    text_choices: _Choices  # without word-like names, for fuzzy matching inside sentences


def sound(text: str) -> str:
    """The rough French sound key of a normalised text (Latin letters only)."""
    for pattern, replacement in _SOUNDS:
        text = pattern.sub(replacement, text)
    return text


def _sound_key(text: str) -> str:
    """The sound key used for matching; "" (matches nothing) when too short to tell apart."""
    key = sound(text)
    return key if _letters(key) >= MIN_SOUND_LENGTH else ""


def _letters(text: str) -> int:
    """Length of a normalised text without its spaces."""
    return len(text.replace(" ", ""))


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


def _variants(name: str) -> set[str]:
    """Normalised forms of a name as people type it: "villeneuve d ascq" also as
    "villeneuve dascq"; "saint" and "st"; "lez" and "les"."""
    base = normalise(name)
    glued = re.sub(r"\b([dl]) (?=\w)", r"\1", base)
    forms = {base, glued}
    for old, new in (("saint", "st"), ("st", "saint"), ("lez", "les")):
        forms |= {re.sub(rf"\b{old}\b", new, form) for form in forms}
    return {form for form in forms if form}


def _names(row: dict[str, str], name: str) -> list[str]:
    """A row's own name, its hand-written alternates and the GeoNames names long enough to trust."""
    geonames = _split(row.get("geonames_names", ""))
    trusted = [n for n in geonames if _letters(normalise(n)) >= MIN_GEONAMES_LENGTH]
    return [name, *_split(row.get("alternates", "")), *trusted]


def _read(filename: str) -> list[dict[str, str]]:
    with (DATA / filename).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def _gazetteer() -> _Gazetteer:
    communes: dict[str, Place] = {}
    exact: dict[str, Place] = {}
    commune_names: dict[str, Place] = {}
    word_like: set[str] = set()
    carriers: dict[str, list[tuple[Place, Place]]] = {}  # postcode -> (point, commune)

    def add(place: Place, row: dict[str, str], own_name: str) -> None:
        for name in _names(row, own_name):
            for form in _variants(name):
                exact.setdefault(form, place)
        word_like.update(normalise(n) for n in _split(row.get("word_like_names", "")))

    for row in _read("communes.csv"):
        place = Place(
            row["name"],
            "commune",
            float(row["latitude"]),
            float(row["longitude"]),
            row["insee_code"],
            row["name"],
        )
        communes[row["insee_code"]] = place
        add(place, row, row["name"])
        commune_names.update(dict.fromkeys(exact.keys() - commune_names.keys(), place))
        for postcode in row["postcodes"].split():
            carriers.setdefault(postcode, []).append((place, place))
    for row in _read("neighbourhoods.csv"):
        commune = communes[row["insee_code"]]
        place = Place(
            f"{row['name']} ({commune.name})",
            "neighbourhood",
            float(row["latitude"]),
            float(row["longitude"]),
            commune.insee_code,
            commune.name,
        )
        add(place, row, row["name"])
        for postcode in row["postcodes"].split():
            carriers.setdefault(postcode, []).append((place, commune))

    postcodes, postcode_communes = {}, {}
    for postcode, pairs in carriers.items():
        towns = list({commune.insee_code: commune for _, commune in pairs}.values())
        single = towns[0] if len(towns) == 1 else None
        postcodes[postcode] = Place(
            postcode,
            "postcode",
            sum(p.latitude for p, _ in pairs) / len(pairs),
            sum(p.longitude for p, _ in pairs) / len(pairs),
            single.insee_code if single else None,
            single.name if single else None,
        )
        postcode_communes[postcode] = towns
    in_text = {name: place for name, place in exact.items() if name not in word_like}
    return _Gazetteer(
        communes,
        postcodes,
        postcode_communes,
        exact,
        commune_names,
        frozenset(word_like),
        _Choices.of(exact),
        _Choices.of(in_text),
    )


@cache
def _ordinary_words() -> frozenset[str]:
    """Words of category labels and synonyms in every language: needs, not places."""
    texts = [text for c in taxonomy.all_categories() for text in c.labels.values()]
    for lang in taxonomy.LANGUAGES:
        texts.extend(p for phrases in taxonomy.synonyms(lang).values() for p in phrases)
    return frozenset(word for text in texts for word in normalise(text).split())


# --------------------------------------------------------------------------- public API


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def haversine_km_to_many(
    lat: float, lon: float, lats: numpy.ndarray, lons: numpy.ndarray
) -> numpy.ndarray:
    """`haversine_km` from one point to many at once (nan where a coordinate is nan)."""
    phi1, phi2 = math.radians(lat), numpy.radians(lats)
    dlambda = numpy.radians(lons - lon)
    a = numpy.sin((phi2 - phi1) / 2) ** 2
    a += math.cos(phi1) * numpy.cos(phi2) * numpy.sin(dlambda / 2) ** 2
    distances: numpy.ndarray = 2 * EARTH_RADIUS_KM * numpy.arcsin(numpy.sqrt(a))
    return distances


def in_mel(lat: float, lon: float) -> bool:
    return MEL_SOUTH <= lat <= MEL_NORTH and MEL_WEST <= lon <= MEL_EAST


def place_at(lat: float, lon: float) -> Place:
    """A shared location; inside the MEL it carries the nearest commune (for statistics)."""
    commune = None
    if in_mel(lat, lon):
        commune = min(
            _gazetteer().communes.values(),
            key=lambda c: haversine_km(lat, lon, c.latitude, c.longitude),
        )
    return Place(
        f"{lat:.5f},{lon:.5f}",
        "coordinates",
        lat,
        lon,
        commune.insee_code if commune else None,
        commune.name if commune else None,
    )


def parse_coordinates(text: str) -> Place | None:
    """ "50.63,3.06", "50.63, 3.06", "@50.63 3.06", "50,63 3,06"; None if not coordinates."""
    match = _COORDINATES.match(text or "")
    if match is None:
        return None
    lat, lon = (float(value.replace(",", ".")) for value in match.groups())
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return place_at(lat, lon)


def commune_for_postcode(postcode: str) -> list[Place]:
    """The communes a postcode serves (59160: Lille for Lomme, and Capinghem)."""
    return list(_gazetteer().postcode_communes.get(postcode.strip(), []))


def commune_codes() -> list[str]:
    """The INSEE codes of the MEL's 95 communes."""
    return list(_gazetteer().communes)


def commune_by_code(insee_code: str) -> Place | None:
    """The MEL commune of this INSEE code, or None."""
    return _gazetteer().communes.get(insee_code)


def is_place_name(word: str) -> bool:
    """Whether a normalised word alone names a commune or neighbourhood ("roubaix")."""
    return word in _gazetteer().exact


def commune_by_name(name: str) -> Place | None:
    """The commune named exactly (after normalisation; "LILLE CEDEX", "Lomme" -> Lille)."""
    key = _CEDEX.sub("", normalise(name or ""))
    gazetteer = _gazetteer()
    place = gazetteer.commune_names.get(key) or gazetteer.exact.get(key)
    return gazetteer.communes[place.insee_code] if place and place.insee_code else None


def _postcode_match(token: str) -> PlaceMatch | None:
    place = _gazetteer().postcodes.get(token)
    return PlaceMatch(place, 100.0, True, token) if place else None


def resolve_place(text: str) -> PlaceMatch | None:
    """The whole text is meant as a place (answer to "where?"); None when nothing is close."""
    raw = (text or "").strip()
    coordinates = parse_coordinates(raw)
    if coordinates is not None:
        return PlaceMatch(coordinates, 100.0, True, raw)
    key = normalise(raw)
    if not key:
        return None
    if _POSTCODE.match(key):
        return _postcode_match(key)
    gazetteer = _gazetteer()
    if key in gazetteer.exact:
        return PlaceMatch(gazetteer.exact[key], 100.0, True, raw)
    best = _best([key], gazetteer.choices, WHOLE_TEXT_CUTOFF)
    whole = None
    if best is not None:
        _, place, score = best
        whole = PlaceMatch(place, score, score >= CERTAIN_SCORE, raw)
    inside = find_place_in_text(raw)
    if inside is not None and (whole is None or inside.score > whole.score):
        return inside
    return whole


@dataclass(frozen=True)
class _Statements:
    """`data/place_statements.json`, normalised: phrases by their last word (said before the
    place) or first word (said after it), longest first."""

    before: dict[str, list[tuple[str, ...]]]
    after: dict[str, list[tuple[str, ...]]]
    openers: frozenset[str]
    not_after: frozenset[str]


@cache
def _statements() -> _Statements:
    data = json.loads((DATA / "place_statements.json").read_text(encoding="utf-8"))

    def words(section: str) -> list[tuple[str, ...]]:
        phrases = {tuple(normalise(p).split()) for ps in data[section].values() for p in ps}
        return sorted((p for p in phrases if p), key=len, reverse=True)

    before: dict[str, list[tuple[str, ...]]] = {}
    after: dict[str, list[tuple[str, ...]]] = {}
    for phrase in words("before"):
        before.setdefault(phrase[-1], []).append(phrase)
    for phrase in words("after"):
        after.setdefault(phrase[0], []).append(phrase)
    return _Statements(before, after, frozenset(w for p in words("openers") for w in p),
                       frozenset(w for p in words("not_after") for w in p))  # fmt: skip


def _skip_cues(words: list[str], at: int) -> int:
    """`at` moved back over the prepositions just before it ("habite | à | Roubaix")."""
    while at > 0 and words[at - 1] in PLACE_CUES:
        at -= 1
    return at


def _address_start(words: list[str], at: int) -> int | None:
    """Where a street address ending just before `at` starts ("12 rue de la Gare"), or None."""
    for street in range(at - 1, max(at - 2 - MAX_STREET_NAME, -1), -1):
        if words[street] not in STREET_WORDS:
            continue
        named = any(w not in PLACE_CUES and w not in ARTICLES for w in words[street + 1 : at])
        if not named or (street > 0 and words[street - 1] in ARTICLES):
            return None
        while street > 0 and _HOUSE_NUMBER.match(words[street - 1]):
            street -= 1
        return street
    return None


def _said_before(words: list[str], at: int) -> int | None:
    """Where a statement ending just before `at` starts ("j habite", "я живу"), or None: it must
    open the text or follow a subject pronoun, itself not after a question word or an auxiliary
    ("busco trabajo en", "où je dors à", "can I sleep in" are needs)."""
    table = _statements()
    if at == 0:
        return None
    for phrase in table.before.get(words[at - 1], ()):
        start = at - len(phrase)
        if start < 0 or tuple(words[start:at]) != phrase:
            continue
        before = start
        while before > 0 and words[before - 1] in table.openers:
            before -= 1
        if before == start and start > 0:
            continue  # after a word that is no pronoun: "busco trabajo", "vreau să lucrez"
        if before > 0 and words[before - 1] in table.not_after:
            continue
        return start
    return None


def _said_after(words: list[str], at: int) -> int:
    """The end of a statement starting at `at`, after the place ("لیل زندگی می کنم"), else `at`."""
    if at < len(words):
        for phrase in _statements().after.get(words[at], ()):
            if tuple(words[at : at + len(phrase)]) == phrase:
                return at + len(phrase)
    return at


def _named(place: Place, score: float, words: list[str], start: int, end: int) -> PlaceMatch:
    """The match of the place at words[start:end], with the words around it that say where one
    lives, works or stays ("j'habite au 12 rue de la Gare à Roubaix"): they are place
    information, not a need ("habite" is not "habits", "rue" is not being homeless)."""
    first = _skip_cues(words, start)
    address = _address_start(words, first)
    if address is not None:
        start = address
        first = _skip_cues(words, address)
    said = _said_before(words, first)
    if said is not None:
        start = said
    end = _said_after(words, end)
    return PlaceMatch(place, score, score >= CERTAIN_SCORE, " ".join(words[start:end]))


def _grams(words: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, text) for every run of up to MAX_NGRAM words, longest first."""
    return [
        (start, start + size, " ".join(words[start : start + size]))
        for size in range(min(MAX_NGRAM, len(words)), 0, -1)
        for start in range(len(words) - size + 1)
    ]


def _after_a_need(words: list[str], start: int, end: int) -> bool:
    """A name that is also a word, words[start:end], stands for the place when it is the whole
    text or ends it just after a need ("douche fives", "manger moulins") and is itself no need
    word ("vêtements don" is a gift); else it is a word ("five", "croix rouge", "une pile")."""
    if end < len(words):
        return False
    if start == 0:
        return True
    ordinary = _ordinary_words()
    need = words[start - 1] in ordinary and words[start - 1] not in stopwords()
    return need and not set(words[start:end]) & ordinary


def find_place_in_text(text: str) -> PlaceMatch | None:
    """A place named inside a sentence ("douche à roubaix", "де поїсти 59100"), or None."""
    coordinates = re.search(rf"@?\s*{_NUMBER}\s*[,; ]\s*{_NUMBER}", text or "")
    if coordinates is not None:
        place = parse_coordinates(coordinates.group(0))
        if place is not None:
            return PlaceMatch(place, 100.0, True, coordinates.group(0).strip())
    words = normalise(text or "").split()
    for at, word in enumerate(words):
        if _POSTCODE.match(word) and (match := _postcode_match(word)):
            return _named(match.place, match.score, words, at, at + 1)
    gazetteer = _gazetteer()
    grams = _grams(words)
    for start, end, gram in grams:  # exact names, longest first
        place = gazetteer.exact.get(gram)
        if place is None or STREET_WORDS & set(words[max(0, start - 2) : start]):
            continue  # "rue de Roubaix" is a street (in Lille), not Roubaix
        cued = start > 0 and words[start - 1] in PLACE_CUES
        if gram not in gazetteer.word_like or cued or _after_a_need(words, start, end):
            return _named(place, 100.0, words, start, end)
    ordinary = _ordinary_words()
    spans: dict[str, tuple[int, int]] = {}  # candidate -> where it is first
    for start, end, gram in _grams(words[:MAX_FUZZY_WORDS]):
        if _letters(gram) >= MIN_FUZZY_LENGTH and not any(
            w.isdigit() or w in ordinary for w in words[start:end]
        ):
            spans.setdefault(gram, (start, end))
    candidates = list(spans)
    if not candidates:
        return None
    best = _best(candidates, gazetteer.text_choices, IN_TEXT_CUTOFF)
    if best is None:
        return None
    row, place, score = best
    return _named(place, score, words, *spans[candidates[row]])


def _best(queries: list[str], choices: _Choices, cutoff: float) -> tuple[int, Place, float] | None:
    """The best (query index, place, score) by spelling or by sound, or None under `cutoff`.

    Ties go to the earliest query (callers list longer phrases first)."""
    spelling = process.cdist(queries, choices.names, scorer=fuzz.ratio, score_cutoff=cutoff)
    sounds = [_sound_key(query) for query in queries]
    hearing = process.cdist(sounds, choices.sounds, scorer=fuzz.ratio, score_cutoff=cutoff)
    hearing[[not key for key in sounds]] = 0  # "" against a short name's "" is no match
    scores = numpy.maximum(spelling, hearing - SOUND_PENALTY)
    row, column = divmod(int(scores.argmax()), scores.shape[1])
    score = float(scores[row, column])
    return (row, choices.places[column], score) if score >= cutoff else None
