"""The resident's conversation: need → place → results → service card.

Each step fills the current search (`user_data["search"]`), which maps to a
`catalogue.search.Query`. Free text is welcome at any moment; buttons carry their own meaning
(see bot.render), so a button from an old message is recognised and answered kindly.
The current search, with its place or location, is the only thing kept besides the language;
/new, /cancel and /forget drop it, and it expires after `Settings.search_ttl_hours`.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from sqlalchemy import Engine
from telegram import (
    ReplyKeyboardRemove,
    Update,
    User,
)
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import callbacks, intent, render, report, share, state, stats
from bot.i18n import (
    N_,
    SUPPORTED,
    bidi,
    format_list,
    known_language,
    note_typed_language,
    translator,
    user_language,
)
from bot.intent import Meaning
from bot.kit import (
    Context,
    answer_old_button,
    chat_id,
    message_of,
    now,
    pressed,
    say,
    show,
    text_of,
    tr_of,
    update_time,
    user_data,
    user_of,
)
from bot.persistence import SQLPersistence
from bot.state import SearchState
from catalogue import danger, places, taxonomy
from catalogue.db import session_scope
from catalogue.emergency import all_lines
from catalogue.search import Query, SearchOutcome, current_index, search_services
from catalogue.services import get_service

log = logging.getLogger(__name__)

NAME = "resident"
# Conversation states (stored in the database: never renumber).
NEED, PLACE, CONFIRM, RESULTS = 1, 2, 3, 4
END = ConversationHandler.END
PROBE = 20  # results looked at to see whether a message named several needs


# -- the search -----------------------------------------------------------------------------
def search_of(context: Context) -> SearchState | None:
    return state.stored(context.user_data)


def start_search(
    context: Context, update: Update, *, text: str = "", cats: list[str] | None = None
) -> SearchState:
    """A new need; the place of the previous search is kept (same outing) unless the new text
    names another one, filters are reset."""
    previous = search_of(context)
    data = user_data(context)
    serial = int(data.get("serial", 0)) + 1
    data["serial"] = serial
    search = SearchState(
        serial=serial, text=text, categories=list(cats or []), started=update_time(update, context)
    )
    if previous and not (text and places.find_place_in_text(text)):  # "manger roubaix" after Lille
        search.place, search.location = previous.place, previous.location
        search.anywhere = previous.anywhere
    said = danger.from_categories(cats or ()).kinds  # a violence button is a danger too
    # A danger said once stays on top until /new: its numbers must not scroll away.
    search.danger = ordered_kinds(previous.danger if previous else [], said)
    data[state.KEY] = search
    return search


def ordered_kinds(*kinds: Iterable[str]) -> list[str]:
    """The danger kinds of all `kinds`, in catalogue.danger's order."""
    said = set().union(*kinds)
    return [k for k in danger.kinds() if k in said]


def drop_search(context: Context) -> None:
    user_data(context).pop(state.KEY, None)


def hear_filters(search: SearchState, said: Iterable[str], categories: Iterable[str]) -> None:
    """Turn the filters said in words ("ouvert maintenant", "gratuit", "dimanche soir") into
    the refine buttons, so they are applied and shown ticked."""
    heard, when = intent.said_filters(said, categories, search.filters)
    if when is not None:
        search.when = when
    search.filters.extend(heard)


def engine_of(context: Context) -> Engine:
    engine: Engine = context.bot_data["engine"]
    return engine


def page_size(context: Context) -> int:
    size: int = context.bot_data["settings"].page_size
    return size


def run(
    context: Context, search: SearchState, lang: str, *, offset: int = 0, limit: int | None = None
) -> SearchOutcome:
    query = search.to_query(lang, now(context), limit=limit or page_size(context), offset=offset)
    return search_services(engine_of(context), query, now=now(context))


def is_stale(search: SearchState | None, serial: str) -> bool:
    return search is None or str(search.serial) != serial


# -- prompts --------------------------------------------------------------------------------
async def ask_need(update: Update, context: Context, intro: str | None = None) -> int:
    tr = tr_of(update, context)
    _ = tr.gettext
    text = _("What do you need? Choose below, or write it in your own words.")
    await say(update, context, before(intro or "", text), render.groups_keyboard(tr.lang))
    return NEED


async def ask_place(update: Update, context: Context, intro: str = "") -> int:
    tr = tr_of(update, context)
    _ = tr.gettext
    text = _(
        "Where are you? Write your town, postcode or neighbourhood. "
        "Or send your location with the button."
    )
    await say(update, context, before(intro, text), render.place_keyboard(tr.lang))
    return PLACE


async def stale(update: Update, context: Context) -> int:
    """A button from an old message: say so, and offer to start again."""
    await answer_old_button(update, context)
    return await stale_without_answer(update, context)


# -- commands -------------------------------------------------------------------------------
async def start(update: Update, context: Context) -> int:
    """/start: greeting, language choice, the need question. `/start svc_<id>` opens a card."""
    if context.args and context.args[0].startswith("svc_"):
        if await send_card(update, context, context.args[0].removeprefix("svc_")):
            return NEED
        return await ask_need(update, context)  # a link to a removed place: a way on
    drop_search(context)
    known = known_language(user_data(context), user_of(update).language_code)
    langs = [known] if known else ["fr", "en"]
    greeting = "\n\n".join(
        translator(lang).gettext(
            "Hello! I help you find free help near you: food, showers, housing, care, "
            "French classes and more."
        )
        for lang in langs
    )
    choose = " / ".join(translator(lang).gettext("Choose your language:") for lang in langs)
    await say(update, context, f"{greeting}\n\n{choose}", render.language_keyboard())
    return await ask_need(update, context)


async def new(update: Update, context: Context) -> int:
    """/new or the "New search" button: forget the current search and its place."""
    if update.callback_query:
        await update.callback_query.answer()
    drop_search(context)
    return await ask_need(update, context)


async def cancel(update: Update, context: Context) -> int:
    drop_search(context)
    _ = tr_of(update, context).gettext
    await say(
        update,
        context,
        _("OK, I stopped. Write what you need when you want, or send /start."),
        ReplyKeyboardRemove(),
    )
    return END


async def help_command(update: Update, context: Context) -> None:
    _ = tr_of(update, context).gettext
    await say(
        update,
        context,
        "\n".join(
            [
                _("Write what you need, for example: food, shower, a bed for tonight."),
                _("Then tell me where you are: a town, a postcode, or your location."),
                _("Tap a number to see a place: address, hours, phone."),
                "",
                _("/new: a new search"),
                _("/cancel: stop the current search"),
                _("/list: your list of services to share or print"),
                _("/language: change the language"),
                _("/privacy: what I keep about you"),
                _("/forget: erase what I keep about you"),
                _("/about: about this bot"),
            ]
        ),
    )


async def about(update: Update, context: Context) -> None:
    _ = tr_of(update, context).gettext
    await say(
        update,
        context,
        _(
            "Relais helps people in the Lille metropolis find social services: food, showers, "
            "housing, health, digital help, French classes. It is free. The list comes from public "
            "sources and from its administrators, and each place says when it was last checked. "
            "Always check the hours before you go."
        )
        + "\n\n"
        + _(
            "Many services come from data·inclusion (GIP Plateforme de l'inclusion), open data "
            "under the Licence Ouverte 2.0; each card names its source and date."
        ),
    )


async def privacy(update: Update, context: Context) -> None:
    _ = tr_of(update, context).gettext
    await say(
        update,
        context,
        "\n".join(
            [
                _("What I keep about you:"),
                "• " + _("your language and your filters;"),
                "• "
                + _(
                    "your current search, with its place or location, until you start a new "
                    "one or stop for a few hours;"
                ),
                "• " + _("where you are in the conversation."),
                "",
                _("I do not keep your messages. Searches are counted without your name."),
                _("Send /forget to erase everything I keep about you."),
            ]
        ),
    )


async def language_command(update: Update, context: Context) -> None:
    _ = tr_of(update, context).gettext
    await say(update, context, _("Choose your language:"), render.language_keyboard())


async def forget_command(update: Update, context: Context) -> None:
    tr = tr_of(update, context)
    _ = tr.gettext
    await say(
        update,
        context,
        _("Do you want me to erase everything I keep about you?"),
        render.yes_no_keyboard(callbacks.forget(True), callbacks.forget(False), tr.lang),
    )


async def forget_user(context: Context, user_id: int) -> None:
    """Erase everything kept about a user, in memory and in the database, now."""
    context.application.drop_user_data(user_id)
    if user_id in context.application.chat_data:  # their private chat has their id
        context.application.drop_chat_data(user_id)
    persistence = context.application.persistence
    if isinstance(persistence, SQLPersistence):
        await persistence.forget_user(user_id)


async def blocked(update: Update, context: Context) -> None:
    """The user blocked the bot (Telegram tells us so): keep nothing about them."""
    member = update.my_chat_member
    assert member is not None  # the handler's kind (ChatMemberHandler)
    if member.chat.type == "private" and member.new_chat_member.status == "kicked":
        await forget_user(context, member.from_user.id)


async def forget_answer(update: Update, context: Context) -> int | None:
    query, data = pressed(update)
    tr = tr_of(update, context)
    await query.answer()
    if data != callbacks.forget(True):
        await query.edit_message_text(bidi(tr.gettext("OK, I erased nothing."), tr.lang))
        return None
    await forget_user(context, user_of(update).id)
    await query.edit_message_text(
        bidi(tr.gettext("Done. I erased everything I kept about you."), tr.lang)
    )
    return END


# -- need -----------------------------------------------------------------------------------
async def choose_language(update: Update, context: Context) -> int:
    query, data = pressed(update)
    code = callbacks.after_prefix(data)
    if code in SUPPORTED:
        user_data(context)["lang"] = code
    await query.answer()
    tr = tr_of(update, context)
    await query.edit_message_text(bidi(tr.gettext("OK, I will write in this language."), tr.lang))
    search = search_of(context)  # /language in the middle of a search: it goes on, translated
    if search is None or not search.has_need:
        return await ask_need(update, context)
    if not search.has_place:
        sos = render.emergency_block(search.danger, tr.lang)
        return await ask_place(update, context, sos)
    await show_results(update, context, edit=False)
    return RESULTS


async def show_groups(update: Update, context: Context) -> None:
    query, data = pressed(update)
    await query.answer()
    lang = user_language(update, context)
    await query.edit_message_reply_markup(render.groups_keyboard(lang))


async def show_children(update: Update, context: Context) -> None:
    query, data = pressed(update)
    group = callbacks.after_prefix(data)
    await query.answer()
    if taxonomy.get_category(group) is None:
        await query.edit_message_reply_markup(
            render.groups_keyboard(user_language(update, context))
        )
        return
    await query.edit_message_reply_markup(
        render.children_keyboard(group, user_language(update, context))
    )


async def choose_category(update: Update, context: Context) -> int:
    query, data = pressed(update)
    key = callbacks.after_prefix(data)
    await query.answer()
    if taxonomy.get_category(key) is None:
        return await stale_without_answer(update, context)
    previous = search_of(context)
    search = start_search(context, update, cats=[key])
    if previous and previous.text_place:  # "douche et manger roubaix": keep the place typed
        search.place = previous.text_place
    if previous and previous.asked:  # "which one?": the filters said with the needs hold
        search.filters, search.when = previous.filters, previous.when
    lang = user_language(update, context)
    await query.edit_message_text(bidi("🔎 " + render.esc(taxonomy.label(key, lang)), lang))
    return await proceed(update, context)


async def stale_without_answer(update: Update, context: Context) -> int:
    _ = tr_of(update, context).gettext
    return await ask_need(update, context, _("This button is from an older message."))


async def need_text(update: Update, context: Context) -> int:
    text = text_of(update)[:300]
    coordinates = places.parse_coordinates(text)
    if coordinates is not None:  # typed or pasted "50.69,3.17": as a shared location
        return await use_location(update, context, coordinates.latitude, coordinates.longitude)
    note_typed_language(context, text)
    lang = user_language(update, context)
    search = search_of(context)

    def probe(text: str) -> SearchOutcome:  # what this text alone means, here
        assert search is not None
        plain = search.but(text=text, categories=[], filters=[], age=None, gender=None)
        return run(context, plain, lang, limit=1)

    reading = intent.read_need(text, lang, search, probe)
    match reading.meaning:
        case Meaning.DANGER:
            assert reading.found is not None
            return await danger_said(update, context, text, reading.found)
        case Meaning.COURTESY:
            return await greet(update, context, reading.courtesy or "greeting")
        case Meaning.ELSEWHERE:
            return await outside(update, context)
        case Meaning.CARD if search is not None and reading.number is not None:
            return await card_by_number(update, context, search, reading.number)
        case Meaning.SAME_NEED_THERE if search is not None and reading.place:
            search.set_place(reading.place)
            search.offset = 0
            return await proceed(update, context)
        case Meaning.FILTERS if search is not None and reading.probe is not None:
            # "ouvert maintenant", "gratuit" said after a list: that list, filtered
            current = run(context, search.but(filters=[]), lang, limit=1)
            hear_filters(search, reading.probe.said, current.categories)
            search.offset = 0
            return await list_again(update, context, search)
        case Meaning.MORE if search is not None:
            turned = search.offset + page_size(context)
            if run(context, search, lang, offset=turned, limit=1).results:
                search.offset = turned  # else the last page stays
            return await list_again(update, context, search)
        case Meaning.NOTHING_NEW if search is not None and reading.probe is not None:
            # "merci", "ok": not a new need; the list shown and its buttons stay usable.
            record(context, search, reading.probe, update.effective_user)
            await offer_needs(update, context, reading.probe, tr_of(update, context).gettext(SORRY))
            return RESULTS
    # The needs just offered ("I think you need: …") stay for a place typed instead of a tap.
    start_search(context, update, text=text).offered = search.offered if search else []
    return await proceed(update, context)


async def list_again(update: Update, context: Context, search: SearchState) -> int:
    """The current search's list, shown again below (filters or page changed in words)."""
    record(context, search, run(context, search, user_language(update, context), limit=1))
    await show_results(update, context, edit=False)
    return RESULTS


async def greet(update: Update, context: Context, kind: str) -> int:
    """A greeting or a thank-you alone: a greeting back and the menu; the search in progress,
    with its place, stays for the next need."""
    _ = tr_of(update, context).gettext
    intro = (
        _("You are welcome.")
        if kind == "thanks"
        else _(
            "Hello! I help you find free help near you: food, showers, housing, care, "
            "French classes and more."
        )
    )
    search = search_of(context)
    if search and search.has_need and not search.has_place:
        return await ask_place(update, context, intro)  # greeted at the place step
    return await ask_need(update, context, intro)


async def outside(update: Update, context: Context) -> int:
    """A place outside the metropolis ("Paris"): say so; the need is kept and the place asked
    again (or the need, when there is none yet)."""
    _ = tr_of(update, context).gettext
    intro = _("This place is outside the Lille metropolis: I only know services in the metropolis.")
    shelter = next(line for line in all_lines() if line.id == "samu-social")  # national
    # TRANSLATORS: after "this place is outside the metropolis"; {number} is the 115. Keep
    # soliguide.fr verbatim: the national directory of services for people in need
    intro += "\n" + _(
        "Elsewhere in France: for emergency shelter, call {number}; for other "
        "services, see soliguide.fr, the national directory."
    ).format(number=shelter.number)
    search = search_of(context)
    if search and search.has_need:
        return await ask_place(update, context, intro)
    return await ask_need(update, context, intro)


async def danger_said(update: Update, context: Context, text: str, found: danger.Danger) -> int:
    """A danger was read: it becomes the need unless the text asks for something else too
    ("mon mari me frappe, je cherche un avocat"), and it stays through the place step. The
    numbers are given in the language the danger was said in, when only one language says it."""
    note_typed_language(context, text, found.lang)
    search = start_search(context, update, text=text)
    search.danger = ordered_kinds(search.danger, found.kinds)
    if found.minor:
        search.age = found.age
    if found.kinds == (danger.HELP,):  # a bare call for help: 112, and a question
        _ = tr_of(update, context).gettext
        search.text = ""
        sos = render.emergency_block(search.danger, user_language(update, context))
        return await ask_need(
            update,
            context,
            before(
                sos,
                _(
                    "Are you in danger right now? Tell me what is happening, or choose below what "
                    "you need."
                ),
            ),
        )
    probe = probe_text(context, user_language(update, context))
    if not intent.asks_more(found, probe):
        named = places.find_place_in_text(text)
        if named is not None and named.certain:
            search.set_place(named.place.name)
        search.text, search.categories, search.strict = "", list(found.needs), True
        search.said = sorted(probe(found.rest).said)  # "avec mes enfants": family shelters
    else:  # only the other words are searched: "не хочу жить" is no housing
        search.text = found.rest
    return await proceed(update, context)


def probe_text(context: Context, lang: str) -> intent.Probe:
    """What the search reads in a text alone, anywhere (one result is enough)."""
    return lambda text: search_services(engine_of(context), Query(text=text, lang=lang, limit=1))


async def card_by_number(update: Update, context: Context, search: SearchState, number: int) -> int:
    """A result's number typed instead of pressed ("2"): its card, else the list again."""
    lang = user_language(update, context)
    outcome = run(context, search, lang, offset=max(number - 1, 0), limit=1)
    if number >= 1 and outcome.results:
        await send_card(update, context, outcome.results[0].service_id)
    else:
        await show_results(update, context, edit=False)
    return RESULTS


async def proceed(update: Update, context: Context) -> int:
    """The need is known: check it was understood, then ask the place or show results."""
    search = search_of(context)
    assert search is not None  # every caller has started or kept one
    tr = tr_of(update, context)
    _ = tr.gettext
    offered, search.offered = search.offered, []
    # What the need finds, filters aside: a filter that leaves nothing is for the list to say
    # ("nothing with these choices", the filter ticked to untick), not "I know no place".
    outcome = run(context, search.but(filters=[]), tr.lang, limit=PROBE)
    if search.text and not search.heard:  # filters said in words: once per need
        search.heard = True
        hear_filters(search, outcome.said, outcome.categories)
    sos = render.emergency_block(search.danger, tr.lang)  # national lines first
    if sos and not search.has_place and outcome.place is None:
        return await ask_place(update, context, sos)  # the danger's need waits for a place
    if outcome.abstained:
        named = outcome.place if outcome.place and outcome.place.certain else None
        if search.text and named and not search.has_place and not outcome.categories:
            # Only a place was written: keep it and ask for the need.
            search.place, search.text, search.anywhere = named.place.name, "", False
            if offered and len(intent.groups_of(offered)) == 1:
                search.categories = offered  # "I think you need: food", then "Lille"
                return await proceed(update, context)
            here = _("OK: {place}.").format(
                place=render.esc(render.place_label(named.place.name, tr.lang))
            )
            if offered:  # needs of several kinds were offered: which one, here
                search.offered = offered
                keyboard = render.categories_keyboard(offered, tr.lang)
                await say(update, context, before(here, _("Which one do you need?")), keyboard)
                return NEED
            return await ask_need(update, context, here)
        record(context, search, outcome, update.effective_user)
        pressed = bool(search.categories) and not search.text  # a need chosen with a button
        understood = list(outcome.categories) if search.text and not sos else []
        if (
            understood
            and not run(
                context, search.but(text="", categories=understood, filters=[]), tr.lang, limit=1
            ).abstained
        ):
            # read as a need the list has places for, but not surely: offer it, not a "sorry"
            search.text, search.categories = "", []
            search.offered = render.specific(understood)[:6]
            labels = render.need_labels(understood, tr.lang)
            await say(
                update,
                context,
                _(
                    "I think you need: {need}. Tap it below to see the places, or say it with "
                    "other words."
                ).format(need=render.esc(format_list(labels, tr.lang))),
                render.categories_keyboard(search.offered, tr.lang),
            )
            return NEED
        search.text, search.categories = "", []  # keep the place for the next category
        if pressed or understood:  # the need is understood, the list has no place for it
            labels = render.need_labels(outcome.categories, tr.lang)
            sorry = _(
                "I know no place for this yet: {need}. Choose something else below, "
                "or write what you need."
            ).format(need=render.esc(format_list(labels, tr.lang)))
        elif sos:  # a danger was understood: the numbers above come first, not a "sorry"
            # TRANSLATORS: after emergency phone numbers, when no local place was found
            sorry = _(
                "You can also choose below what could help you, or write it with other words."
            )
        else:  # text: what was read may be wrong, so it is not repeated back
            sorry = _(SORRY)
        await offer_needs(update, context, outcome, before(sos, sorry))
        return NEED
    found = list(dict.fromkeys(k for r in outcome.results for k in r.matched_categories))
    if search.text and len(intent.groups_of(found)) > 1 and not search.asked:
        search.asked = True  # several needs in one message: ask which, once
        if outcome.place:
            search.text_place = outcome.place.place.name
        await say(
            update,
            context,
            before(sos, _("Which one do you need?")),
            render.categories_keyboard(render.specific(found)[:6], tr.lang),
        )
        return NEED
    if not search.has_place:
        if outcome.place is None:
            return await ask_place(update, context, sos)
        search.place = outcome.place.place.name  # a place named in the text stays
    record(context, search, outcome, update.effective_user)
    await show_results(update, context, edit=False)
    return RESULTS


SORRY = N_("Sorry, I did not find this. Choose what you need below, or say it with other words.")


async def offer_needs(update: Update, context: Context, outcome: SearchOutcome, text: str) -> None:
    """`text`, with the needs the search suggests (else every group) as buttons."""
    lang = user_language(update, context)
    keyboard = (
        render.categories_keyboard(outcome.suggestions, lang)
        if outcome.suggestions
        else render.groups_keyboard(lang)
    )
    await say(update, context, text, keyboard)


def before(block: str, text: str) -> str:
    """`text` after `block` (an intro, the emergency lines) when there is one."""
    return f"{block}\n\n{text}" if block else text


def record(context: Context, search: SearchState, outcome: SearchOutcome,
           user: User | None = None) -> None:  # fmt: skip
    """Count the search anonymously for the admins (need key, commune, hour, found), and the
    words it did not understand privately (`stats.record_unknown`)."""
    commune = outcome.place.place.commune if outcome.place else None
    if commune is None and search.location:
        commune = places.place_at(*search.location).commune
    need = outcome.categories[0] if outcome.categories else None
    try:
        stats.record_search(
            engine_of(context),
            need=need,
            commune=commune,
            found=bool(outcome.results),
            at=now(context),
        )
        if user is not None and outcome.unknown:
            stats.record_unknown(
                engine_of(context), outcome.unknown, user_id=user.id, at=now(context)
            )
    except Exception:  # statistics must never break a search
        log.exception("could not record search statistics")


# -- place ----------------------------------------------------------------------------------
async def place_text(update: Update, context: Context) -> int:
    text = text_of(update)
    tr = tr_of(update, context)
    _ = tr.gettext
    search = search_of(context)
    if search is None:
        return await need_text(update, context)
    reading = intent.read_place(text, tr.lang, probe_text(context, tr.lang))
    match reading.meaning:
        case Meaning.LOCATION if reading.location is not None:
            return await use_location(update, context, *reading.location)
        case Meaning.ANYWHERE:
            search.place, search.location, search.anywhere = None, None, True
            await say(update, context, "🏙 " + _("The whole metropolis"), ReplyKeyboardRemove())
            return await proceed(update, context)
        case Meaning.FILTERS if reading.probe is not None:
            hear_filters(search, reading.probe.said, search.categories)
            return await ask_place(update, context, render.emergency_block(search.danger, tr.lang))
        case Meaning.UNKNOWN_PLACE:
            await say(
                update,
                context,
                _(
                    "I do not know this place. Write a town or a postcode of the Lille "
                    "metropolis, or send your location."
                ),
                render.place_keyboard(tr.lang),
            )
            return PLACE
        case Meaning.MAYBE_PLACE if reading.place:
            search.maybe = reading.place
            await say(
                update,
                context,
                _("Did you mean {place}?").format(
                    place=render.esc(render.place_label(reading.place, tr.lang))
                ),
                render.yes_no_keyboard(
                    callbacks.place_answer(search.serial, True),
                    callbacks.place_answer(search.serial, False),
                    tr.lang,
                ),
            )
            return CONFIRM
        case Meaning.PLACE if reading.place:
            search.set_place(reading.place)
            return await place_set(update, context, reading.place)
    return await need_text(update, context)


async def confirm_text(update: Update, context: Context) -> int:
    """ "yes"/"no" typed instead of pressed; anything else is another try at the place."""
    tr = tr_of(update, context)
    search = search_of(context)
    answer = text_of(update).casefold().rstrip("!.")
    if search and search.maybe:
        yes = {tr.gettext("Yes").casefold(), "yes", "oui"}
        no = {tr.gettext("No").casefold(), "no", "non"}
        if answer in yes | no:
            return await use_confirmation(update, context, search, answer in yes)
    return await place_text(update, context)


async def use_confirmation(update: Update, context: Context, search: SearchState, yes: bool) -> int:
    place, search.maybe = search.maybe, None
    if not yes or place is None:
        return await ask_place(update, context)
    search.set_place(place)
    return await place_set(update, context, place)


async def place_set(update: Update, context: Context, place: str) -> int:
    """Say which place was understood, then go on with the search there."""
    label = render.place_label(place, user_language(update, context))
    await say(update, context, "📍 " + render.esc(label), ReplyKeyboardRemove())
    return await proceed(update, context)


async def confirm_place(update: Update, context: Context) -> int:
    query, data = pressed(update)
    yes, serial = callbacks.parse_place_answer(data)
    search = search_of(context)
    if search is None or is_stale(search, serial) or not search.maybe:
        return await stale(update, context)
    await query.answer()
    await query.edit_message_reply_markup(None)
    return await use_confirmation(update, context, search, yes)


async def location(update: Update, context: Context) -> int:
    loc = message_of(update).location
    assert loc is not None  # filters.LOCATION
    return await use_location(update, context, loc.latitude, loc.longitude)


async def use_location(update: Update, context: Context, lat: float, lon: float) -> int:
    """A shared location (or typed coordinates), at any step: kept for this search only."""
    _ = tr_of(update, context).gettext
    search = search_of(context)
    if search is None:
        search = start_search(context, update)
    search.place, search.location, search.anywhere = None, (lat, lon), False
    search.maybe = None
    note = (
        ""
        if places.in_mel(lat, lon)
        else " " + _("This is outside the Lille metropolis: the places I know may be far.")
    )
    await say(
        update, context, "📍 " + _("Thank you, I have your location.") + note, ReplyKeyboardRemove()
    )
    if not search.has_need:
        return await ask_need(update, context)
    search.offset = 0
    return await proceed(update, context)


# -- results and cards ----------------------------------------------------------------------
async def show_results(update: Update, context: Context, *, edit: bool) -> None:
    search = search_of(context)
    assert search is not None  # the callers checked the button was not stale
    tr = tr_of(update, context)
    outcome = run(context, search, tr.lang, offset=search.offset)
    labels = render.need_labels(outcome.categories, tr.lang)
    need = format_list(labels, tr.lang) if labels else search.text
    place: str | None = None
    if search.location:
        place = tr.gettext("Near your location")
    elif not search.anywhere:
        name = search.place or (outcome.place.place.name if outcome.place else None)
        place = render.place_label(name, tr.lang) if name else None
    active = search.filters + (["aud"] if search.age is not None or search.gender else [])
    page = render.Page(
        serial=search.serial,
        offset=search.offset,
        size=page_size(context),
        filters=active,
        need=need,
        place=place,
        audience=search.audience,
        when=search.when.to_json() if search.when else None,
        danger=search.danger,
    )
    index = current_index(engine_of(context))  # the rows it ranked: no query
    services = {
        r.service_id: s for r in outcome.results if (s := index.service(r.service_id)) is not None
    }
    rendered = render.render_results(outcome, page, tr.lang, services, now(context))
    await show(update, context, rendered.text, rendered.keyboard, edit=edit)


async def turn_page(update: Update, context: Context) -> int | None:
    """Next/previous page (`pg:`) edits the list; "Back to the list" (`bk:`) under a card
    sends the list again below it, so the card with its address stays readable."""
    query, data = pressed(update)
    back, serial, offset = callbacks.parse_page(data)
    search = search_of(context)
    if search is None or is_stale(search, serial):
        return await stale(update, context)
    await query.answer()
    search.offset = max(0, offset)
    await show_results(update, context, edit=not back)
    return RESULTS


async def refine(update: Update, context: Context) -> int | None:
    query, data = pressed(update)
    serial, key = callbacks.parse_serial_and(data)
    search = search_of(context)
    if search is None or is_stale(search, serial) or key not in render.FILTERS:
        return await stale(update, context)
    await query.answer()
    if key == "aud":
        tr = tr_of(update, context)
        await say(
            update,
            context,
            tr.gettext("Who is it for?"),
            render.audience_keyboard(search.serial, tr.lang),
        )
        return RESULTS
    chosen = search.filters
    if key in chosen:
        chosen.remove(key)
    else:
        chosen.append(key)
    if key == "open":
        search.when = None  # ticked again by hand: open now
    search.offset = 0
    await show_results(update, context, edit=True)
    return RESULTS


AUDIENCES = {
    "w": (None, "women"),
    "m": (None, "men"),
    "c": (15, None),
    "y": (21, None),
    "o": (65, None),
    "-": (None, None),
}


async def choose_audience(update: Update, context: Context) -> int | None:
    query, data = pressed(update)
    serial, code = callbacks.parse_serial_and(data)
    search = search_of(context)
    if search is None or is_stale(search, serial) or code not in AUDIENCES:
        return await stale(update, context)
    await query.answer()
    search.age, search.gender = AUDIENCES[code]
    search.audience = code
    search.offset = 0
    await show_results(update, context, edit=True)
    return RESULTS


async def details(update: Update, context: Context) -> None:
    query, data = pressed(update)
    await query.answer()
    await send_card(update, context, callbacks.after_prefix(data))


async def send_card(update: Update, context: Context, service_id: str) -> bool:
    """The service card, then a map pin when the address is precise and public; False when
    the place is no longer listed."""
    tr = tr_of(update, context)
    with session_scope(engine_of(context)) as session:
        service = get_service(session, service_id)
    if service is None or service.status != "active":
        await say(update, context, tr.gettext("This place is no longer in the list."))
        return False
    search = search_of(context)
    back = callbacks.page(search.serial, search.offset, back=True) if search else None
    card_buttons = getattr(share, "card_buttons", None)  # ADMIN's share/shortlist buttons
    extra = card_buttons(service.id, context.bot.username, tr, service) if card_buttons else []
    extra += report.button(service.id, tr)
    card = render.render_service_card(
        service, tr.lang, now=now(context), back=back, extra_rows=extra
    )
    await context.bot.send_message(chat_id(update), card.text, reply_markup=card.keyboard)
    if card.venue:
        v = card.venue
        await context.bot.send_venue(
            chat_id(update),
            latitude=v.latitude,
            longitude=v.longitude,
            title=v.title,
            address=v.address,
        )
    return True


# -- anything else --------------------------------------------------------------------------
async def edited(update: Update, context: Context) -> None:
    """An edit is not read as a new message; a live location's updates need no answer."""
    if update.edited_message is not None and update.edited_message.location is None:
        await say(
            update,
            context,
            tr_of(update, context).gettext(
                "You changed a message. I only read new messages: please send it again."
            ),
        )


def answer_with(message: str) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """A handler answering one fixed message (marked with N_), in the user's language."""

    async def answer(update: Update, context: Context) -> None:
        await say(update, context, tr_of(update, context).gettext(message))

    return answer


voice = answer_with(N_("I cannot listen to voice messages. Please write, or use the buttons."))
other_content = answer_with(N_("I can only read text, a location or the buttons."))
unknown_command = answer_with(N_("I do not know this command. Send /help to see what I can do."))


async def unknown_button(update: Update, context: Context) -> None:
    """Any button nobody recognised (removed feature, very old message)."""
    await answer_old_button(update, context)
    await stale_without_answer(update, context)


def _everywhere() -> list[BaseHandler]:
    """Handlers valid at every step, and to enter the conversation when it has no state."""
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [
        CommandHandler("start", start),
        CommandHandler("new", new),
        CommandHandler("cancel", cancel),
        CallbackQueryHandler(new, pattern=callbacks.NEW_PATTERN),
        CallbackQueryHandler(choose_language, pattern=callbacks.LANGUAGE_PATTERN),
        CallbackQueryHandler(show_groups, pattern=callbacks.GROUPS_PATTERN),
        CallbackQueryHandler(show_children, pattern=callbacks.GROUP_PATTERN),
        CallbackQueryHandler(choose_category, pattern=callbacks.CATEGORY_PATTERN),
        CallbackQueryHandler(confirm_place, pattern=callbacks.PLACE_ANSWER_PATTERN),
        CallbackQueryHandler(turn_page, pattern=callbacks.PAGE_PATTERN),
        CallbackQueryHandler(refine, pattern=callbacks.REFINE_PATTERN),
        CallbackQueryHandler(choose_audience, pattern=callbacks.AUDIENCE_PATTERN),
        CallbackQueryHandler(details, pattern=callbacks.DETAILS_PATTERN),
        CallbackQueryHandler(forget_answer, pattern=callbacks.FORGET_PATTERN),
        MessageHandler(private & filters.LOCATION, location),
        MessageHandler(private & (filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE), voice),
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, need_text),
    ]


def conversation_handler() -> ConversationHandler:
    """The resident flow, persistent under the name "resident"."""
    text = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
    everywhere = _everywhere()
    with warnings.catch_warnings():  # buttons carry their meaning: per-message tracking unneeded
        warnings.filterwarnings("ignore", message=".*per_message.*", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=everywhere,
            states={
                NEED: [MessageHandler(text, need_text)],
                PLACE: [MessageHandler(text, place_text)],
                CONFIRM: [MessageHandler(text, confirm_text)],
                RESULTS: [MessageHandler(text, need_text)],
            },
            fallbacks=everywhere,
            name=NAME,
            persistent=True,
        )


def handlers() -> list[BaseHandler]:
    """Every resident handler for group 0, in order (the conversation, then catch-alls)."""
    private = filters.ChatType.PRIVATE
    return [
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & private, edited),
        ChatMemberHandler(blocked, ChatMemberHandler.MY_CHAT_MEMBER),
        CommandHandler("help", help_command),
        CommandHandler("about", about),
        CommandHandler("privacy", privacy),
        CommandHandler("language", language_command),
        CommandHandler("forget", forget_command),
        conversation_handler(),
        CallbackQueryHandler(unknown_button),
        MessageHandler(private & filters.UpdateType.MESSAGE & filters.COMMAND, unknown_command),
        MessageHandler(private & filters.UpdateType.MESSAGE, other_content),
    ]
