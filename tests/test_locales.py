"""The nine message catalogues: complete, placeholders intact, compilable, right plural forms.

Messages are extracted from the code in-process (as `pybabel extract -F babel.cfg` does), so a
new string in the bot fails here until every language has it.
"""

from __future__ import annotations

import json
import string
from functools import cache
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot.i18n import DEFAULT, LOCALES_DIR, SUPPORTED, localized, localized_field, translator
from catalogue.db import session_scope
from catalogue.importer import ensure_seeded
from catalogue.services import get_service

ROOT = Path(__file__).resolve().parents[1]
# Each catalogue's gettext plural rule, pinned here rather than read from the installed Babel:
# CLDR's tables change between Babel releases (2.19 gives French and Spanish a third form), and
# the translated forms are ordered for these exact expressions. Arabic forms 3, 4 and 5 are for
# 3–10, 100–102 and 11–99: a newer expression that swaps the last two would swap the words too.
PLURAL_FORMS = {
    "fr": (2, "(n > 1)"),
    "en": (2, "(n != 1)"),
    "ar": (
        6,
        "(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
        "n%100>=0 && n%100<=2 ? 4 : 5)",
    ),
    "uk": (3, "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)"),
    "ru": (3, "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)"),
    "es": (2, "(n != 1)"),
    "fa": (1, "0"),
    "ps": (2, "(n != 1)"),
    "ro": (3, "(n==1 ? 0 : (n==0 || (n%100 > 0 && n%100 < 20)) ? 1 : 2)"),
}


@cache
def code_messages() -> dict[str, str | None]:
    """msgid -> msgid_plural (None for a simple message), from the files babel.cfg names."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[str, str | None] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map
    ):
        if isinstance(message, tuple):
            found[message[0]] = message[1]
        else:
            found[message] = None
    return found


@cache
def catalogue(lang: str) -> Catalog:
    with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        return read_po(fp, locale=lang)


def placeholders(text: str) -> set[str]:
    """`{name}` fields of a str.format message (raises ValueError on unbalanced braces)."""
    return {field for _lit, field, _spec, _conv in string.Formatter().parse(text) if field}


def forms(message: object) -> list[str]:
    strings = message.string
    return list(strings) if isinstance(strings, tuple) else [strings]


def test_every_language_has_a_catalogue():
    for lang in SUPPORTED:
        assert (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").is_file(), lang
    assert (LOCALES_DIR / "messages.pot").is_file()


def test_the_code_has_messages_to_translate():
    assert len(code_messages()) > 20


@pytest.mark.parametrize("lang", SUPPORTED)
def test_every_message_is_translated(lang):
    cat = catalogue(lang)
    missing = []
    for msgid, plural in code_messages().items():
        message = cat.get(msgid)
        if (
            message is None
            or message.fuzzy
            or not all(s.strip() for s in forms(message))
            or (plural is not None and not message.pluralizable)
        ):
            missing.append(msgid)
    assert not missing, f"{lang}: {len(missing)} untranslated, first: {missing[:5]}"


@pytest.mark.parametrize("lang", SUPPORTED)
def test_no_fuzzy_or_obsolete_entries(lang):
    cat = catalogue(lang)
    fuzzy = [m.id for m in cat if m.id and m.fuzzy]
    stale = [
        m.id for m in cat if m.id and (m.id[0] if m.pluralizable else m.id) not in code_messages()
    ]
    assert not fuzzy, f"{lang}: fuzzy entries {fuzzy[:5]}"
    assert not stale, f"{lang}: messages no longer in the code {stale[:5]}"
    assert not cat.obsolete, f"{lang}: obsolete (#~) entries {list(cat.obsolete)[:5]}"


@pytest.mark.parametrize("lang", SUPPORTED)
def test_placeholders_are_kept_exactly(lang):
    wrong = []
    for message in catalogue(lang):
        if not message.id:
            continue
        source = message.id[-1] if message.pluralizable else message.id
        expected = placeholders(source)
        for text in forms(message):
            if text and placeholders(text) != expected:
                wrong.append((source, text))
    assert not wrong, f"{lang}: placeholders changed in {wrong[:3]}"


@pytest.mark.parametrize("lang", SUPPORTED)
def test_catalogue_compiles(lang):
    cat = catalogue(lang)
    problems = [(m.id, errors) for m, errors in cat.check() if errors]
    assert not problems, problems[:3]
    compiled = BytesIO()
    write_mo(compiled, cat)
    compiled.seek(0)
    translations = Translations(compiled)
    for message in cat:
        if message.id and not message.pluralizable and message.string:
            assert translations.gettext(message.id) == message.string


@pytest.mark.parametrize("lang", SUPPORTED)
def test_plural_forms(lang):
    cat = catalogue(lang)
    expected, expression = PLURAL_FORMS[lang]
    assert (cat.num_plurals, cat.plural_expr) == (expected, expression)
    for message in cat:
        if message.id and message.pluralizable:
            assert len(message.string) == expected, message.id


@pytest.mark.parametrize(
    ("lang", "count", "word"),
    [
        ("ar", 1, "مكانًا"),
        ("ar", 2, "مكانين"),
        ("ar", 3, "أماكن"),
        ("ar", 10, "أماكن"),
        ("ar", 11, "مكانًا"),
        ("ar", 100, "مكان"),
        ("uk", 1, "місце"),
        ("uk", 3, "місця"),
        ("uk", 5, "місць"),
        ("uk", 11, "місць"),
        ("uk", 21, "місце"),
        ("ru", 22, "места"),
        ("ro", 1, "loc"),
        ("ro", 20, "de locuri"),
    ],
)
def test_plural_forms_chosen_at_run_time(lang, count, word):
    text = translator(lang).ngettext("I found {count} place.", "I found {count} places.", count)
    assert text.format(count=count).endswith(f"{count} {word}.")


# --- the seed catalogue's service content -------------------------------------------------------
SEED_DIR = ROOT / "catalogue" / "data" / "seed"
# translation field -> HSDS field holding the French text
SEED_FIELDS = {
    "description": "description",
    "eligibility": "eligibility_description",
    "access_note": "application_process",
    "fees": "fees_description",
}


def test_seed_services_are_translated_in_every_language_and_nothing_more():
    seed = json.loads((SEED_DIR / "catalogue.json").read_text("utf-8"))
    translations = json.loads((SEED_DIR / "translations.json").read_text("utf-8"))
    assert set(translations) <= {s["id"] for s in seed}
    for service in seed:
        french = {field for field, hsds in SEED_FIELDS.items() if service.get(hsds)}
        by_lang = translations.get(service["id"], {})
        assert set(by_lang) == set(SUPPORTED) - {DEFAULT}, service["id"]
        for lang, fields in by_lang.items():
            # Every French text has its translation; no text where French has none (no new facts).
            assert set(fields) == french, (service["id"], lang)
            assert all(text.strip() for text in fields.values()), (service["id"], lang)


def test_seeded_card_fields_come_in_the_users_language(sqlite_engine):
    ensure_seeded(sqlite_engine)
    with session_scope(sqlite_engine) as session:
        service = get_service(session, "seed-emmaus-connect")
        assert localized_field(service, "eligibility", "ps")[1] is False
        assert "ډیجیټل" in localized(service, "eligibility", "ps")
        assert localized(service, "description", "fr") == service.description
