"""One-shot admin commands: /hide /show /delete ID, /history ID, /undo, /teach, /grant and
/revoke."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import Engine
from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ContextTypes

from bot.admin.common import N_, actor, admin_handler, engine_of, labelled, reply, stop, tr_for
from bot.admin.fields import fields_of
from bot.admin.menu import hide_admin_menu, show_admin_menu, stored_language
from bot.i18n import Translator, format_date, format_time
from bot.kit import effective_message_of, user_of
from bot.roles import bootstrap_admin_only, grant, parse_user_id, revoke
from catalogue import taught, taxonomy
from catalogue.db import session_scope
from catalogue.hours import PARIS
from catalogue.models import AuditEntry, Service, Status
from catalogue.services import (
    NotFoundError,
    as_utc,
    content,
    history,
    set_status,
    undo_last,
)
from catalogue.services import get_service as load_service
from catalogue.text import is_number

STATUS_DONE = {
    Status.hidden: N_("Hidden: {name}. /show {id} makes it visible again."),
    Status.active: N_("Visible again: {name}."),
    Status.deleted: N_("Deleted: {name}. /undo or /show {id} brings it back."),
}
SAID_BY_ACTION = ("create", "hide", "show", "delete", "restore", "verify")  # /undo names them
ACTIONS = {  # audit actions as admins read them
    "create": N_("created"),
    "update": N_("changed"),
    "hide": N_("hidden"),
    "show": N_("shown"),
    "delete": N_("deleted"),
    "restore": N_("restored"),
    "verify": N_("verified"),
    "import": N_("imported"),
    "undo": N_("undone"),
}


def _one_id(context: ContextTypes.DEFAULT_TYPE) -> str | None:
    args = context.args or []
    return args[0] if len(args) == 1 else None


def _status_command(name: str, status: Status) -> CommandHandler:
    @admin_handler
    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        tr = tr_for(update, context)
        service_id = _one_id(context)
        if service_id is None:
            await reply(update, tr, tr.gettext("Usage: /{command} ID").format(command=name))
            return
        try:
            with session_scope(engine_of(context)) as session:
                service = set_status(session, service_id, status, actor=actor(update))
                text = tr.gettext(STATUS_DONE[status]).format(name=service.name, id=service.id)
        except NotFoundError:
            text = tr.gettext("No service with this id.")
        await reply(update, tr, text)

    return CommandHandler(name, run)


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """Top-level fields of a service snapshot that differ (timestamps and notes aside)."""
    old, new = content(before or {}), content(after or {})
    keys = (old.keys() | new.keys()) - {"undoes"}
    return sorted(k for k in keys if old.get(k) != new.get(k))


def _field_names(keys: list[str], tr: Translator) -> list[str]:
    """Changed snapshot keys as the admin's field names ("Closures"); keys no field holds as
    they are."""
    specs, others = fields_of(keys)
    return [tr.gettext(spec.label) for spec in specs] + others


def history_text(entries: list[Any], name: str, tr: Translator) -> str:
    lines = [tr.gettext("History of {name}:").format(name=name)]
    for entry in entries[-20:]:
        at = as_utc(entry.at).astimezone(PARIS)
        when = f"{format_date(at.date(), tr.lang)} {format_time(at.time(), tr.lang)}"
        action = tr.gettext(ACTIONS.get(entry.action, entry.action))
        line = f"• {when} — {action} — {entry.actor}"
        if entry.action in ("update", "import", "undo"):
            fields = _field_names(changed_fields(entry.before, entry.after), tr)
            if fields:
                line += f" ({', '.join(fields)})"
        lines.append(line)
    if len(entries) > 20:
        lines.insert(1, tr.gettext("(last 20 changes)"))
    return "\n".join(lines)


@admin_handler
async def show_history(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    tr = tr_for(update, context)
    service_id = _one_id(context)
    if service_id is None:
        await reply(update, tr, tr.gettext("Usage: /history ID"))
        return
    with session_scope(engine_of(context)) as session:
        service = load_service(session, service_id, include_deleted=True)
        entries = history(session, service_id)
        if service is None:
            text = tr.gettext("No service with this id.")
        else:
            text = history_text(entries, service.name, tr)
    await reply(update, tr, text)


@admin_handler
async def undo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    tr = tr_for(update, context)
    with session_scope(engine_of(context)) as session:
        last = taught.last_change(session, actor(update))
        if last is not None and last.entity == taught.ENTITY:  # a phrase taught with /teach
            synonym = taught.undo(session, last, actor=actor(update))
            text = tr.gettext("Undone: “{phrase}” is no longer taught.").format(
                phrase=synonym.phrase if synonym else last.entity_id
            )
            await reply(update, tr, text)
            return
        entry = undo_last(session, actor=actor(update))
        if entry is None:
            text = tr.gettext("You have no change to undo.")
        else:
            service = load_service(session, entry.entity_id, include_deleted=True)
            text = undone_text(entry, service, tr)
    await reply(update, tr, text)


def undone_text(entry: AuditEntry, service: Service | None, tr: Translator) -> str:
    """What /undo brought back: a creation or a status change by its name; a change of fields
    with each field as it is again, so the admin sees which service and what came back."""
    name = service.name if service else entry.entity_id
    specs, others = fields_of(changed_fields(entry.before, entry.after))
    if service is None or entry.action in SAID_BY_ACTION or not (specs or others):
        return tr.gettext("Undone: {action} of {name}.").format(
            action=tr.gettext(ACTIONS.get(entry.action, entry.action)), name=name
        )
    lines = [
        # TRANSLATORS: /undo; each field of the service follows on its own line, as it is again
        tr.gettext("Undone: your change to {name} ({id}). Back as before:").format(
            name=name, id=service.id
        )
    ]
    lines += [
        "• " + labelled(tr.gettext(spec.label), spec.show(spec.read(service), tr), tr.lang)
        for spec in specs
    ]
    if others:
        # TRANSLATORS: /undo; {fields}: names of catalogue columns (alternate_name, translations…)
        lines.append(tr.gettext("Also back as before: {fields}").format(fields=", ".join(others)))
    return "\n".join(lines)


def parse_teaching(text: str, lang: str) -> tuple[str, str, str] | None:
    """`[language] words = category` -> (language, words, category key); None when it is not
    that shape. The category is a key or a label in any language; the language defaults to
    `lang`, the admin's own."""
    phrase, sep, category = text.rpartition("=")
    words = phrase.split()
    if not sep or not words or not category.strip():
        return None
    if len(words) > 1 and words[0].lower() in taxonomy.LANGUAGES:
        lang, words = words[0].lower(), words[1:]
    return lang, " ".join(words), taught.category_for(category.strip()) or ""


@admin_handler
async def teach(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/teach [language] words = category`: the search reads these words as that need, at once."""
    tr = tr_for(update, context)
    message = effective_message_of(update).text or ""
    parsed = parse_teaching(message.partition(" ")[2], tr.lang)
    if parsed is None:
        await reply(
            update,
            tr,
            # TRANSLATORS: keep /teach, the language codes, "=" and the category keys verbatim
            tr.gettext(
                "Usage: /teach [language] words = category, e.g. /teach fr je crève la dalle = food "
                "(languages: fr en ar uk ru es fa ps ro; category: a key such as shower or its name)"
            ),
        )
        return
    lang, phrase, key = parsed
    if not key:
        await reply(
            update,
            tr,
            tr.gettext(
                "No such category. Write a key such as food, shower or "
                "dental_care, or a category name as the buttons show it."
            ),
        )
        return
    try:
        with session_scope(engine_of(context)) as session:
            synonym, _new = taught.teach(
                session, lang=lang, phrase=phrase, key=key, actor=actor(update)
            )
            phrase = synonym.phrase
    except taught.TeachError:
        await reply(update, tr, tr.gettext("A phrase has 1 to 8 words and 80 characters at most."))
        return
    await reply(
        update,
        tr,
        tr.gettext("Taught: “{phrase}” ({lang}) now means {category}. /undo takes it back.").format(
            phrase=phrase, lang=lang, category=taxonomy.label(key, tr.lang)
        ),
    )


def _role_command(
    name: str,
    change: Callable[[Engine, int, int], bool],
    then: Callable[[ContextTypes.DEFAULT_TYPE, int], Awaitable[None]],
    done: str,
    nothing: str,
) -> CommandHandler:
    """/grant or /revoke ID: `change` the role, `then` update that user's command menu."""

    @stop
    @bootstrap_admin_only
    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        tr = tr_for(update, context)
        given = _one_id(context)
        if given is None or not is_number(given):
            await reply(update, tr, tr.gettext("Send the Telegram user id (a number)."))
            return
        user_id = parse_user_id(given)
        if user_id is None:
            # TRANSLATORS: /grant or /revoke with a number too large (or 0) for a Telegram id
            text = tr.gettext("No Telegram user has the id {id}.").format(id=given[:30])
            await reply(update, tr, text)
            return
        changed = change(engine_of(context), user_id, user_of(update).id)
        if changed:
            await then(context, user_id)
        await reply(update, tr, tr.gettext(done if changed else nothing).format(id=user_id))

    return CommandHandler(name, run)


@admin_handler
async def admin_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/admin`: the administrators' commands (residents' /help does not list them)."""
    tr = tr_for(update, context)
    # TRANSLATORS: keep the /commands and ID verbatim
    text = tr.gettext(
        "Administrator commands:\n"
        "/add — add a service\n"
        "/edit ID — change one field\n"
        "/hide ID, /show ID, /delete ID — visibility\n"
        "/history ID — who changed what\n"
        "/undo — undo your last change\n"
        "/import, /export — catalogue files (CSV or HSDS JSON)\n"
        "/stale — services to verify\n"
        "/stats — anonymous search figures\n"
        "/grant ID, /revoke ID — admin rights (configured admins only)\n"
        "/cancel — stop the current step"
    )
    # TRANSLATORS: keep /teach and "=" verbatim
    text += "\n" + tr.gettext("/teach [language] words = category — teach the search a phrase")
    await reply(update, tr, text)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("admin", admin_help),
        _status_command("hide", Status.hidden),
        _status_command("show", Status.active),
        _status_command("delete", Status.deleted),
        CommandHandler("history", show_history),
        CommandHandler("undo", undo),
        CommandHandler("teach", teach),
        _role_command(
            "grant",
            lambda engine, user_id, by: grant(engine, user_id, by=by),
            lambda context, user_id: show_admin_menu(
                context.bot, user_id, stored_language(context.application, user_id)
            ),
            N_("{id} is now an administrator."),
            N_("{id} was already an administrator."),
        ),
        _role_command(
            "revoke",
            lambda engine, user_id, _by: revoke(engine, user_id),
            lambda context, user_id: hide_admin_menu(context.bot, user_id),
            N_("{id} is no longer an administrator."),
            N_("{id} had no granted admin rights."),
        ),
    ]
