"""The taxonomy holds every Soliguide key with usable labels in the nine languages."""

import re
import unicodedata

import pytest

from catalogue import taxonomy
from tests.conftest import SHARED

SOLIGUIDE = SHARED / "taxonomy" / "soliguide-categories.md"


def soliguide_keys() -> set[str]:
    text = SOLIGUIDE.read_text(encoding="utf-8")
    body = text.split("Groups and their children:")[1].split("Soliguide's taxonomy has")[0]
    return set(re.findall(r"\b[a-z]+(?:_[a-z]+)*\b", body)) - {"standalone"}


@pytest.mark.skipif(
    not SOLIGUIDE.exists(), reason=f"Soliguide's key list not found at {SOLIGUIDE} (../shared)"
)
def test_every_soliguide_key_and_nothing_else():
    assert {c.key for c in taxonomy.all_categories()} == soliguide_keys()


def test_soliguide_spellings_are_kept():
    assert taxonomy.get_category("accomodation_and_housing").group is None
    assert taxonomy.get_category("animal_assitance").group == "equipment"


def test_groups_in_display_order_with_standalone_groups():
    keys = [g.key for g in taxonomy.groups()]
    assert keys[0] == "food"
    assert keys[-2:] == ["hairdresser", "legal_protection"]
    assert taxonomy.children("hairdresser") == []
    assert len(keys) == 13


def test_children_and_expand():
    hygiene = [c.key for c in taxonomy.children("hygiene_and_wellness")]
    assert hygiene[:2] == ["shower", "laundry"]
    assert taxonomy.expand("hygiene_and_wellness") == {"hygiene_and_wellness", *hygiene}
    assert taxonomy.expand("shower") == {"shower"}
    assert taxonomy.expand("no_such_key") == {"no_such_key"}


def test_specialists_belong_to_health_and_to_health_specialists():
    assert taxonomy.get_category("cardiology").group == "health"
    assert "cardiology" in taxonomy.expand("health")
    assert "cardiology" in taxonomy.expand("health_specialists")
    assert "dental_care" not in taxonomy.expand("health_specialists")


SCRIPTS = {"ar": "ARABIC", "fa": "ARABIC", "ps": "ARABIC", "uk": "CYRILLIC", "ru": "CYRILLIC"}


def test_labels_are_short_complete_and_in_the_right_script():
    for category in taxonomy.all_categories():
        assert set(category.labels) == set(taxonomy.LANGUAGES), category.key
        for lang, text in category.labels.items():
            assert text and text == text.strip() and len(text) <= 24, (category.key, lang)
            letters = [ch for ch in text if ch.isalpha()]
            script = SCRIPTS.get(lang, "LATIN")
            # Initialisms (VIH, HIV, Wi-Fi) may stay Latin; the words must be in the script.
            native = [ch for ch in letters if unicodedata.name(ch).startswith(script)]
            assert len(native) >= len(letters) / 2, (category.key, lang, text)


def test_ukrainian_and_russian_labels_use_their_own_letters():
    for category in taxonomy.all_categories():
        assert not set(category.labels["ru"]) & set("іїєґ"), category.key
        assert not set(category.labels["uk"]) & set("ыэъё"), category.key


def test_label_fallbacks():
    assert taxonomy.label("shower", "uk") == "Душ"
    assert taxonomy.label("shower", "de") == "Douche"
    assert taxonomy.label("unknown_key", "en") == "unknown_key"


def test_synonyms_missing_file_is_empty(tmp_path, monkeypatch):
    monkeypatch.setattr(taxonomy, "SYNONYMS_DIR", tmp_path)
    taxonomy.synonyms.cache_clear()
    try:
        assert taxonomy.synonyms("fr") == {}
        (tmp_path / "en.json").write_text('{"shower": ["wash", "bath"]}', encoding="utf-8")
        assert taxonomy.synonyms("en")["shower"] == ("wash", "bath")
    finally:
        taxonomy.synonyms.cache_clear()


def test_synonym_files_use_taxonomy_keys():
    keys = {c.key for c in taxonomy.all_categories()}
    for lang in taxonomy.LANGUAGES:
        assert set(taxonomy.synonyms(lang)) <= keys, lang
