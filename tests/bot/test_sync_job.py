"""The weekly data·inclusion sync of the bot: it runs off the event loop and every
administrator gets the report; a source that cannot be read is reported, not raised."""

from __future__ import annotations

from pathlib import Path

from telegram.ext import CallbackContext

from bot.admin.sync import schedule_sync, scheduled_sync
from catalogue.sources import data_inclusion as di
from tests.bot.admin_kit import ADMIN

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "data_inclusion"


async def _run_with(kit, reader):
    """The job callback as the JobQueue calls it, with a reader of local files."""
    job = kit.app.job_queue.run_once(scheduled_sync, 3600, data=reader)
    start = len(kit.request.calls)
    await scheduled_sync(CallbackContext.from_job(job, kit.app))
    job.schedule_removal()
    return [c for c in kit.request.calls[start:] if c.method == "sendMessage"]


async def test_the_report_goes_to_every_admin(kit):
    reader = di.FileReader(FIXTURES / "services.json", FIXTURES / "structures.json")
    (message,) = await _run_with(kit, reader)
    assert int(message.params["chat_id"]) == ADMIN
    assert "Synchronisation data·inclusion :" in message.text  # the admin's language: French
    assert "6 created" in message.text and "merge " in message.text


async def test_an_unreadable_source_is_reported(kit, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    (message,) = await _run_with(kit, di.FileReader(broken, broken))
    assert "error: broken.json" in message.text


async def test_scheduled_weekly_only_when_enabled(kit):
    schedule_sync(kit.app, False)
    assert "data-inclusion sync" not in {job.name for job in kit.app.job_queue.jobs()}
    schedule_sync(kit.app, True)
    assert "data-inclusion sync" in {job.name for job in kit.app.job_queue.jobs()}
