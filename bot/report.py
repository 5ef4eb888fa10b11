""" "Report a mistake" on every card: a resident says what is wrong (closed, moved, wrong phone or
hours) in a tap or a sentence; administrators get it at once with the service, see the reported
services in /stale and the count in /stats.

Kept: the service id, the day, and the tap's kind or the sentence (cut at MAX_TEXT). Never who
sent it: no user id, no time of day.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import Engine, func
from sqlmodel import Field, SQLModel, col, select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import callbacks
from bot.admin.menu import stored_language
from bot.i18n import N_, Translator, bidi, translator
from bot.kit import chat_of, now, pressed, stop, text_of, tr_of, user_data
from bot.roles import bootstrap_admins, granted_admins
from catalogue import danger
from catalogue.db import session_scope
from catalogue.hours import PARIS
from catalogue.services import get_service

log = logging.getLogger(__name__)

GROUP = -1
MAX_TEXT = 500
PENDING = "report"  # user_data key: the service whose mistake the next message describes
CANCEL = "cancel"  # the prompt's last button: no report after all
KINDS = {
    "closed": N_("It is closed or no longer exists"),
    "moved": N_("It has moved"),
    "phone": N_("The phone number is wrong"),
    "hours": N_("The hours are wrong"),
}


class MistakeReport(SQLModel, table=True):
    """One report of a mistake on a service, by nobody in particular."""

    __tablename__ = "mistake_report"

    id: int | None = Field(default=None, primary_key=True)
    service_id: str = Field(index=True)
    day: date
    kind: str | None = None  # a key of KINDS when tapped
    text: str | None = None  # the sentence when written


def button(service_id: str, tr: Translator) -> list[list[InlineKeyboardButton]]:
    """The card's "Report a mistake" row (none when the id cannot fit a button)."""
    data = callbacks.report(service_id)
    if not callbacks.fits(callbacks.report_kind("closed", service_id)):
        return []
    label = bidi("⚠ " + tr.gettext("Report a mistake"), tr.lang)
    return [[InlineKeyboardButton(label, callback_data=data)]]


def describe(report: MistakeReport, tr: Translator) -> str:
    """What the report says, in the reader's language for a tap."""
    return tr.gettext(KINDS[report.kind]) if report.kind in KINDS else (report.text or "")


def open_reports(engine: Engine) -> list[MistakeReport]:
    """Every report, oldest first (/stale keeps those after the service's last check)."""
    with session_scope(engine) as session:
        return list(session.exec(select(MistakeReport).order_by(col(MistakeReport.id))))


def count_reports(engine: Engine, since: date, until: date) -> int:
    with session_scope(engine) as session:
        return session.exec(
            select(func.count())
            .select_from(MistakeReport)
            .where(MistakeReport.day >= since, MistakeReport.day <= until)
        ).one()


def _today(context: ContextTypes.DEFAULT_TYPE) -> date:
    return now(context).astimezone(PARIS).date()


@stop
async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The button: what is wrong? A tap on a kind, or a sentence."""
    query, data = pressed(update)
    service_id = callbacks.after_prefix(data)
    tr = tr_of(update, context)
    user_data(context)[PENDING] = service_id
    await query.answer()
    rows = [
        [
            InlineKeyboardButton(
                bidi(tr.gettext(text), tr.lang),
                callback_data=callbacks.report_kind(kind, service_id),
            )
        ]
        for kind, text in KINDS.items()
    ]
    rows.append(
        [
            InlineKeyboardButton(
                bidi(tr.gettext("Cancel"), tr.lang),
                callback_data=callbacks.report_kind(CANCEL, service_id),
            )
        ]
    )
    await chat_of(update).send_message(
        bidi(tr.gettext("What is wrong? Tap below, or write it in a sentence."), tr.lang),
        reply_markup=InlineKeyboardMarkup(rows),
    )


@stop
async def tapped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query, data = pressed(update)
    kind, service_id = callbacks.parse_report_kind(data)
    await query.answer()
    if kind == CANCEL:
        user_data(context).pop(PENDING, None)
        tr = tr_of(update, context)
        await chat_of(update).send_message(
            bidi(tr.gettext("Cancelled. Nothing was changed."), tr.lang)
        )
    elif kind in KINDS:
        await _save(
            update, context, MistakeReport(service_id=service_id, day=_today(context), kind=kind)
        )


async def written(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The sentence after the button; any other message goes on to the conversation. A person
    in danger is never filed as a report: the text goes on to the conversation, numbers first."""
    service_id = user_data(context).get(PENDING)
    if not service_id:
        return
    text = text_of(update)[:MAX_TEXT]
    if danger.read(text, tr_of(update, context).lang):
        user_data(context).pop(PENDING, None)
        return
    await _save(
        update, context, MistakeReport(service_id=service_id, day=_today(context), text=text)
    )
    raise ApplicationHandlerStop


async def _save(update: Update, context: ContextTypes.DEFAULT_TYPE, report: MistakeReport) -> None:
    """Keep the report, thank the resident, tell every administrator."""
    user_data(context).pop(PENDING, None)
    engine = context.bot_data["engine"]
    with session_scope(engine) as session:
        service = get_service(session, report.service_id)
        name = service.name if service else report.service_id
        session.add(report)
    tr = tr_of(update, context)
    await chat_of(update).send_message(
        bidi(tr.gettext("Thank you. The administrators will check it."), tr.lang)
    )
    admins = {*bootstrap_admins(context.bot_data), *(r.user_id for r in granted_admins(engine))}
    for admin_id in admins:
        admin_tr = translator(stored_language(context.application, admin_id))
        text = admin_tr.gettext("⚠ A resident reports a mistake on {name} ({id}): {what}").format(
            name=name, id=report.service_id, what=describe(report, admin_tr)
        )
        try:
            await context.bot.send_message(admin_id, bidi(text, admin_tr.lang), parse_mode=None)
        except TelegramError as exc:  # an admin who never started the bot
            log.info("mistake report not delivered to an admin: %s", exc)


async def dropped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command (/new, /cancel, /start…) ends a report in progress, then does its own work."""
    user_data(context).pop(PENDING, None)


def register(application: Application) -> None:
    """The report handlers, before the resident conversation (group -1)."""
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handlers(
        [
            CallbackQueryHandler(ask, pattern=callbacks.REPORT_PATTERN),
            CallbackQueryHandler(tapped, pattern=callbacks.REPORT_KIND_PATTERN),
            MessageHandler(private & filters.TEXT & ~filters.COMMAND, written),
        ],
        group=GROUP,
    )
    # A group of its own, before all: the command still reaches its handler.
    application.add_handler(MessageHandler(private & filters.COMMAND, dropped), group=GROUP - 1)
