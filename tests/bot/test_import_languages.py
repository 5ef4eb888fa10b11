"""Import problems reach the administrator in their own language (issue 16), end to end: a bad
spreadsheet and a bad HSDS file sent to /import, every problem listed, nothing written."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlmodel import Session, func, select

from bot.render import render_service_card
from bot.transport import LocalUser
from catalogue import version
from catalogue.hours import PARIS
from catalogue.importer import export_bytes
from catalogue.models import AuditEntry
from tests.bot.admin_kit import ADMIN

pytestmark = pytest.mark.filterwarnings("ignore:Ignoring `conversation_timeout`")

# The admin's language -> what the bad sheet and the bad HSDS file must be answered with.
EXPECTED = {
    "fr": {
        "sheet": [
            "ligne 2 [min_age]\u00a0: pas un nombre entier\u00a0: 'dix'",
            "ligne 2 [phones]\u00a0: pas un numéro de téléphone valide\u00a0: '12'",
            "ligne 2 [hours]\u00a0: 'sometimes' demande des jours puis des heures",
        ],
        "hsds": [
            "élément 1 [status]\u00a0: statut inconnu 'shut' (active, inactive, defunct)",
            "élément 1 [minimum_age]\u00a0: integer attendu, string trouvé",
            "élément 2 [id]\u00a0: identifiant de service en double 'svc-x'",
        ],
    },
    "uk": {
        "sheet": [
            "рядок 2 [min_age]: не ціле число: 'dix'",
            "рядок 2 [phones]: недійсний номер телефону: '12'",
            "рядок 2 [hours]: 'sometimes': потрібні дні, потім години",
        ],
        "hsds": [
            "елемент 1 [status]: невідомий статус 'shut' (active, inactive, defunct)",
            "елемент 1 [minimum_age]: очікувано integer, отримано string",
            "елемент 2 [id]: повторюваний ідентифікатор послуги 'svc-x'",
        ],
    },
}


def written(kit) -> tuple[object, int]:
    with Session(kit.engine) as session:
        return version.read(kit.engine), session.exec(
            select(func.count()).select_from(AuditEntry)
        ).one()


def bad_sheet(kit) -> bytes:
    """The catalogue's own export with a whole number, the hours and a phone spoiled."""
    sheet = export_bytes(kit.engine, "csv").decode("utf-8-sig")
    header, row = sheet.splitlines()[:2]
    cells = dict(zip(header.split(","), row.split(","), strict=True))
    cells.update(min_age="dix", hours="sometimes", phones="12")
    return (header + "\r\n" + ",".join(cells.values()) + "\r\n").encode()


def bad_hsds() -> bytes:
    service = {"id": "svc-x", "name": "Épicerie", "status": "shut", "minimum_age": "dix"}
    return json.dumps([service, {**service, "status": "active", "minimum_age": 18}]).encode()


@pytest.mark.parametrize("lang", EXPECTED)
async def test_import_problems_come_in_the_admins_language_and_nothing_is_written(kit, lang):
    admin = LocalUser(kit.app, kit.request, user_id=ADMIN, language_code=lang)
    before = written(kit)
    for kind, name, data in (("sheet", "sheet.csv", bad_sheet(kit)),
                             ("hsds", "services.json", bad_hsds())):  # fmt: skip
        await admin.send("/import")
        calls = await admin.send_document(name, data)
        (report,) = [c.text for c in calls if c.method == "sendMessage"]
        for line in EXPECTED[lang][kind]:
            assert line in report, (kind, report)
        assert not calls[-1].button_data()  # no Apply button: nothing can be imported
        for english in (
            "not a whole number",
            "unknown status",
            "duplicate service id",
            "not a valid phone number",
            "expected integer",
        ):
            assert english not in report, report
        assert written(kit) == before


async def test_hours_relais_cannot_check_are_a_warning_then_to_confirm_on_the_card(kit):
    """Tuesdays every other week, from no given week: imported with a warning in French; the
    card never says open now at those hours and shows them as to confirm."""
    schedules = [{"freq": "WEEKLY", "byday": "TU", "interval": 2, "opens_at": "14:00",
                  "closes_at": "16:00"}]  # fmt: skip
    data = json.dumps([{"id": "svc-2", "name": "Épicerie", "schedules": schedules}]).encode()
    admin = LocalUser(kit.app, kit.request, user_id=ADMIN, language_code="fr")
    await admin.send("/import")
    calls = await admin.send_document("services.json", data)
    report = [c.text for c in calls if c.method == "sendMessage"][0]
    assert (
        "1 avertissement (il n'empêche pas l'import)\u00a0:\n• élément 1 [hours]\u00a0: mardi "
        "14:00-16:00 se répète selon interval, que Relais ne peut pas vérifier"
    ) in report
    assert calls[-1].button_data() == ["adm:imp:apply", "adm:imp:cancel"]
    calls = await admin.press("adm:imp:apply")
    assert "avertissement" in [c.text for c in calls if c.method == "sendMessage"][0]
    tuesday = datetime(2026, 10, 6, 15, tzinfo=PARIS)
    card = render_service_card(kit.service("svc-2"), "fr", now=tuesday).text
    assert "Ouvert maintenant\u00a0? Confirmez les horaires auprès du service" in card
    assert "Aujourd'hui" in card
    assert "(à confirmer)" in card and "Ouvert maintenant." not in card
