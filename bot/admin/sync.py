"""The scheduled data·inclusion sync: weekly, with its report sent to every administrator.

Off unless RELAIS_SYNC_WEEKLY is set (a bot without network access must not fail each week).
The sync reads the source and writes in a worker thread, so the bot keeps answering meanwhile.
"""

from __future__ import annotations

import asyncio
import html
import logging
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING, cast

from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot.admin.common import engine_of
from bot.admin.menu import stored_language
from bot.i18n import bidi, translator
from bot.roles import bootstrap_admins, granted_admins
from catalogue.hours import PARIS
from catalogue.sources import data_inclusion as di
from catalogue.sources.sync import SyncReport, iter_lines, sync

if TYPE_CHECKING:
    from sqlalchemy import Engine

log = logging.getLogger(__name__)
SYNC_DAY = 2  # Tuesdays (PTB: 0 = Sunday), after data·inclusion's weekly publication
SYNC_TIME = time(5, 0, tzinfo=PARIS)
REPORT_LINES = 40  # a Telegram message holds 4096 characters


def _run(engine: Engine, reader: di.Reader | None) -> SyncReport:
    with di.temporary_folder() as folder:
        return sync(engine, reader or di.default_reader(Path(folder)))


async def scheduled_sync(context: ContextTypes.DEFAULT_TYPE) -> None:
    """JobQueue callback: sync, then send each administrator the report (or the failure)."""
    # A job may name its reader (tests).
    reader = cast("di.Reader | None", context.job.data if context.job else None)
    try:
        report = await asyncio.to_thread(_run, engine_of(context), reader)
        body = "\n".join(iter_lines(report, REPORT_LINES))
    except di.SourceError as exc:
        log.warning("data·inclusion sync failed: %s", exc)
        body = f"error: {exc}"
    engine = engine_of(context)
    admins = bootstrap_admins(context.bot_data) | {r.user_id for r in granted_admins(engine)}
    for admin_id in sorted(admins):
        tr = translator(stored_language(context.application, admin_id))
        # TRANSLATORS: heading of the weekly report of the data·inclusion sync sent to admins
        heading = tr.gettext("data·inclusion sync:")
        text = bidi(heading, tr.lang) + "\n<pre>" + html.escape(body) + "</pre>"
        try:
            await context.bot.send_message(admin_id, text)
        except TelegramError as exc:
            log.info("sync report not delivered to an admin: %s", exc)


def schedule_sync(application: Application, enabled: bool) -> None:
    """Tuesdays at 5:00, Paris time, when enabled (RELAIS_SYNC_WEEKLY)."""
    if not enabled:
        return
    if application.job_queue is None:
        log.warning("no JobQueue: the weekly data·inclusion sync is off")
        return
    application.job_queue.run_daily(
        scheduled_sync, time=SYNC_TIME, days=(SYNC_DAY,), name="data-inclusion sync"
    )
