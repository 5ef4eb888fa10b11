""""Report a mistake" on every card: a resident says what is wrong (closed, moved, wrong phone or
hours) in a tap or a sentence; administrators get it at once with the service, see the reported
services in /stale and the count in /stats.

Kept: the service id, the day, and the tap's kind or the sentence (cut at MAX_TEXT). Never who
sent it: no user id, no time of day.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import Engine, func
from sqlmodel import Field, SQLModel, select
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

from bot.admin.menu import stored_language
from bot.callbacks import fits
from bot.i18n import N_, Translator, bidi, translator
from bot.kit import now, stop, tr_of
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
    data = f"rep:{service_id}"
    if not fits(f"rk:closed:{service_id}"):
        return []
    label = bidi("⚠ " + tr.gettext("Report a mistake"), tr.lang)
    return [[InlineKeyboardButton(label, callback_data=data)]]


def describe(report: MistakeReport, tr: Translator) -> str:
    """What the report says, in the reader's language for a tap."""
    return tr.gettext(KINDS[report.kind]) if report.kind in KINDS else (report.text or "")


def open_reports(engine: Engine) -> list[MistakeReport]:
    """Every report, oldest first (/stale keeps those after the service's last check)."""
    with session_scope(engine) as session:
        return list(session.exec(select(MistakeReport).order_by(MistakeReport.id)))


def count_reports(engine: Engine, since: date, until: date) -> int:
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(MistakeReport).where(
            MistakeReport.day >= since, MistakeReport.day <= until)).one()


def _today(context: ContextTypes.DEFAULT_TYPE) -> date:
    return now(context).astimezone(PARIS).date()


@stop
async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The button: what is wrong? A tap on a kind, or a sentence."""
    service_id = update.callback_query.data.removeprefix("rep:")  # type: ignore[union-attr]
    tr = tr_of(update, context)
    context.user_data[PENDING] = service_id  # type: ignore[index]
    await update.callback_query.answer()  # type: ignore[union-attr]
    rows = [[InlineKeyboardButton(bidi(tr.gettext(text), tr.lang),
                                  callback_data=f"rk:{kind}:{service_id}")]
            for kind, text in KINDS.items()]
    rows.append([InlineKeyboardButton(bidi(tr.gettext("Cancel"), tr.lang),
                                      callback_data=f"rk:{CANCEL}:{service_id}")])
    await update.effective_chat.send_message(  # type: ignore[union-attr]
        bidi(tr.gettext("What is wrong? Tap below, or write it in a sentence."), tr.lang),
        reply_markup=InlineKeyboardMarkup(rows))


@stop
async def tapped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    _, kind, service_id = update.callback_query.data.split(":", 2)  # type: ignore[union-attr]
    await update.callback_query.answer()  # type: ignore[union-attr]
    if kind == CANCEL:
        (context.user_data or {}).pop(PENDING, None)
        tr = tr_of(update, context)
        await update.effective_chat.send_message(  # type: ignore[union-attr]
            bidi(tr.gettext("Cancelled. Nothing was changed."), tr.lang))
    elif kind in KINDS:
        await _save(update, context, MistakeReport(service_id=service_id, day=_today(context),
                                                   kind=kind))


async def written(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The sentence after the button; any other message goes on to the conversation. A person
    in danger is never filed as a report: the text goes on to the conversation, numbers first."""
    service_id = (context.user_data or {}).get(PENDING)
    if not service_id:
        return
    text = update.message.text.strip()[:MAX_TEXT]  # type: ignore[union-attr]
    if danger.read(text, tr_of(update, context).lang):
        context.user_data.pop(PENDING, None)  # type: ignore[union-attr]
        return
    await _save(update, context, MistakeReport(service_id=service_id, day=_today(context),
                                               text=text))
    raise ApplicationHandlerStop


async def _save(update: Update, context: ContextTypes.DEFAULT_TYPE,
                report: MistakeReport) -> None:
    """Keep the report, thank the resident, tell every administrator."""
    context.user_data.pop(PENDING, None)  # type: ignore[union-attr]
    engine = context.bot_data["engine"]
    with session_scope(engine) as session:
        service = get_service(session, report.service_id)
        name = service.name if service else report.service_id
        session.add(report)
    tr = tr_of(update, context)
    await update.effective_chat.send_message(bidi(tr.gettext(  # type: ignore[union-attr]
        "Thank you. The administrators will check it."), tr.lang))
    admins = {*bootstrap_admins(context.bot_data), *(r.user_id for r in granted_admins(engine))}
    for admin_id in admins:
        admin_tr = translator(stored_language(context.application, admin_id))
        text = admin_tr.gettext("⚠ A resident reports a mistake on {name} ({id}): {what}").format(
            name=name, id=report.service_id, what=describe(report, admin_tr))
        try:
            await context.bot.send_message(admin_id, bidi(text, admin_tr.lang), parse_mode=None)
        except TelegramError as exc:  # an admin who never started the bot
            log.info("mistake report not delivered to an admin: %s", exc)


async def dropped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command (/new, /cancel, /start…) ends a report in progress, then does its own work."""
    (context.user_data or {}).pop(PENDING, None)


def register(application: Application) -> None:
    """The report handlers, before the resident conversation (group -1)."""
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handlers([
        CallbackQueryHandler(ask, pattern=r"^rep:"),
        CallbackQueryHandler(tapped, pattern=r"^rk:"),
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, written),
    ], group=GROUP)
    # A group of its own, before all: the command still reaches its handler.
    application.add_handler(MessageHandler(private & filters.COMMAND, dropped), group=GROUP - 1)
