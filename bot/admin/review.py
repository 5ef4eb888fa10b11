"""Keeping the catalogue true over time: `/stale` (with mark-verified buttons), the weekly
reminder to administrators, and `/stats` (anonymous search figures, as text and a PNG chart)."""

from __future__ import annotations

import calendar
import logging
from datetime import date, datetime, time, timedelta
from typing import Any

from telegram import InputFile, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from bot import callbacks
from bot.admin.common import actor, admin_handler, engine_of, keyboard, labelled, reply, tr_for
from bot.admin.menu import stored_language
from bot.i18n import RTL, Translator, bidi, format_date, translator
from bot.kit import chat_of, pressed_data
from bot.roles import bootstrap_admins, granted_admins
from bot.stats import UNKNOWN_MIN_PEOPLE, StatsSummary, chart_png, summarise
from catalogue import taxonomy
from catalogue.db import session_scope
from catalogue.hours import PARIS
from catalogue.services import NotFoundError, get_service, mark_verified, stale_services
from catalogue.text import is_number

log = logging.getLogger(__name__)
SHOWN = 10  # stale services listed per /stale, oldest first
REMINDER_DAY, REMINDER_TIME = 1, time(9, 0, tzinfo=PARIS)  # Mondays (PTB: 0 = Sunday) 9:00
DEFAULT_STALE_MONTHS = 6
DEFAULT_PERIOD_DAYS = 30


def _months(context: ContextTypes.DEFAULT_TYPE) -> int:
    settings = context.bot_data.get("settings")
    return int(getattr(settings, "stale_months", DEFAULT_STALE_MONTHS))


def stale_cutoff(today: date, months: int) -> date:
    """The same day `months` months ago (the month's last day when it is shorter)."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))


def _today() -> date:
    return datetime.now(PARIS).date()


# --- /stale -----------------------------------------------------------------------------------


@admin_handler
async def show_stale(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    tr = tr_for(update, context)
    months = _months(context)
    reported = _reported(engine_of(context), tr)
    if reported:
        await reply(update, tr, "\n".join(reported[0]), keyboard(reported[1]))
    with session_scope(engine_of(context)) as session:
        services = stale_services(session, older_than=stale_cutoff(_today(), months))
        lines, rows = [], []
        for service in services[:SHOWN]:
            when = (
                format_date(service.verified_on, tr.lang)
                if service.verified_on
                else tr.gettext("never verified")
            )
            lines.append(f"• {service.name} ({service.id}) — {when}")
            rows.append(
                [
                    (
                        tr.gettext("Verified: {name}").format(name=service.name[:40]),
                        callbacks.verify(service.id),
                    )
                ]
            )
    if not services:
        await reply(
            update,
            tr,
            tr.gettext("Every service was verified in the last {n} months.").format(n=months),
        )
        return
    head = tr.ngettext(
        "{n} service not verified for {months} months, oldest first:",
        "{n} services not verified for {months} months, oldest first:",
        len(services),
    ).format(n=len(services), months=months)
    if len(services) > SHOWN:
        lines.append(
            tr.gettext("The {shown} oldest are shown; verify them to see the next ones.").format(
                shown=SHOWN
            )
        )
    await reply(update, tr, "\n".join([head, *lines]), keyboard(rows))


def _reported(engine: Any, tr: Translator) -> tuple[list[str], list[Any]] | None:
    """Services residents reported a mistake on since they were last verified, most reported
    first, with what they said and a Verified button (checking them answers the reports)."""
    from bot import report

    reports = report.open_reports(engine)
    if not reports:
        return None
    by_service: dict[str, list[Any]] = {}
    with session_scope(engine) as session:
        services = {r.service_id: s for r in reports
                    if (s := get_service(session, r.service_id)) is not None}  # fmt: skip
    for r in reports:
        service = services.get(r.service_id)
        if service is not None and (service.verified_on is None or r.day > service.verified_on):
            by_service.setdefault(r.service_id, []).append(r)
    if not by_service:
        return None
    lines = [tr.gettext("Mistakes reported by residents:")]
    rows = []
    for service_id, said in sorted(by_service.items(), key=lambda kv: -len(kv[1]))[:SHOWN]:
        name = services[service_id].name
        what = "; ".join(report.describe(r, tr) for r in said[-3:])
        lines.append(f"• {name} ({service_id}) — {len(said)}: {what}")
        rows.append(
            [(tr.gettext("Verified: {name}").format(name=name[:40]), callbacks.verify(service_id))]
        )
    return lines, rows


@admin_handler
async def verify(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    tr = tr_for(update, context)
    service_id = callbacks.last_part(pressed_data(update), 2)
    try:
        with session_scope(engine_of(context)) as session:
            service = mark_verified(session, service_id, actor=actor(update), on=_today())
            text = tr.gettext("Marked as verified today: {name}.").format(name=service.name)
    except NotFoundError:
        text = tr.gettext("No service with this id.")
    await reply(update, tr, text)


# --- weekly reminder --------------------------------------------------------------------------


async def remind_stale(context: ContextTypes.DEFAULT_TYPE) -> None:
    """JobQueue callback: tell every administrator how many services wait for a check."""
    engine = engine_of(context)
    months = _months(context)
    with session_scope(engine) as session:
        count = len(stale_services(session, older_than=stale_cutoff(_today(), months)))
    if not count:
        return
    admins = bootstrap_admins(context.bot_data) | {r.user_id for r in granted_admins(engine)}
    for admin_id in sorted(admins):
        tr = translator(stored_language(context.application, admin_id))
        text = tr.ngettext(
            "{n} service has not been verified for {months} months. /stale lists it.",
            "{n} services have not been verified for {months} months. /stale lists them.",
            count,
        ).format(n=count, months=months)
        try:
            await context.bot.send_message(admin_id, bidi(text, tr.lang))
        except TelegramError as exc:  # blocked the bot, never started it…
            log.info("stale reminder not delivered to an admin: %s", exc)


def schedule_reminder(application: Application) -> None:
    """Mondays at 9:00, Paris time: a fixed weekday survives restarts, where "every 7 days
    from start-up" would never fire on a bot redeployed more often than weekly."""
    if application.job_queue is None:
        log.warning("no JobQueue: the weekly stale reminder is off")
        return
    application.job_queue.run_daily(
        remind_stale, time=REMINDER_TIME, days=(REMINDER_DAY,), name="stale reminder"
    )


# --- /stats -----------------------------------------------------------------------------------


def _label(key: str | None, tr: Translator) -> str:
    return taxonomy.label(key, tr.lang) if key else tr.gettext("(not understood)")


def stats_text(summary: StatsSummary, tr: Translator, reports: int = 0) -> str:
    period = tr.gettext("Searches from {since} to {until}: {n}").format(
        since=format_date(summary.since, tr.lang),
        until=format_date(summary.until, tr.lang),
        n=summary.total,
    )
    parts = [period, tr.gettext("Mistakes reported by residents: {n}").format(n=reports)]
    sections: list[tuple[str, list[tuple[str | None, int]], Any]] = [
        (tr.gettext("By need:"), summary.per_need, _label),
        (
            tr.gettext("By commune:"),
            summary.per_commune,
            lambda key, tr: key or tr.gettext("(no place)"),
        ),
        (tr.gettext("Unmet needs (nothing found):"), summary.unmet, _label),
    ]
    for title, rows, name in sections:
        if rows:
            parts.append(
                title
                + "\n"
                + "\n".join("• " + labelled(name(k, tr), n, tr.lang) for k, n in rows[:15])
            )
    if summary.unknown:
        # TRANSLATORS: words people typed that the search did not read; {n} is a number
        title = tr.gettext(
            "Words not understood, each used by at least {n} people in a day (/teach them):"
        ).format(n=UNKNOWN_MIN_PEOPLE)
        parts.append(
            title + "\n" + "\n".join("• " + labelled(w, n, tr.lang) for w, n in summary.unknown)
        )
    return "\n\n".join(parts)


@admin_handler
async def show_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/stats [days]`: the last 30 days unless a number of days is given."""
    tr = tr_for(update, context)
    args = context.args or []
    if args and not (is_number(args[0]) and len(args[0]) <= 4 and 0 < int(args[0]) <= 3660):
        await reply(update, tr, tr.gettext("Usage: /stats [number of days]"))
        return
    days = int(args[0]) if args else DEFAULT_PERIOD_DAYS
    until = _today()
    from bot import report

    since = until - timedelta(days=days - 1)
    summary = summarise(engine_of(context), since=since, until=until)
    reports = report.count_reports(engine_of(context), since, until)
    await reply(update, tr, stats_text(summary, tr, reports))
    if not summary.total:
        return
    # matplotlib does not shape Arabic script (letters come out unjoined, left to right), so
    # the chart of a right-to-left reader is drawn in French; the text above stays theirs.
    chart_tr = translator("fr") if tr.lang in RTL else tr
    png = chart_png(
        [(_label(k, chart_tr), found, unmet) for k, found, unmet in summary.need_bars()],
        title=chart_tr.gettext("Searches by need"),
        found_label=chart_tr.gettext("found"),
        unmet_label=chart_tr.gettext("nothing found"),
    )
    await chat_of(update).send_photo(InputFile(png, filename="relais-stats.png"))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("stale", show_stale),
        CallbackQueryHandler(verify, pattern=callbacks.VERIFY_PATTERN),
        CommandHandler("stats", show_stats),
    ]
