"""`/add` (guided creation) and `/edit ID` (one field), one conversation sharing the validators.

The draft lives in `user_data` as plain values (see fields.py) so it survives a restart. `/edit`
remembers the `updated_at` it read and saves with it: if another admin saved in between, the
save is refused and the admin sees the current value instead of overwriting it silently.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
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
    reply,
    tr_for,
)
from bot.admin.fields import (
    BY_KEY,
    FIELDS,
    FieldSpec,
    Invalid,
    location_value,
    new_organization,
    new_service,
    organization_value,
)
from bot.admin.fields import summary as fields_summary
from bot.i18n import Translator
from bot.kit import answer_old_button, message_of, pressed, pressed_data, user_data
from catalogue import taxonomy
from catalogue.db import session_scope
from catalogue.hours import PARIS
from catalogue.models import Organization
from catalogue.services import (
    ConcurrentEditError,
    find_organizations,
    get_service,
    save_service,
)
from catalogue.text import normalise

DRAFT, MODE, EDIT, PICKED = "admin_draft", "admin_mode", "admin_edit", "admin_categories"
ORG_NAME = "admin_organization"  # the organisation name typed, until found or created
STEP_KEYS = (DRAFT, MODE, EDIT, PICKED, ORG_NAME)  # user_data an admin step leaves behind
CHOOSE_FIELD, CONFIRM = "choose_field", "confirm"
END = ConversationHandler.END
IDLE = timedelta(hours=1)  # an admin step left this long is abandoned


def _clear(context: ContextTypes.DEFAULT_TYPE) -> None:
    for key in STEP_KEYS:
        user_data(context).pop(key, None)


def _category_keyboard(
    tr: Translator, picked: list[str], group: str | None
) -> list[list[tuple[str, str]]]:
    """Groups, or one group's children with a tick on the picked ones; Done at the bottom."""
    if group is None:
        rows = [
            [(taxonomy.label(g.key, tr.lang), callbacks.admin_group(g.key))]
            for g in taxonomy.groups()
        ]
    else:
        rows = [
            [
                (
                    ("✓ " if c.key in picked else "") + taxonomy.label(c.key, tr.lang),
                    callbacks.admin_category(c.key),
                )
            ]
            for c in taxonomy.children(group)
        ]
        # TRANSLATORS: admin button: back to the category groups
        rows.append([(tr.gettext("Back"), callbacks.CATEGORIES_BACK)])
    # TRANSLATORS: admin button: the categories are chosen
    rows.append([(tr.gettext("Done"), callbacks.CATEGORIES_DONE)])
    return rows


async def _ask(update: Update, context: ContextTypes.DEFAULT_TYPE, spec: FieldSpec) -> str:
    """Prompt for a field (with the current value when editing) and enter its state."""
    tr = tr_for(update, context)
    text = tr.gettext(spec.prompt)
    edit = user_data(context).get(EDIT)
    if edit is not None:
        value = edit["values"][spec.key]
        # TRANSLATORS: /edit shows a field's current value
        current = tr.gettext("Now: {value}").format(value=spec.show(value, tr))
        text = f"{current}\n\n{text}"
        if spec.join is not None and value:
            # TRANSLATORS: /edit of a list (closures): what is typed adds to it; keep "-" verbatim
            text += "\n" + tr.gettext(
                "What you send now is added to these; send - to remove them all."
            )
    if spec.key == "categories":
        picked = user_data(context).setdefault(PICKED, [])
        markup = keyboard(_category_keyboard(tr, picked, None))
    elif spec.choices:
        markup = keyboard(
            [
                [(tr.gettext(label), callbacks.value(spec.key, value))]
                for label, value in spec.choices
            ]
        )
    else:
        markup = None
    await reply(update, tr, text, markup)
    return spec.key


# --- /add -------------------------------------------------------------------------------------


@admin_handler
async def start_add(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    _clear(context)
    user_data(context).update({MODE: "add", DRAFT: {}})
    return await _ask(update, context, FIELDS[0])


async def _after_add_value(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    draft: dict[str, Any] = user_data(context)[DRAFT]
    missing = [spec for spec in FIELDS if spec.key not in draft]
    if missing:
        return await _ask(update, context, missing[0])
    tr = tr_for(update, context)
    text = tr.gettext("Save this new service?") + "\n\n" + fields_summary(draft, tr)
    place = draft["place"]
    if place and place["approximate"] and place["address"]:
        text += "\n\n" + tr.gettext(
            "The address is not on the map: the service is placed at the centre of {commune}. "
            "Share its location now to place it exactly, or save as it is."
        ).format(commune=place["city"])
    await ask_confirmation(
        update, tr, text, yes=N_("Save"), yes_data=callbacks.SAVE, no_data=callbacks.CANCEL
    )
    return CONFIRM


@admin_handler
async def save_new(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    tr = tr_for(update, context)
    today = datetime.now(PARIS).date()
    draft = user_data(context)[DRAFT]
    with session_scope(engine_of(context)) as session:
        service = new_service(draft, verified_on=today, session=session)
        saved = save_service(session, service, actor=actor(update), action="create")
        text = tr.gettext("Saved: {name} (id {id}).").format(name=saved.name, id=saved.id)
    _clear(context)
    await reply(update, tr, text)
    return END


@admin_handler
async def locate_draft(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """A location shared at the summary places the typed address exactly (the address stays)."""
    where = message_of(update).location
    assert where is not None  # the handler's filter: a shared location
    draft: dict[str, Any] = user_data(context)[DRAFT]
    try:
        exact = location_value(where.latitude, where.longitude)
    except Invalid as problem:
        tr = tr_for(update, context)
        await reply(update, tr, problem.text(tr))
        return CONFIRM
    typed = draft["place"] or {}
    draft["place"] = {**exact, "address": typed.get("address"), "postcode": typed.get("postcode")}
    return await _after_add_value(update, context)


# --- /edit ID ---------------------------------------------------------------------------------


@admin_handler
async def start_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    tr = tr_for(update, context)
    args = context.args or []
    if len(args) != 1:
        await reply(update, tr, tr.gettext("Usage: /edit ID"))
        return END
    with session_scope(engine_of(context)) as session:
        service = get_service(session, args[0])
        if service is None:
            await reply(update, tr, tr.gettext("No service with this id."))
            return END
        values = {spec.key: spec.read(service) for spec in FIELDS}
        edit = {"id": service.id, "seen": service.updated_at.isoformat(), "values": values}
    _clear(context)
    user_data(context).update({MODE: "edit", EDIT: edit})
    rows = [[(tr.gettext(spec.label), callbacks.field(spec.key))] for spec in FIELDS]
    text = tr.gettext("Which field of {name}?").format(name=values["name"])
    await reply(update, tr, text, keyboard(rows))
    return CHOOSE_FIELD


@admin_handler
async def choose_field(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    spec = BY_KEY[callbacks.last_part(pressed_data(update), 2)]
    if spec.key == "categories":
        data = user_data(context)
        data[PICKED] = list(data[EDIT]["values"]["categories"])
    return await _ask(update, context, spec)


async def _save_edit(
    update: Update, context: ContextTypes.DEFAULT_TYPE, spec: FieldSpec, value: Any
) -> object:
    tr = tr_for(update, context)
    edit = user_data(context)[EDIT]
    with session_scope(engine_of(context)) as session:
        service = get_service(session, edit["id"], include_deleted=True)
        if service is None:
            text = tr.gettext("No service with this id.")
        else:
            spec.apply(service, value)
            try:
                save_service(
                    session,
                    service,
                    actor=actor(update),
                    expected_updated_at=datetime.fromisoformat(edit["seen"]),
                )
                text = tr.gettext("Saved. {field}: {value}").format(
                    field=tr.gettext(spec.label), value=spec.show(value, tr)
                )
            except ConcurrentEditError:
                session.rollback()
                current = get_service(session, edit["id"], include_deleted=True)
                shown = spec.show(spec.read(current), tr) if current else "—"
                text = tr.gettext(
                    "Not saved: another administrator changed this service meanwhile. "
                    "Current {field}: {value}. Use /edit again to change it."
                ).format(field=tr.gettext(spec.label), value=shown)
    _clear(context)
    await reply(update, tr, text)
    return END


# --- values (typed, quick buttons, categories, location) --------------------------------------


async def _accept(
    update: Update, context: ContextTypes.DEFAULT_TYPE, key: str, parse: Any
) -> object:
    """Validate a value for field `key`; on error say why and ask again, else move on."""
    spec = BY_KEY[key]
    tr = tr_for(update, context)
    data = user_data(context)
    editing = data.get(MODE) == "edit"
    try:
        value = parse()
        if editing and spec.join is not None:
            value = spec.join(data[EDIT]["values"][key], value)
    except Invalid as problem:
        await reply(update, tr, problem.text(tr))
        return await _ask(update, context, spec)
    data.pop(PICKED, None)
    if editing:
        return await _save_edit(update, context, spec, value)
    data[DRAFT][key] = value
    if key == "hours":
        preview = BY_KEY["hours"].show(value, tr)
        await reply(update, tr, tr.gettext("Hours as people will see them:") + "\n" + preview)
    return await _after_add_value(update, context)


def _value_handlers(key: str) -> list[BaseHandler]:
    spec = BY_KEY[key]

    @admin_handler
    async def typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
        text = message_of(update).text or ""
        return await _accept(update, context, key, lambda: spec.parse(text))

    @admin_handler
    async def tapped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
        text = callbacks.last_part(pressed_data(update), 3)
        return await _accept(update, context, key, lambda: spec.parse(text))

    if key == "organization":
        return [
            MessageHandler(TYPED, _organization_typed),
            CallbackQueryHandler(_organization_pressed, pattern=callbacks.ORGANIZATION_PATTERN),
            CallbackQueryHandler(_old_button, pattern=OLD_BUTTONS),
        ]
    handlers: list[BaseHandler] = [
        MessageHandler(TYPED, typed),
        CallbackQueryHandler(tapped, pattern=callbacks.value_pattern(key)),
    ]
    if key == "place":

        @admin_handler
        async def located(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
            where = message_of(update).location
            assert where is not None  # the handler's filter: a shared location
            return await _accept(
                update, context, key, lambda: location_value(where.latitude, where.longitude)
            )

        handlers.append(MessageHandler(LOCATED, located))
    if key == "categories":
        handlers.append(CallbackQueryHandler(_categories, pattern=callbacks.CATEGORIES_PATTERN))
    # A value or category button of another step (an earlier message) must not fill this one.
    handlers.append(CallbackQueryHandler(_old_button, pattern=OLD_BUTTONS))
    return handlers


OLD_BUTTONS = callbacks.ADMIN_STEP_PATTERN
# Only new messages answer a step: an edited earlier answer must not fill the step now asked.
TYPED = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
LOCATED = filters.UpdateType.MESSAGE & filters.LOCATION


@admin_handler
async def _organization_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """A name: the organisation of that name, else buttons for those with a similar name and
    one to create it; `-` for unknown."""
    tr = tr_for(update, context)
    spec = BY_KEY["organization"]
    try:
        name = spec.parse(message_of(update).text or "")
    except Invalid as problem:
        await reply(update, tr, problem.text(tr))
        return await _ask(update, context, spec)
    if name is None:
        return await _accept(update, context, spec.key, lambda: None)
    with session_scope(engine_of(context)) as session:
        found = [organization_value(org) for org in find_organizations(session, name)]
    same = [org for org in found if org and normalise(org["name"]) == normalise(name)]
    if same:
        return await _accept(update, context, spec.key, lambda: same[0])
    user_data(context)[ORG_NAME] = name
    rows = [[(org["name"], callbacks.organization(org["id"]))] for org in found if org]
    # TRANSLATORS: admin button: create an organisation with the name typed
    rows.append([(tr.gettext("Create “{name}”").format(name=name), callbacks.NEW_ORGANIZATION)])
    text = (
        tr.gettext("Is it one of these? Otherwise create it, or send another name.")
        if found
        else tr.gettext("No organisation has a name like this. Create it, or send another name.")
    )
    await reply(update, tr, text, keyboard(rows))
    return None


@admin_handler
async def _organization_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """An organisation picked among those found, or the one typed created."""
    data = pressed_data(update)
    name = user_data(context).pop(ORG_NAME, None)
    value = None
    if data == callbacks.NEW_ORGANIZATION and name:
        value = new_organization(name)
    elif data.startswith(callbacks.organization("")):
        with session_scope(engine_of(context)) as session:
            value = organization_value(session.get(Organization, callbacks.last_part(data, 2)))
    if value is None:
        return await _old_button(update, context)
    return await _accept(update, context, "organization", lambda: value)


# Answer the button so its spinner stops, and stay at the current step unchanged.
_old_button = admin_handler(answer_old_button)


@admin_handler
async def _stray_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button of another message (the welcome's languages, a result card) tapped during a
    step: it must not switch the language or end the step; say how to go on."""
    tr = tr_for(update, context)
    await reply(
        update,
        tr,
        tr.gettext(
            "This button belongs to an earlier message. Answer the question above, "
            "or send /cancel to stop."
        ),
    )


@admin_handler
async def _edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An earlier answer edited during a step changes nothing; say so (a live location's
    updates need no answer)."""
    edited = update.edited_message
    if edited is None or edited.location is not None:
        return
    tr = tr_for(update, context)
    text = tr.gettext(
        "A changed message is not read. Answer the question above, or send /cancel to stop."
    )
    await reply(update, tr, text)


@admin_handler
async def _categories(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """Category buttons: open a group, tick a child, go back, or Done (validated like text)."""
    query, data = pressed(update)
    picked: list[str] = user_data(context).setdefault(PICKED, [])
    action, _, key = data[4:].partition(":")
    if action == "cd":
        return await _accept(
            update, context, "categories", lambda: BY_KEY["categories"].parse(" ".join(picked))
        )
    group = key if action == "cg" else None
    if action == "ct":
        picked.remove(key) if key in picked else picked.append(key)
        category = taxonomy.get_category(key)
        group = category.group if category else None
    tr = tr_for(update, context)
    await query.answer()
    await query.edit_message_reply_markup(keyboard(_category_keyboard(tr, picked, group)))
    return None


cancel = dropping(STEP_KEYS, N_("Cancelled. Nothing was changed."), END)


async def leave(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
    """Another command ends the admin conversation quietly and goes on to its own handler."""
    _clear(context)
    return END


def conversation(*, persistent: bool) -> ConversationHandler:
    states: dict[object, list[BaseHandler]] = {
        spec.key: _value_handlers(spec.key) for spec in FIELDS
    }
    states[CHOOSE_FIELD] = [CallbackQueryHandler(choose_field, pattern=callbacks.FIELD_PATTERN)]
    states[CONFIRM] = [
        CallbackQueryHandler(save_new, pattern=callbacks.SAVE_PATTERN),
        MessageHandler(LOCATED, locate_draft),
    ]
    states[ConversationHandler.TIMEOUT] = [TypeHandler(Update, leave)]
    return ConversationHandler(
        entry_points=[CommandHandler("add", start_add), CommandHandler("edit", start_edit)],
        states=states,
        fallbacks=[
            CommandHandler("cancel", cancel),
            CallbackQueryHandler(cancel, pattern=callbacks.CANCEL_PATTERN),
            CallbackQueryHandler(_stray_button, pattern=callbacks.NOT_ADMIN_PATTERN),
            MessageHandler(filters.UpdateType.EDITED_MESSAGE, _edited),
            MessageHandler(filters.COMMAND, leave),
        ],
        # An abandoned /add must not read the admin's later messages as field values.
        conversation_timeout=IDLE,
        name="admin_editor",
        persistent=persistent,
        allow_reentry=True,
    )
