"""The administrators' CSV sheet: template columns, several places per service, round trip."""

from datetime import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.i18n import translator
from catalogue.db import make_engine, session_scope
from catalogue.importer import export_bytes, import_bytes, parse
from catalogue.services import get_service
from catalogue.sheet import COLUMNS, parse_sheet
from tests.conftest import CATALOGUE

HEADER = "id,name,categories,address,postcode,city,latitude,longitude,hours,free,phones,closures"
SHEET = f"""{HEADER}
v-1,Vestiaire,clothing|solidarity_store,2 rue A,59100,Roubaix,50.69,3.17,mo-fr 09:00-12:00,yes,03 53 01 99 01|03 53 01 99 02,2026-08-01..2026-08-31 closed congés
v-1,,,5 rue B,59200,Tourcoing,50.72,3.16,sa 10:00-12:00,,,
v-2,Repas,food_distribution,,,,,,su 20:00-08:00,,,
"""


def test_rows_with_one_id_are_one_service_at_several_places():
    items, problems = parse_sheet(SHEET.encode())
    assert problems == []
    (line1, vest), (line3, meal) = items
    assert (line1, line3) == (2, 4)
    assert [loc["city"] for loc in vest["locations"]] == ["Roubaix", "Tourcoing"]
    hours = {h["location_id"]: (h["byday"], h["opens_at"]) for h in vest["hours"]}
    assert hours == {"v-1-place-1": ("MO,TU,WE,TH,FR", time(9)), "v-1-place-2": ("SA", time(10))}
    assert (
        vest["free"] is True and [p["number"] for p in vest["phones"]][1] == "+33 3 53 01 99 02"
    )  # normalised
    assert vest["exceptions"][0]["note"] == "congés"
    assert meal["locations"] == [] and meal["hours"][0]["location_id"] is None


def test_problems_carry_the_csv_line_and_column():
    bad = SHEET.replace("mo-fr 09:00-12:00", "mo-fr 9-", 1).replace(",,su", ",maybe,su", 1)
    bad += "v-1,Other name,,,,,,,,,,\n"
    _, problems = parse_sheet(bad.encode())
    where = {(p.item, p.field) for p in problems}
    assert (2, "hours") in where
    assert (5, "name") in where  # differs from line 2 of the same service
    _, problems = parse_sheet(b"id,name,colour\nx,y,red\n")
    assert [(p.item, p.field, p.message[:14]) for p in problems] == [
        (1, "colour", "unknown column")
    ]


def test_a_problem_is_said_in_the_language_asked_with_its_parameters():
    """The catalogue gives a message id and parameters; English without a translator."""
    bad = SHEET.replace("mo-fr 09:00-12:00", "mo-fr 09:00-12:00; sa 9-", 1)
    bad = bad.replace(",yes,", ",peut-être,", 1)
    _, problems = parse_sheet(bad.encode())
    texts = {p.field: (p.text(), p.text(translator("fr").gettext)) for p in problems}
    assert texts["hours"] == (
        "rule 2 ('sa 9-'): '9-' should be opening-closing, e.g. 09:00-12:00",
        "règle 2 ('sa 9-')\u00a0: '9-' doit être ouverture-fermeture, par exemple 09:00-12:00",
    )
    assert texts["free"] == (
        "write yes or no, not 'peut-être'",
        "écrivez oui ou non, pas 'peut-être'",
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_semicolon_sheets_from_french_spreadsheets_are_read(encoding):
    items, problems = parse_sheet("id;name;latitude\nx;Épicerie;50,63\n".encode(encoding))
    assert problems == [] and items[0][1]["name"] == "Épicerie"
    assert items[0][1]["locations"][0]["latitude"] == 50.63


def test_bad_sheet_writes_nothing(sqlite_engine):
    report = import_bytes(sqlite_engine, b"id,name,categories\nx,Y,nonsense\n", "a.csv", actor="t")
    assert [(p.item, p.field) for p in report.problems] == [(2, "categories")]
    assert report.problem_lines() == ["line 2, categories: unknown Soliguide category 'nonsense'"]


def test_translation_columns_are_read_and_written(sqlite_engine):
    data = "id,name,description,description_uk\nx,Douches,Douches gratuites,Безкоштовний душ\n"
    assert import_bytes(sqlite_engine, data.encode(), "a.csv", actor="t").ok()
    with session_scope(sqlite_engine) as session:
        (tr,) = get_service(session, "x").translations
    assert (tr.lang, tr.field, tr.text) == ("uk", "description", "Безкоштовний душ")
    assert "Безкоштовний душ" in export_bytes(sqlite_engine, "csv").decode("utf-8-sig")


def test_csv_round_trip(engine, tmp_path):
    fixture = CATALOGUE.read_bytes()
    assert import_bytes(engine, fixture, "eval.json", actor="t").ok()
    sheet = export_bytes(engine, "csv")
    assert sheet.decode("utf-8-sig").split("\r\n", 1)[0] == ",".join(COLUMNS)
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    report = import_bytes(other, sheet, "export.csv", actor="t")
    assert report.ok() and len(report.created) == 119
    assert export_bytes(other, "csv") == sheet
    again = import_bytes(other, sheet, "export.csv", actor="t")
    assert len(again.unchanged) == 119


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(["", "x", "9", "mo 9-", "a|b", '"', ";", "2026-13-01", "yes", "50,6"]),
            max_size=len(COLUMNS),
        ),
        max_size=4,
    )
)
def test_any_cells_give_a_report_never_an_exception(rows):
    lines = [",".join(COLUMNS)] + [",".join(cells) for cells in rows]
    parse("\n".join(lines).encode(), "any.csv")


def test_a_row_without_its_source_is_refused_in_the_admins_language(sqlite_engine):
    """Every entry records where its facts come from and when they were checked, as /add asks."""
    sheet = b"id,name,categories,source,verified_on\nx,Y,food,,\nz,W,food,Flyer 2026,2026-11-02\n"
    report = import_bytes(sqlite_engine, sheet, "a.csv", actor="t")
    assert [(p.item, p.field) for p in report.problems] == [(2, "source")]
    french = report.problems[0].text(translator("fr").gettext)
    assert french.startswith("manquant\u00a0: indiquez d'où viennent ces informations")
    with session_scope(sqlite_engine) as session:
        assert get_service(session, "z") is None  # nothing written


def test_closures_are_read_as_add_reads_them():
    """One reader for closures: a sheet takes "fermé du 24/12 au 2/1" and "15 août" as /add
    does (the next such dates), beside the export's own form with its special hours."""
    sheet = f"{HEADER}\nv-1,Vestiaire,clothing,,,,,,,,,fermé du 24/12 au 2/1; 15 août; " \
            "2031-08-16 10:00-12:00 matin\n"  # fmt: skip
    [(_, vest)], problems = parse_sheet(sheet.encode())
    assert problems == []
    christmas, august, morning = vest["exceptions"]
    assert (christmas["starts_on"][5:], christmas["ends_on"][5:]) == ("12-24", "01-02")
    assert int(christmas["ends_on"][:4]) == int(christmas["starts_on"][:4]) + 1
    assert august["starts_on"][5:] == august["ends_on"][5:] == "08-15"
    assert (morning["opens_at"], morning["note"]) == ("10:00", "matin")
    assert len({c["id"] for c in vest["exceptions"]}) == 3
    _, problems = parse_sheet(f"{HEADER}\nv-1,Vestiaire,clothing,,,,,,,,,fermé le 31/2\n".encode())
    assert [(p.item, p.field) for p in problems] == [(2, "closures")]


def test_a_category_is_its_key_or_its_label_in_any_language():
    sheet = f"{HEADER}\nv-1,Repas,Manger|douche|Одяг|clothing,,,,,,,,,\n"
    [(_, snap)], problems = parse_sheet(sheet.encode())
    assert problems == [] and snap["categories"] == ["food", "shower", "clothing", "clothing"]
    _, report = parse(f"{HEADER}\nv-1,Repas,Mangez bien,,,,,,,,,\n".encode(), "sheet.csv")
    assert (2, "categories") in {(p.item, p.field) for p in report.problems}
