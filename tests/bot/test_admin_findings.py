"""What a tester found in the admin commands (session 5), end to end through the local Bot API:
/undo says what came back, /edit adds closures, import problems name days in the admin's
language and keep right-to-left lines readable, and /add reads a typed access."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.admin.fields import BY_KEY
from bot.i18n import LRI, PDI, RTL, SUPPORTED, format_weekday, translator
from bot.transport import LocalUser
from tests.bot.admin_kit import ADMIN, SERVICE_ID
from tests.bot.test_admin import add_until_summary

pytestmark = pytest.mark.filterwarnings("ignore:Ignoring `conversation_timeout`")
MARKS = re.compile("[\u200e\u200f\u2066-\u2069]")


def said(calls) -> list[str]:
    """The messages sent, without the right-to-left marks."""
    return [MARKS.sub("", c.text) for c in calls if c.method == "sendMessage"]


def closures(kit) -> list[tuple[date, date]]:
    return sorted((e.starts_on, e.ends_on) for e in kit.service().exceptions)


def show(periods: list[tuple[date, date]], tr) -> str:
    """The closures as the admin reads them."""
    value = [{"starts_on": s.isoformat(), "ends_on": e.isoformat()} for s, e in periods]
    return MARKS.sub("", BY_KEY["closures"].show(value, tr))


@pytest.mark.parametrize("lang", ["en", "ar"])
async def test_edit_adds_a_closure_and_undo_names_the_field_that_came_back(kit, lang):
    """QA: /edit of closures replaced the ones there; /undo said only "Undone: changed of …"."""
    tr = translator(lang)
    user = LocalUser(kit.app, kit.request, user_id=ADMIN, language_code=lang)
    added = tr.gettext("What you send now is added to these; send - to remove them all.")
    await user.send(f"/edit {SERVICE_ID}")
    assert added not in said(await user.press("adm:f:closures"))[-1]  # none yet: nothing to add to
    await user.send("24/12-26/12")
    (christmas,) = closures(kit)
    await user.send(f"/edit {SERVICE_ID}")
    assert added in said(await user.press("adm:f:closures"))[-1]
    saved = said(await user.send("15/8"))[0]
    holiday = next(pair for pair in closures(kit) if pair != christmas)
    assert sorted([christmas, holiday]) == closures(kit)
    assert show(closures(kit), tr) in saved

    undone = said(await user.send("/undo"))[0]
    back = tr.gettext("Undone: your change to {name} ({id}). Back as before:")
    assert back.format(name="Douches solidaires", id=SERVICE_ID) in undone
    assert f"• {tr.gettext('Closures')}" in undone and show([christmas], tr) in undone
    assert closures(kit) == [christmas]
    history = said(await user.send(f"/history {SERVICE_ID}"))[0]
    assert f"({tr.gettext('Closures')})" in history and "exceptions" not in history

    await user.send(f"/edit {SERVICE_ID}")
    await user.press("adm:f:closures")
    await user.send("-")  # removes them all
    assert closures(kit) == []


async def test_a_status_change_is_still_undone_by_its_name(kit):
    await kit.admin.send(f"/hide {SERVICE_ID}")
    assert said(await kit.admin.send("/undo")) == ["Undone: hidden of Douches solidaires."]


SHEET = (
    "id,name,source,categories,hours,min_age\r\n"
    "svc-a,Épicerie,Flyer,food,lundi matin,dix\r\n"
    "svc-b,Douches,Flyer,shower,mo 9-12; sa 25-26,\r\n"
).encode()


@pytest.mark.parametrize("lang", SUPPORTED)
async def test_import_problems_name_days_and_keep_each_value_apart_right_to_left(kit, lang):
    """QA: "'mo' needs its times" showed the day's code; in Arabic the line number, the field
    and the value ran together into one left-to-right piece."""
    tr = translator(lang)
    user = LocalUser(kit.app, kit.request, user_id=ADMIN, language_code=lang)
    await user.send("/import")
    calls = await user.send_document("sheet.csv", SHEET)
    (report,) = [c.text for c in calls if c.method == "sendMessage"]
    missing = tr.gettext("the times are missing for {days} (e.g. {example})")
    assert missing.format(days=format_weekday(0, lang), example="mo 09:00-12:00") in MARKS.sub(
        "", report
    )
    if lang in RTL:  # each Latin value is a piece of its own; line numbers stay outside
        isolated = re.findall(f"{LRI}([^{PDI}]*){PDI}", report)
        assert set(isolated) == {"min_age", "dix", "hours", "mo 09:00-12:00", "sa 25-26"}
    else:
        assert LRI not in report


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
async def test_add_reads_a_typed_access_as_the_imports_do(kit, lang):
    """QA: /add's access step refused "sans rendez-vous"; the sheet refused it too."""
    tr = translator(lang)
    user = LocalUser(kit.app, kit.request, user_id=ADMIN, language_code=lang)
    calls = await add_until_summary(user, access="Sans rendez-vous")
    assert tr.gettext("walk in, no appointment") in said(calls)[-1]
    assert kit.app.user_data[ADMIN]["admin_draft"]["access"] == "unconditional"
    await user.send("/cancel")
    await user.send(f"/edit {SERVICE_ID}")
    await user.press("adm:f:access")
    await user.send(tr.gettext("by appointment"))  # a button's words, typed
    assert kit.service().access == "appointment"
    sheet = "id,name,source,categories,access\r\nsvc-c,Accueil,Flyer,food,sur rendez-vous\r\n"
    await user.send("/import")
    await user.send_document("sheet.csv", sheet.encode())
    await user.press("adm:imp:apply")
    assert kit.service("svc-c").access == "appointment"


@pytest.mark.parametrize("lang", ["en", "fa"])
async def test_an_answer_edited_later_fills_no_other_step(kit, lang):
    """Correcting the name by editing its message, at the organisation step, looked the name up
    as an organisation; now the edit is said to be unread and the step waits as it was."""
    tr = translator(lang)
    user = LocalUser(kit.app, kit.request, user_id=ADMIN, language_code=lang)
    await user.send("/add")
    calls = await user.send("Bains-douches")
    organisation_step = said(calls)[-1]
    calls = await user.edit(calls[0].result["message_id"] - 1, "Bains-douches du Centre")
    assert said(calls) == [
        MARKS.sub(
            "",
            tr.gettext(
                "A changed message is not read. Answer the question above, or send /cancel to stop."
            ),
        )
    ]
    assert kit.app.user_data[ADMIN]["admin_draft"] == {"name": "Bains-douches"}
    assert "admin_organization" not in kit.app.user_data[ADMIN]
    calls = await user.send("-")  # the organisation step still answers
    assert said(calls)[-1] != organisation_step
    assert kit.app.user_data[ADMIN]["admin_draft"]["organization"] is None
