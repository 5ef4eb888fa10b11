"""Administrator commands end to end through the local Bot API."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import Session, func, select
from telegram.ext import CallbackContext

from bot.admin import menu, review
from bot.admin.fields import BY_KEY, FIELDS
from bot.app import build_application
from bot.i18n import format_date, format_weekday, translator
from bot.roles import AdminRole, grant
from bot.stats import record_search
from bot.transport import LocalUser
from catalogue import version
from catalogue.db import session_scope
from catalogue.hours import PARIS, is_open
from catalogue.importer import export_bytes
from catalogue.models import AuditEntry, Location, Service
from catalogue.services import get_service, save_service, service_snapshot
from tests.bot.admin_kit import ADMIN, ORGANIZATION_ID, OTHER, PLACE_ID, SERVICE_ID
from tests.conftest import CATALOGUE
from tests.factories import make_hours

REFUSED = "This command is not available."
# pytest resets warning filters per test; the Application is not started here, so admin
# steps cannot time out (see bot/admin/__init__.py).
pytestmark = pytest.mark.filterwarnings("ignore:Ignoring `conversation_timeout`")


def texts(calls):
    return [c.text for c in calls if c.method == "sendMessage"]


def state(kit):
    """Everything an admin command could change."""
    with Session(kit.engine) as session:
        audits = session.exec(select(func.count()).select_from(AuditEntry)).one()
        roles = session.exec(select(func.count()).select_from(AdminRole)).one()
        return version.read(kit.engine), audits, roles


COMMANDS = [
    "/admin",
    "/add",
    f"/edit {SERVICE_ID}",
    f"/hide {SERVICE_ID}",
    f"/show {SERVICE_ID}",
    f"/delete {SERVICE_ID}",
    f"/history {SERVICE_ID}",
    "/undo",
    "/import",
    "/export",
    "/teach fr zorglub = shower",
    "/stale",
    "/stats",
    f"/grant {OTHER}",
    f"/revoke {ADMIN}",
]
BUTTONS = [f"adm:ver:{SERVICE_ID}", "adm:exp:csv"]  # always live (others only inside a step)


async def test_every_admin_command_is_refused_to_others_and_changes_nothing(kit):
    before = state(kit)
    for command in COMMANDS:
        calls = await kit.other.send(command)
        assert texts(calls) == [REFUSED], command
    for data in BUTTONS:
        calls = await kit.other.press(data, message_id=1)
        answers = [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]
        assert answers == [REFUSED], data
        assert not [c for c in calls if c.method in ("sendMessage", "sendDocument")], data
    await kit.other.send("Some name")  # not captured by an admin conversation
    assert state(kit) == before


async def test_admin_help_lists_the_commands(kit):
    text = texts(await kit.admin.send("/admin"))[0]
    for command in ("/add", "/edit ID", "/import", "/stale", "/stats", "/grant ID"):
        assert command in text


async def test_admin_menu_set_for_admin_chats_only(kit):
    start = len(kit.request.calls)
    await menu.show_admin_menus(CallbackContext(kit.app))
    (menu_call,) = [c for c in kit.request.calls[start:] if c.method == "setMyCommands"]
    assert menu_call.params["scope"]["chat_id"] == ADMIN
    assert "stale" in [command["command"] for command in menu_call.params["commands"]]


async def test_grant_answers_what_is_not_a_user_id(kit):
    assert texts(await kit.admin.send("/grant ²")) == ["Send the Telegram user id (a number)."]
    huge = "99999999999999999999999"
    assert texts(await kit.admin.send(f"/grant {huge}")) == [f"No Telegram user has the id {huge}."]
    assert texts(await kit.admin.send("/revoke 0")) == ["No Telegram user has the id 0."]
    assert texts(await kit.admin.send("/stats ²")) == ["Usage: /stats [number of days]"]


async def test_granted_admin_works_but_cannot_grant(kit):
    calls = await kit.admin.send(f"/grant {OTHER}")
    assert texts(calls) == [f"{OTHER} is now an administrator."]
    assert [c.method for c in calls if "MyCommands" in c.method] == [
        "getMyCommands",
        "setMyCommands",
    ]
    calls = await kit.other.send(f"/hide {SERVICE_ID}")
    assert "Hidden" in texts(calls)[0]
    assert texts(await kit.other.send("/grant 5")) == [REFUSED]
    assert texts(await kit.other.send(f"/revoke {OTHER}")) == [REFUSED]
    calls = await kit.admin.send(f"/revoke {OTHER}")
    assert [c.method for c in calls if "MyCommands" in c.method] == ["deleteMyCommands"]
    assert texts(await kit.other.send(f"/show {SERVICE_ID}")) == [REFUSED]
    assert kit.service().status == "hidden"


async def test_add_guided_with_validation_at_each_step(kit):
    user = kit.admin
    assert "called" in texts(await user.send("/add"))[-1]
    assert "2 to 120" in texts(await user.send("x"))[0]
    assert "organisation" in texts(await user.send("Bains-douches du Centre"))[-1]
    calls = await user.send("solidarite test")  # the fixture's organisation, named loosely
    assert calls[-1].button_data() == [f"adm:org:{ORGANIZATION_ID}", "adm:orgnew"]
    calls = await user.press(f"adm:org:{ORGANIZATION_ID}")
    assert "adm:cg:hygiene_and_wellness" in calls[-1].button_data()
    await user.press("adm:cg:hygiene_and_wellness")
    await user.press("adm:ct:shower")
    assert "Where" in texts(await user.press("adm:cd"))[-1]
    assert "do not know" in texts(await user.send("Marseille"))[0]
    calls = await user.send("12 rue Pierre Motte, 59100 Roubaix")
    assert "hours" in texts(calls)[-1].lower()
    assert "not understood" in texts(await user.send("lundi matin"))[0]
    calls = await user.send("mo-fr 09:00-12:00")
    assert "Monday" in texts(calls)[0]
    assert "closures" in texts(calls)[-1]
    assert "not understood" in texts(await user.send("closed at Christmas"))[0]
    await user.send("closed 15 August")
    assert "not possible" in texts(await user.send("women 30-20"))[0]
    await user.press("adm:v:audience:all")
    await user.press("adm:v:access:unconditional")
    await user.press("adm:v:cost:free")
    assert "No phone" in texts(await user.send("call us"))[0]
    await user.send("03 20 12 34 56 accueil@example.org")
    await user.send("Douches chaudes, serviette fournie.")
    await user.send("-")
    assert "Unknown language codes: xx" in texts(await user.send("fr xx"))[0]
    await user.send("fr ar")
    calls = await user.send("Flyer of the association, 2026")
    summary = texts(calls)[-1]
    assert "Bains-douches du Centre" in summary and "Roubaix" in summary
    assert calls[-1].button_data() == ["adm:save", "adm:cancel"]
    calls = await user.press("adm:save")
    assert "Saved" in texts(calls)[0]
    with Session(kit.engine) as session:
        service = session.exec(
            select(Service).where(Service.name == "Bains-douches du Centre")
        ).one()
        assert service.category_keys == ["shower"]
        assert service.free is True and service.access == "unconditional"
        assert service.verified_on is not None
        assert service.locations[0].city == "Roubaix" and service.locations[0].approximate
        assert service.phones[0].number.startswith("+33 3 20")
        assert service.email == "accueil@example.org"
        assert service.description == "Douches chaudes, serviette fournie."
        assert service.eligibility is None and service.languages == ["fr", "ar"]
        assert service.organization.id == ORGANIZATION_ID
        assert service.organization.website == "https://example.org"  # linked, not copied over
        (closure,) = service.exceptions
        assert (closure.starts_on.month, closure.starts_on.day, closure.opens_at) == (8, 15, None)
        entry = session.exec(select(AuditEntry).where(AuditEntry.entity_id == service.id)).one()
        assert (entry.actor, entry.action) == (f"telegram:{ADMIN}", "create")


def answers(calls):
    return [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]


async def test_an_earlier_steps_button_fills_nothing(kit):
    """QA: the cost step's old "free" button, pressed at the source step, saved "Source: free"."""
    user = kit.admin
    for step in ("/add", "Bains-douches du Centre", "-"):
        await user.send(step)
    for data in ("adm:cg:hygiene_and_wellness", "adm:ct:shower", "adm:cd"):
        await user.press(data)
    for step in ("Roubaix", "mo-fr 09:00-12:00", "-", "all", "-"):
        await user.send(step)
    calls = await user.press("adm:v:cost:free")
    assert calls[-1].button_data() == []  # the contact step: no buttons
    for data in ("adm:v:cost:free", "adm:v:free", "adm:ct:shower"):  # old buttons
        calls = await user.press(data)
        assert answers(calls) == ["This button is old."] and not texts(calls), data
    for step in ("-", "-", "-", "-"):  # contact, description, conditions, languages
        await user.send(step)
    summary = texts(await user.send("Flyer of the association, 2026"))[-1]
    assert "Source: Flyer of the association, 2026" in summary
    await kit.admin.send(f"/edit {SERVICE_ID}")
    await kit.admin.press("adm:f:source")
    assert answers(await kit.admin.press("adm:v:cost:free")) == ["This button is old."]
    assert kit.service().source == "test fixture"


async def test_french_summary_punctuation(kit):
    """QA: "Lieu: Roubaix, (sans adresse précise)" (stray comma, no space before the colon)."""
    french = LocalUser(kit.app, kit.request, user_id=ADMIN, language_code="fr")
    for step in ("/add", "Bains-douches du Centre", "-"):
        await french.send(step)
    for data in ("adm:cg:hygiene_and_wellness", "adm:ct:shower", "adm:cd"):
        await french.press(data)
    await french.send("Roubaix")
    preview = texts(await french.send("lu-ve 9h-12h, 14h-17h"))[0]
    assert "lundi – vendredi\u00a0: 09:00\u2009–\u200912:00, 14:00\u2009–\u200917:00" in preview
    assert preview.count("vendredi") == 1
    for step in ("-", "all", "-", "free", "-", "-", "-", "fr"):
        await french.send(step)
    summary = texts(await french.send("Flyer"))[-1]
    assert "Langues parlées\u00a0: français" in summary
    assert "Nom\u00a0: Bains-douches du Centre" in summary
    assert "Roubaix (sans adresse précise)" in summary and ", (" not in summary
    record_search(kit.engine, need="shower", commune="Roubaix", found=True, at=datetime.now(UTC))
    assert "• Roubaix\u00a0: 1" in texts(await french.send("/stats"))[0]
    assert "Roubaix: 1" in texts(await kit.admin.send("/stats"))[0]  # English keeps "label: value"


async def test_add_cancelled_saves_nothing_and_other_commands_leave(kit):
    before = state(kit)
    await kit.admin.send("/add")
    await kit.admin.send("Un nom")
    assert "Nothing was changed" in texts(await kit.admin.send("/cancel"))[0]
    await kit.admin.send("/add")
    await kit.admin.send("/help")  # leaves the admin conversation
    calls = await kit.admin.send("Another name")
    assert not any("categories" in t for t in texts(calls))
    assert state(kit) == before


async def test_add_draft_survives_a_restart(kit):
    await kit.admin.send("/add")
    await kit.admin.send("Bains-douches du Centre")
    await kit.admin.send("-")
    await kit.admin.press("adm:cg:hygiene_and_wellness")
    await kit.admin.press("adm:ct:shower")
    await kit.admin.press("adm:cd")
    await kit.admin.send("Roubaix")
    await kit.app.update_persistence()
    await kit.app.shutdown()
    kit.app = build_application(kit.app.bot_data["settings"], request=kit.request)
    await kit.app.initialize()
    kit.admin.application = kit.app
    calls = await kit.admin.send("mo-fr 09:00-12:00")  # the hours step, where we left off
    assert "Monday – Friday" in texts(calls)[0]
    assert kit.app.user_data[ADMIN]["admin_draft"]["place"]["city"] == "Roubaix"


async def test_edit_one_field(kit):
    calls = await kit.admin.send(f"/edit {SERVICE_ID}")
    assert "adm:f:hours" in calls[-1].button_data()
    calls = await kit.admin.press("adm:f:hours")
    assert "Now:" in texts(calls)[-1]
    assert "not understood" in texts(await kit.admin.send("sometimes"))[0]
    assert "Saved" in texts(await kit.admin.send("sa 10:00-12:00"))[0]
    hours = kit.service().hours
    assert [(h.byday, h.opens_at.hour) for h in hours] == [("SA", 10)]


async def test_an_hours_edit_keeps_notes_and_periods_of_rules_left_as_they_were(kit):
    with session_scope(kit.engine) as session:
        service = get_service(session, SERVICE_ID)
        weekdays = make_hours(SERVICE_ID, "MO,TU,WE,TH,FR", time(9), time(12),
                              note="sauf vacances scolaires", location_id=PLACE_ID)  # fmt: skip
        summer = make_hours(SERVICE_ID, "SA", time(10), time(12), 1, note="l'été",
                            valid_from=date(2026, 7, 1), valid_to=date(2026, 8, 31))  # fmt: skip
        service.hours = [weekdays, summer]
        save_service(session, service, actor="test")
    before = service_snapshot(kit.service())
    await kit.admin.send(f"/edit {SERVICE_ID}")
    now = texts(await kit.admin.press("adm:f:hours"))[-1]
    assert "Saturday: 10:00" in now and "(from July 1, 2026 to August 31, 2026)" in now
    await kit.admin.send("mo-fr 09:00-12:00; sa 10:00-12:00 (2026-07-01..2026-08-31); su 10-11")
    after = {h.byday: h for h in kit.service().hours}
    assert sorted(after) == ["MO,TU,WE,TH,FR", "SA", "SU"]
    weekdays, saturday = after["MO,TU,WE,TH,FR"], after["SA"]
    assert (weekdays.id, weekdays.note, weekdays.location_id) == (
        f"h-{SERVICE_ID}-0",
        "sauf vacances scolaires",
        PLACE_ID,
    )
    assert (saturday.id, saturday.note, saturday.valid_to) == (
        f"h-{SERVICE_ID}-1",
        "l'été",
        date(2026, 8, 31),
    )
    assert "Undone" in texts(await kit.admin.send("/undo"))[0]
    assert service_snapshot(kit.service())["hours"] == before["hours"]


async def test_hours_of_separate_days_read_as_one_list(kit):
    """QA: MO,TU,TH,FR read "lundi et mardi et jeudi et vendredi" (nested lists)."""
    french = LocalUser(kit.app, kit.request, user_id=ADMIN, language_code="fr")
    await french.send(f"/edit {SERVICE_ID}")
    await french.press("adm:f:hours")
    saved = texts(await french.send("lu,ma,je,ve 09:00-12:00; sa 10:00-11:00"))[0]
    assert "lundi, mardi, jeudi et vendredi" in saved
    assert "samedi" in saved and " et mardi" not in saved


async def test_edit_place_with_a_shared_location(kit):
    await kit.admin.send(f"/edit {SERVICE_ID}")
    await kit.admin.press("adm:f:place")
    assert "outside" in texts(await kit.admin.share_location(48.85, 2.35))[0]
    assert "Saved" in texts(await kit.admin.share_location(50.6942, 3.1746))[0]
    (place,) = kit.service().locations
    assert (place.latitude, place.longitude, place.approximate) == (50.6942, 3.1746, False)


async def test_editing_the_place_leaves_no_unlinked_place_and_undo_restores_it(kit):
    with session_scope(kit.engine) as session:
        service = get_service(session, SERVICE_ID)
        service.hours[0].location_id = PLACE_ID  # hours given at this place
        save_service(session, service, actor="test")
    before = service_snapshot(kit.service())
    await kit.admin.send(f"/edit {SERVICE_ID}")
    await kit.admin.press("adm:f:place")
    assert "Saved" in texts(await kit.admin.send("5 rue du Test, 59000 Lille"))[0]
    (place,) = kit.service().locations
    assert place.city == "Lille" and kit.service().hours[0].location_id == place.id
    with Session(kit.engine) as session:
        assert session.exec(select(Location.id)).all() == [place.id]  # the seeded place is gone
    assert "Undone" in texts(await kit.admin.send("/undo"))[0]
    after_undo = service_snapshot(kit.service())
    assert (after_undo["locations"], after_undo["hours"]) == (before["locations"], before["hours"])
    with Session(kit.engine) as session:
        assert session.exec(select(Location.id)).all() == [PLACE_ID]


async def test_concurrent_edit_is_refused_and_shows_the_current_value(kit):
    await kit.admin.send(f"/edit {SERVICE_ID}")
    await kit.admin.press("adm:f:name")
    with session_scope(kit.engine) as session:  # another admin saves meanwhile
        service = session.get(Service, SERVICE_ID)
        service.name = "Douches (other admin)"
        save_service(session, service, actor="telegram:3")
    calls = await kit.admin.send("My name")
    assert "another administrator" in texts(calls)[0]
    assert "Douches (other admin)" in texts(calls)[0]
    assert kit.service().name == "Douches (other admin)"


async def test_hide_show_delete_undo_history(kit):
    assert "Hidden" in texts(await kit.admin.send(f"/hide {SERVICE_ID}"))[0]
    assert kit.service().status == "hidden"
    await kit.admin.send(f"/show {SERVICE_ID}")
    assert kit.service().status == "active"
    await kit.admin.send(f"/delete {SERVICE_ID}")
    assert kit.service().status == "deleted"
    assert "Undone" in texts(await kit.admin.send("/undo"))[0]
    assert kit.service().status == "active"
    history = texts(await kit.admin.send(f"/history {SERVICE_ID}"))[0]
    for word in ("created", "hidden", "shown", "deleted", "undone", f"telegram:{ADMIN}"):
        assert word in history
    assert "No service" in texts(await kit.admin.send("/hide nope"))[0]
    assert "Usage" in texts(await kit.admin.send("/hide"))[0]


async def test_a_command_without_id_during_a_step_gets_its_usage(kit):
    """QA: /hide typed during /add got the residents' "I do not know this command"."""
    for command in ("hide", "show", "delete", "history", "edit"):
        await kit.admin.send("/add")
        assert texts(await kit.admin.send(f"/{command}")) == [f"Usage: /{command} ID"]
        calls = await kit.admin.send("Un nom")  # the /add step has ended: not a name
        assert not any("categories" in t for t in texts(calls)), command
    await kit.admin.send(f"/edit {SERVICE_ID}")
    await kit.admin.press("adm:f:name")
    assert "Hidden" in texts(await kit.admin.send(f"/hide {SERVICE_ID}"))[0]
    assert kit.service().status == "hidden"


async def test_import_dry_run_then_cancel_or_apply(kit):
    data = CATALOGUE.read_bytes()
    before = state(kit)
    await kit.admin.send("/import")
    calls = await kit.admin.send_document("catalogue.json", data)
    report = texts(calls)[0]
    assert "Dry run" in report and "to create" in report
    assert calls[-1].button_data() == ["adm:imp:apply", "adm:imp:cancel"]
    await kit.admin.press("adm:imp:cancel")
    assert state(kit) == before
    assert "admin_import" not in kit.app.user_data[ADMIN]
    await kit.admin.send("/import")
    await kit.admin.send_document("catalogue.json", data)
    calls = await kit.admin.press("adm:imp:apply")
    assert "created" in texts(calls)[0]
    assert state(kit)[0] > before[0]
    assert "admin_import" not in kit.app.user_data[ADMIN]


async def test_import_of_a_broken_file_reports_and_changes_nothing(kit):
    before = state(kit)
    await kit.admin.send("/import")
    assert "Only .csv and .json" in texts(await kit.admin.send_document("notes.txt", b"x"))[0]
    calls = await kit.admin.send_document("broken.json", b'{"services": [')
    assert "problem" in texts(calls)[0]
    assert not calls[-1].button_data()
    assert state(kit) == before


async def test_csv_problems_name_their_line_and_nothing_changes(kit):
    sheet = export_bytes(kit.engine, "csv").replace(b"mo-fr 09:00-12:00", b"sometimes")
    before = state(kit)
    await kit.admin.send("/import")
    calls = await kit.admin.send_document("sheet.csv", sheet)
    report = texts(calls)[0]
    assert "line 2" in report and "hours" in report
    assert not calls[-1].button_data()
    assert state(kit) == before


async def test_export_sends_a_document(kit):
    calls = await kit.admin.send("/export")
    assert calls[-1].button_data() == ["adm:exp:csv", "adm:exp:hsds"]
    calls = await kit.admin.press("adm:exp:csv")
    (document,) = [c for c in calls if c.method == "sendDocument"]
    assert b"Douches solidaires" in document.files["document"]
    calls = await kit.admin.press("adm:exp:hsds")
    (document,) = [c for c in calls if c.method == "sendDocument"]
    assert b"svc-douches" in document.files["document"]


async def test_stale_list_and_mark_verified(kit):
    calls = await kit.admin.send("/stale")
    assert "Douches solidaires" in texts(calls)[0] and "never verified" in texts(calls)[0]
    calls = await kit.admin.press(f"adm:ver:{SERVICE_ID}")
    assert "verified" in texts(calls)[0]
    assert kit.service().verified_on == datetime.now(PARIS).date()  # the day in Lille
    assert "Every service" in texts(await kit.admin.send("/stale"))[0]


async def test_weekly_reminder_goes_to_every_admin(kit):
    grant(kit.engine, OTHER, by=ADMIN)
    start = len(kit.request.calls)
    await review.remind_stale(CallbackContext(kit.app))
    sent = [c for c in kit.request.calls[start:] if c.method == "sendMessage"]
    assert sorted(int(c.params["chat_id"]) for c in sent) == [ADMIN, OTHER]
    assert "/stale" in sent[0].text
    assert sorted(job.name for job in kit.app.job_queue.jobs()) == ["admin menus", "stale reminder"]


def test_stale_cutoff_clamps_to_month_end():
    assert review.stale_cutoff(date(2026, 8, 31), 6) == date(2026, 2, 28)
    assert review.stale_cutoff(date(2026, 3, 15), 12) == date(2025, 3, 15)


async def test_stats_text_and_png_chart(kit):
    now = datetime.now(UTC)
    record_search(kit.engine, need="shower", commune="Roubaix", found=True, at=now)
    record_search(kit.engine, need="shower", commune="Lille", found=False, at=now)
    calls = await kit.admin.send("/stats 7")
    text = texts(calls)[0]
    assert "Roubaix: 1" in text and "Unmet" in text
    (photo,) = [c for c in calls if c.method == "sendPhoto"]
    assert photo.files["photo"].startswith(b"\x89PNG")
    assert "Usage" in texts(await kit.admin.send("/stats soon"))[0]
    arabic = LocalUser(kit.app, kit.request, user_id=ADMIN, language_code="ar")
    calls = await arabic.send("/stats")  # chart drawn in French: matplotlib cannot shape Arabic
    assert [c.method for c in calls] == ["sendMessage", "sendPhoto"]


async def test_edit_audience_in_the_words_of_the_buttons_femmes_18_plus(kit):
    kit.admin.user["language_code"] = "fr"
    await kit.admin.send(f"/edit {SERVICE_ID}")
    await kit.admin.press("adm:f:audience")
    assert "Enregistré" in texts(await kit.admin.send("femmes 18+"))[0]
    service = kit.service()
    assert (service.gender, service.min_age, service.max_age) == ("women", 18, None)


async def test_an_hours_mistake_is_explained_in_the_admins_language(kit):
    kit.admin.user["language_code"] = "fr"
    await kit.admin.send(f"/edit {SERVICE_ID}")
    await kit.admin.press("adm:f:hours")
    answer = texts(await kit.admin.send("lu-ve 09:00-25:00"))[0]
    assert "'25:00' n'est pas une heure de la journée" in answer
    assert "is not a time" not in answer
    answer = texts(await kit.admin.send("lu-ve 9h"))[0]
    assert "doit être ouverture-fermeture" in answer and "should be" not in answer


async def test_edit_description_conditions_and_languages(kit):
    kit.admin.user["language_code"] = "fr"
    await kit.admin.send(f"/edit {SERVICE_ID}")
    calls = await kit.admin.press("adm:f:description")
    assert "Que propose-t-il" in texts(calls)[-1]
    assert "Enregistré" in texts(await kit.admin.send("Douches et café le matin."))[0]
    await kit.admin.send(f"/edit {SERVICE_ID}")
    await kit.admin.press("adm:f:eligibility")
    await kit.admin.send("Sur présentation d'une pièce d'identité")
    await kit.admin.send(f"/edit {SERVICE_ID}")
    await kit.admin.press("adm:f:languages")
    await kit.admin.send("fr, uk")
    service = kit.service()
    assert service.description == "Douches et café le matin."
    assert service.eligibility == "Sur présentation d'une pièce d'identité"
    assert service.languages == ["fr", "uk"]


ADD_ANSWERS = {
    "name": "Bains-douches du Centre",
    "organization": "-",
    "place": "Roubaix",
    "hours": "-",
    "closures": "-",
    "audience": "all",
    "access": "-",
    "cost": "-",
    "contact": "-",
    "description": "-",
    "eligibility": "-",
    "languages": "-",
    "source": "Flyer",
}


async def add_until_summary(user, **answers):
    """/add answered step by step (`answers` by field key, the rest as ADD_ANSWERS); the calls
    of the last step (the summary)."""
    calls = await user.send("/add")
    for spec in FIELDS:
        if spec.key == "categories":
            for data in ("adm:cg:hygiene_and_wellness", "adm:ct:shower", "adm:cd"):
                calls = await user.press(data)
        else:
            calls = await user.send(answers.get(spec.key, ADD_ANSWERS[spec.key]))
    return calls


@pytest.mark.parametrize("lang", ["fr", "uk"])
async def test_an_old_welcome_button_during_add_leaves_the_step_as_it_was(kit, lang):
    """QA: a language button of /start tapped during /add switched the language mid-step."""
    tr = translator(lang)
    user = LocalUser(kit.app, kit.request, user_id=ADMIN, language_code=lang)
    welcome = await user.send("/start")
    assert "l:en" in sum((c.button_data() for c in welcome), [])
    await user.send("/add")
    for data in ("l:en", "cats", "g:food"):
        calls = await user.press(data, message_id=1)
        assert texts(calls) == [
            tr.gettext(
                "This button belongs to an earlier message. Answer the question above, "
                "or send /cancel to stop."
            )
        ], data
        assert "/cancel" in texts(calls)[0]
    calls = await user.send("Bains-douches du Centre")  # still the name step, same language
    assert texts(calls)[-1] == tr.gettext(BY_KEY["organization"].prompt)


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_the_summary_says_an_address_is_placed_at_the_communes_centre(kit, lang):
    tr = translator(lang)
    user = LocalUser(kit.app, kit.request, user_id=ADMIN, language_code=lang)
    calls = await add_until_summary(user, place="12 rue Pierre Motte, 59100 Roubaix")
    summary = texts(calls)[-1]
    note = tr.gettext("(on the map: centre of {commune} only)").format(commune="Roubaix")
    assert f"12 rue Pierre Motte, 59100 Roubaix {note}" in summary
    assert (
        tr.gettext(
            "The address is not on the map: the service is placed at the centre of {commune}. "
            "Share its location now to place it exactly, or save as it is."
        ).format(commune="Roubaix")
        in summary
    )
    calls = await user.share_location(50.6901, 3.1817)  # placed exactly, the address kept
    summary = texts(calls)[-1]
    assert note not in summary and "12 rue Pierre Motte, 59100 Roubaix" in summary
    assert calls[-1].button_data() == ["adm:save", "adm:cancel"]
    await user.press("adm:save")
    with Session(kit.engine) as session:
        place = session.exec(
            select(Location).where(Location.address == "12 rue Pierre Motte")
        ).one()
        assert (place.latitude, place.approximate, place.postcode) == (50.6901, False, "59100")


@pytest.mark.parametrize(
    ("lang", "written", "vague"),
    [
        ("fr", "lundi au vendredi de 9h a 17h", "samedi matin"),
        ("es", "lunes a viernes de 9 a 17", "sábado mañana"),
    ],
)
async def test_hours_written_in_words_are_read_and_a_vague_one_is_explained(
    kit, lang, written, vague
):
    """QA: "lundi au vendredi de 9h a 17h" was refused."""
    tr = translator(lang)
    user = LocalUser(kit.app, kit.request, user_id=ADMIN, language_code=lang)
    await user.send(f"/edit {SERVICE_ID}")
    await user.press("adm:f:hours")
    answer = texts(await user.send(vague))[0]
    missing = tr.gettext("the times are missing for {days} (e.g. {example})")
    assert missing.format(days=format_weekday(5, lang), example="sa 09:00-12:00") in answer
    saved = texts(await user.send(written))[0]
    assert tr.gettext("Saved. {field}: {value}").split("{")[0] in saved
    assert [(h.byday, h.opens_at, h.closes_at) for h in kit.service().hours] == [
        ("MO,TU,WE,TH,FR", time(9), time(17))
    ]
    await add_until_summary(
        user, hours="du lundi au vendredi 9h-12h 14h-17h; samedi matin 9h a 12h"
    )
    with Session(kit.engine) as session:
        added = session.exec(select(Service).where(Service.name == ADD_ANSWERS["name"])).first()
    assert added is None  # not saved yet: the summary waits
    draft = kit.app.user_data[ADMIN]["admin_draft"]
    assert draft["hours"] == "mo-fr 09:00-12:00,14:00-17:00; sa 09:00-12:00"


@pytest.mark.parametrize(
    ("lang", "written", "first", "last"),
    [
        ("fr", "fermé tout le mois d'août", (8, 1), (8, 31)),
        ("uk", "зачинено з 24 грудня по 2 січня", (12, 24), (1, 2)),
    ],
)
async def test_closures_are_typed_checked_shown_closing_the_service_and_undone(
    kit, lang, written, first, last
):
    tr = translator(lang)
    user = LocalUser(kit.app, kit.request, user_id=ADMIN, language_code=lang)
    await user.send(f"/edit {SERVICE_ID}")
    calls = await user.press("adm:f:closures")
    assert (
        tr.gettext(
            "Exceptional closures (holidays), like: 24/12-2/1; 15 August; August. Send - if none."
        )
        in texts(calls)[-1]
    )
    answer = texts(await user.send("fermé sauf le lundi"))[0]
    assert tr.gettext("'{text}' is not a date").format(text="sauf") in answer
    answer = texts(await user.send("du 1/1/2020 au 2/1/2020"))[0]
    assert tr.gettext("'{text}' is over").format(text="1/1/2020 – 2/1/2020") in answer
    saved = texts(await user.send(written))[0]
    (closure,) = kit.service().exceptions
    starts, ends = closure.starts_on, closure.ends_on
    assert ((starts.month, starts.day), (ends.month, ends.day)) == (first, last)
    today = datetime.now(PARIS).date()
    assert today <= ends < today + timedelta(days=366) and closure.opens_at is None  # the next one
    assert f"{format_date(starts, lang)} – {format_date(ends, lang)}" in saved
    service = kit.service()
    monday = starts + timedelta(days=(7 - starts.weekday()) % 7)
    assert is_open(service.hours, service.exceptions, datetime.combine(monday, time(10))) is False
    await user.send(f"/edit {SERVICE_ID}")
    assert format_date(starts, lang) in texts(await user.press("adm:f:closures"))[-1]
    await user.send("/cancel")
    await user.send("/undo")
    assert kit.service().exceptions == []


@pytest.mark.parametrize("lang", ["fr", "ar"])
async def test_organisation_found_by_name_created_when_new_and_undone(kit, lang):
    tr = translator(lang)
    user = LocalUser(kit.app, kit.request, user_id=ADMIN, language_code=lang)
    await user.send(f"/edit {SERVICE_ID}")
    now = texts(await user.press("adm:f:organization"))[-1]
    assert "Solidarité du Test" in now and tr.gettext(BY_KEY["organization"].prompt) in now
    calls = await user.send("Les Amis du Canal")
    assert (
        tr.gettext("No organisation has a name like this. Create it, or send another name.")
        in texts(calls)[0]
    )
    assert calls[-1].button_data() == ["adm:orgnew"]
    saved = texts(await user.press("adm:orgnew"))[0]
    assert "Les Amis du Canal" in saved
    created = kit.service().organization
    assert created.name == "Les Amis du Canal" and created.id != ORGANIZATION_ID
    assert answers(await user.press("adm:orgnew")) == [tr.gettext("This button is old.")]
    await user.send("/undo")
    assert kit.service().organization.id == ORGANIZATION_ID
    await user.send(f"/edit {SERVICE_ID}")
    await user.press("adm:f:organization")
    calls = await user.send("Solidarite du test")  # its very name: linked at once
    shown = re.sub("[\u200e\u200f\u2066-\u2069]", "", texts(calls)[0])  # without bidi marks
    assert (
        tr.gettext("Saved. {field}: {value}").format(
            field=tr.gettext("Organisation"), value="Solidarité du Test"
        )
        in shown
    )
    await user.send(f"/edit {SERVICE_ID}")
    await user.press("adm:f:organization")
    await user.send("-")
    assert kit.service().organization is None
    with Session(kit.engine) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.entity_id == SERVICE_ID)).all()
    assert [e.after["organization"] and e.after["organization"]["name"] for e in entries[-4:]] == [
        "Les Amis du Canal",
        "Solidarité du Test",
        "Solidarité du Test",
        None,
    ]
