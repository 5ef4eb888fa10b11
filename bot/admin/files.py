"""`/import` a CSV or HSDS JSON file sent in the chat (dry run, then Apply or Cancel) and
`/export` the catalogue as a document.

The file's bytes wait in `user_data` (base64, since user_data is stored as JSON) only between
the dry-run report and the admin's choice; Apply and Cancel both drop them. Applying re-runs the
import for real, which validates again and writes in one transaction or not at all.
"""

from __future__ import annotations

import asyncio
import base64
from pathlib import PurePath

from telegram import InputFile, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import callbacks
from bot.admin.common import (
    N_,
    actor,
    admin_handler,
    ask_confirmation,
    dropping,
    engine_of,
    keyboard,
    labelled,
    reply,
    tr_for,
)
from bot.admin.editor import IDLE
from bot.admin.fields import problem_text
from bot.i18n import Translator, apart
from bot.kit import chat_of, effective_message_of, pressed, user_data
from catalogue.importer import ImportReport, Problem, export_bytes, import_bytes

PENDING = "admin_import"
WAIT_FILE, WAIT_CHOICE = "import_file", "import_choice"
SUFFIXES = (".csv", ".json")
MAX_BYTES = 5_000_000  # a catalogue of a metropolis is far smaller; refuse anything bigger
MAX_PROBLEMS = 20  # lines of problems shown in the chat: with MAX_PROBLEM_CHARS each, the
MAX_PROBLEM_CHARS = 150  # report stays under Telegram's 4,096 characters
EXPORTS = {"csv": "relais-catalogue.csv", "hsds": "relais-catalogue.json"}
END = ConversationHandler.END


def report_text(report: ImportReport, tr: Translator, *, applied: bool) -> str:
    """created/updated/unchanged counts, then each problem with its CSV line or JSON item."""
    if report.problems:
        head = N_("Nothing imported:") if applied else N_("Dry run, nothing written:")
        created, updated = N_("{n} to create"), N_("{n} to update")
    elif applied:
        head, created, updated = N_("Imported:"), N_("{n} created"), N_("{n} updated")
    else:
        head = N_("Dry run, nothing written yet:")
        created, updated = N_("{n} to create"), N_("{n} to update")
    lines = [
        tr.gettext(head),
        tr.gettext(created).format(n=len(report.created)),
        tr.gettext(updated).format(n=len(report.updated)),
        tr.gettext("{n} unchanged").format(n=len(report.unchanged)),
    ]
    if report.problems:
        count = len(report.problems)
        lines.append(
            tr.ngettext(
                "{n} problem; nothing can be imported until it is fixed:",
                "{n} problems; nothing can be imported until they are fixed:",
                count,
            ).format(n=count)
        )
        lines += _listed(report.problems, report.unit, tr)
    if report.warnings:
        count = len(report.warnings)
        lines.append(
            tr.ngettext(
                "{n} warning (it does not stop the import):",
                "{n} warnings (they do not stop the import):",
                count,
            ).format(n=count)
        )
        room = MAX_PROBLEMS - min(len(report.problems), MAX_PROBLEMS)  # one message in all
        lines += _listed(report.warnings, report.unit, tr, room)
    return "\n".join(lines)


def _listed(
    problems: list[Problem], unit: str, tr: Translator, most: int = MAX_PROBLEMS
) -> list[str]:
    """Each problem with its CSV line or JSON item, in the admin's language; `most` of them."""
    place = N_("line {n}") if unit == "line" else N_("item {n}")
    lines = []
    for problem in problems[:most]:
        where = tr.gettext(place).format(n=apart(problem.item, tr.lang)) if problem.item else "—"
        field = f" [{apart(problem.field, tr.lang)}]" if problem.field else ""
        message = problem_text(problem, tr)[:MAX_PROBLEM_CHARS]  # the admin's language
        lines.append("• " + labelled(f"{where}{field}", message, tr.lang))
    if len(problems) > most:
        lines.append(tr.gettext("… and {n} more.").format(n=len(problems) - most))
    return lines


start_import = dropping(
    (PENDING,), N_("Send the catalogue file: CSV (.csv) or HSDS JSON (.json)."), WAIT_FILE
)
cancel_import = dropping((PENDING,), N_("Import cancelled. Nothing was changed."), END)


@admin_handler
async def receive_file(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    tr = tr_for(update, context)
    document = effective_message_of(update).document
    assert document is not None  # the handler's filter: a document
    name = document.file_name or "catalogue"
    if PurePath(name).suffix.lower() not in SUFFIXES:
        await reply(update, tr, tr.gettext("Only .csv and .json files can be imported."))
        return WAIT_FILE
    if (document.file_size or 0) > MAX_BYTES:
        await reply(update, tr, tr.gettext("This file is too big."))
        return WAIT_FILE
    file = await document.get_file()
    data = bytes(await file.download_as_bytearray())
    # In a worker thread, as the apply and the export: thousands of rows must not stop the bot.
    report = await asyncio.to_thread(
        import_bytes, engine_of(context), data, name, dry_run=True, actor=actor(update)
    )
    text = report_text(report, tr, applied=False)
    if not report.ok():
        await reply(update, tr, text)
        return END
    user_data(context)[PENDING] = {
        "name": name,
        "data": base64.b64encode(data).decode("ascii"),
    }
    await ask_confirmation(
        update,
        tr,
        text,
        yes=N_("Apply"),
        yes_data=callbacks.IMPORT_APPLY,
        no_data=callbacks.IMPORT_CANCEL,
    )
    return WAIT_CHOICE


@admin_handler
async def apply_import(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    tr = tr_for(update, context)
    pending = user_data(context).pop(PENDING, None)
    if pending is None:
        await reply(update, tr, tr.gettext("This import is no longer pending. Send /import again."))
        return END
    data = base64.b64decode(pending["data"])
    report = await asyncio.to_thread(
        import_bytes, engine_of(context), data, pending["name"], actor=actor(update)
    )
    await reply(update, tr, report_text(report, tr, applied=True))
    return END


@admin_handler
async def start_export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    tr = tr_for(update, context)
    buttons = [[("CSV", callbacks.export("csv")), ("HSDS JSON", callbacks.export("hsds"))]]
    await reply(update, tr, tr.gettext("Which format?"), keyboard(buttons))


@admin_handler
async def send_export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query, data = pressed(update)
    fmt = callbacks.last_part(data, 2)
    await query.answer()
    exported = await asyncio.to_thread(export_bytes, engine_of(context), fmt)
    await chat_of(update).send_document(InputFile(exported, filename=EXPORTS[fmt]))


def handlers(*, persistent: bool) -> list[BaseHandler]:
    importing = ConversationHandler(
        entry_points=[CommandHandler("import", start_import)],
        states={
            WAIT_FILE: [MessageHandler(filters.Document.ALL, receive_file)],
            WAIT_CHOICE: [
                CallbackQueryHandler(apply_import, pattern=callbacks.IMPORT_APPLY_PATTERN),
                CallbackQueryHandler(cancel_import, pattern=callbacks.IMPORT_CANCEL_PATTERN),
            ],
        },
        fallbacks=[CommandHandler("cancel", cancel_import)],
        conversation_timeout=IDLE,
        name="admin_import",
        persistent=persistent,
        allow_reentry=True,
    )
    return [
        importing,
        CommandHandler("export", start_export),
        CallbackQueryHandler(send_export, pattern=callbacks.EXPORT_PATTERN),
    ]
