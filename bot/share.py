"""Social workers' tools: share links, inline mode, cards in another language, shortlists.

A worker sits with a beneficiary: they share a card by link (`t.me/<bot>?start=svc_<id>`, which
BOT's /start opens), post cards into any chat with inline mode (`@bot douche Roubaix`), show a
card in the beneficiary's language without changing their own, and hand over a shortlist as one
message or as a printable HTML sheet. The shortlist is only service ids in `user_data`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import datetime
from urllib.parse import quote

from babel import Locale
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputFile,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
)

from bot import callbacks
from bot.admin.fields import hours_preview
from bot.i18n import SUPPORTED, Translator, bidi, localized, translator, user_language
from bot.kit import chat_of, now, pressed, stop, tr_of, user_data
from bot.render import (
    admission,
    as_of,
    phone,
    price,
    public_venue,
    render_emergency_block,
    render_service_card,
)
from catalogue import danger, places
from catalogue.db import session_scope
from catalogue.hours import PARIS, format_compact_hours
from catalogue.models import Service
from catalogue.search import Query, search_services
from catalogue.services import get_service

SHORTLIST = "shortlist"
MAX_SHORTLIST = 10  # keeps the list message under Telegram's 4,096 characters
INLINE_RESULTS = 10
MAX_MESSAGE = 3800  # under Telegram's 4,096, with room for direction marks
MAX_DESCRIPTION = 200  # of each service in a forwarded list (the card has it all)
PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,60}$")  # what Telegram allows in a start parameter
GROUP = -1


def deep_link(bot_username: str, service_id: str) -> str | None:
    """`https://t.me/<bot>?start=svc_<id>`, or None when the id cannot travel in a link."""
    if not PAYLOAD.match(service_id):
        return None
    return f"https://t.me/{bot_username}?start=svc_{service_id}"


def share_text(service: Service, tr: Translator) -> str:
    """The card's essentials as plain text, readable wherever it is pasted (WhatsApp, SMS):
    name, address, phones as dialled, the week's hours."""
    lines = [service.name]
    for loc in service.locations:
        town = " ".join(p for p in (loc.postcode, loc.city) if p)
        lines.append("📍 " + ", ".join(p for p in (loc.address, town) if p))
    lines += ["📞 " + _national(p.number) for p in service.phones]
    if service.hours:
        lines.append("🕘 " + hours_preview(format_compact_hours(service.hours), tr))
    elif written := text_hours(service):
        lines.append("🕘 " + written)
    return "\n".join(lines)


def text_hours(service: Service) -> str | None:
    """Hours open data gave as text (OSM syntax, or a note), for cards read elsewhere."""
    return service.opening_hours_osm or service.hours_note


def _national(number: str) -> str:
    """A phone number as dialled, in plain text (`phone` without its link)."""
    return html.unescape(re.sub(r"<[^>]+>", "", phone(number)))


def card_buttons(
    service_id: str, bot_username: str, tr: Translator, service: Service | None = None
) -> list[list[InlineKeyboardButton]]:
    """Rows BOT appends to every service card: share (the link with the card's essentials as
    text, when the service is given), other language, add to the shortlist."""
    rows = []
    link = deep_link(bot_username, service_id)
    if link:
        share = f"https://t.me/share/url?url={quote(link, safe='')}"
        if service is not None:
            share += f"&text={quote(share_text(service, tr), safe='')}"
        rows.append([InlineKeyboardButton(bidi("📤 " + tr.gettext("Share"), tr.lang), url=share)])
    if not callbacks.fits(callbacks.card_in("xx", service_id)):
        return rows  # callback data would not fit Telegram's 64 bytes
    rows.append(
        [
            InlineKeyboardButton(
                bidi("🌐 " + tr.gettext("Other language"), tr.lang),
                callback_data=callbacks.other_language(service_id),
            ),
            InlineKeyboardButton(
                bidi("⭐ " + tr.gettext("Add to my list"), tr.lang),
                callback_data=callbacks.add_to_list(service_id),
            ),
        ]
    )
    return rows


def _now(context: ContextTypes.DEFAULT_TYPE) -> datetime:
    """Now in Lille: a forwarded list or sheet is dated in local time."""
    return now(context).astimezone(PARIS)


def _load(context: ContextTypes.DEFAULT_TYPE, ids: list[str]) -> list[Service]:
    """Visible services among `ids`, in that order (a hidden or deleted one drops out)."""
    with session_scope(context.bot_data["engine"]) as session:
        found = [get_service(session, service_id) for service_id in ids]
    return [s for s in found if s is not None and s.status == "active"]


async def _say(
    update: Update, tr: Translator, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Answer the pressed button (if any) and send `text`, which is HTML (the default mode)."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    await chat_of(update).send_message(bidi(text, tr.lang), reply_markup=reply_markup)


# --- another language -------------------------------------------------------------------------


def _language_name(code: str) -> str:
    return (Locale.parse(code).get_display_name(code) or code).capitalize()


def language_markup(data: Callable[[str], str]) -> InlineKeyboardMarkup:
    """The nine languages, each in its own name; `data` gives a button's data for a code."""
    buttons = [
        InlineKeyboardButton(_language_name(code), callback_data=data(code)) for code in SUPPORTED
    ]
    return InlineKeyboardMarkup([buttons[i : i + 3] for i in range(0, len(buttons), 3)])


@stop
async def choose_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The chosen language renders the card just once."""
    service_id = callbacks.shared_service(pressed(update)[1])
    tr = tr_of(update, context)
    await _say(
        update,
        tr,
        tr.gettext("Show this card in which language?"),
        reply_markup=language_markup(lambda code: callbacks.card_in(code, service_id)),
    )


@stop
async def card_in_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The card in another language; the worker's own language setting stays as it was."""
    query, data = pressed(update)
    lang, service_id = callbacks.parse_card_in(data)
    services = _load(context, [service_id]) if lang in SUPPORTED else []
    if not services:
        tr = tr_of(update, context)
        await _say(update, tr, tr.gettext("This service is no longer available."))
        return
    await query.answer()
    # sent to be forwarded to someone who reads it later: the week by day names, and the date
    card = render_service_card(services[0], lang, now=_now(context), week=True)
    await chat_of(update).send_message(card.text, parse_mode=ParseMode.HTML)


# --- shortlist --------------------------------------------------------------------------------


@stop
async def add_to_shortlist(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    service_id = callbacks.shared_service(pressed(update)[1])
    tr = tr_of(update, context)
    shortlist: list[str] = user_data(context).setdefault(SHORTLIST, [])
    if service_id in shortlist:
        text = tr.gettext("Already in your list. /list shows it.")
    elif len(shortlist) >= MAX_SHORTLIST:
        text = tr.gettext("Your list is full ({n} services). /list to send or clear it.").format(
            n=MAX_SHORTLIST
        )
    else:
        shortlist.append(service_id)
        text = tr.ngettext(
            "Added. {n} service in your list: /list",
            "Added. {n} services in your list: /list",
            len(shortlist),
        ).format(n=len(shortlist))
    await pressed(update)[0].answer(bidi(text, tr.lang), show_alert=False)


def _entry(service: Service, tr: Translator) -> list[str]:
    """Name, where, phone, website and the week's hours of one service (HTML-escaped)."""
    lines = [f"<b>{html.escape(service.name)}</b>"]
    for loc in service.locations:
        town = " ".join(p for p in (loc.postcode, loc.city) if p)
        lines.append("📍 " + html.escape(", ".join(p for p in (loc.address, town) if p)))
    lines += ["📞 " + phone(number.number) for number in service.phones]
    if service.website:
        lines.append("🌐 " + html.escape(service.website))
    if service.hours:
        lines.append("🕘 " + html.escape(hours_preview(format_compact_hours(service.hours), tr)))
    elif text_hours(service):
        lines.append("🕘 " + html.escape(text_hours(service) or ""))
    door = " · ".join(admission(service, tr))
    if door:
        lines.append("🚪 " + door)
    cost = price(service, tr)
    if cost:
        lines.append(cost)
    description = localized(service, "description", tr.lang)
    if description:
        if len(description) > MAX_DESCRIPTION:
            description = description[:MAX_DESCRIPTION].rsplit(" ", 1)[0] + " …"
        lines.append(html.escape(description, quote=False))
    return lines


def national_numbers(tr: Translator) -> str:
    """Every national line: what a list handed to someone ends with, whatever it holds."""
    # TRANSLATORS: heading of the national emergency numbers at the end of a list of places
    # given to someone (printed or forwarded)
    return render_emergency_block(danger.national_lines(), tr, tr.gettext("In an emergency, call:"))


def shortlist_messages(services: list[Service], tr: Translator, now: datetime) -> list[str]:
    """The whole list to forward to a beneficiary: one message, or more only when it would
    pass Telegram's 4,096 characters (whole entries are never cut), the national numbers
    last."""
    messages = [tr.gettext("Services for you (from Relais):") + "\n" + as_of(now, tr.lang)]
    for entry in [*("\n".join(_entry(s, tr)) for s in services), national_numbers(tr)]:
        if len(messages[-1]) + 2 + len(entry) > MAX_MESSAGE:
            messages.append(entry)
        else:
            messages[-1] += "\n\n" + entry
    return messages


def shortlist_sheet(services: list[Service], lang: str, now: datetime) -> bytes:
    """A printable HTML page: every full card, in `lang`, one per block, right-to-left aware."""
    tr = translator(lang)
    direction = "rtl" if bidi("x", lang) != "x" else "ltr"
    blocks = [
        f"<section>{render_service_card(s, lang, now=now, week=True).text}</section>"
        for s in services
    ]
    title = html.escape(tr.gettext("Services for you (from Relais):"))
    page = (
        f'<!doctype html><html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>body{{font:14pt sans-serif;margin:2em}}"
        "section,footer{white-space:pre-line;border-top:1px solid #999;padding:1em 0;"
        "page-break-inside:avoid}</style></head>"
        f"<body><h1>{title}</h1><p>{bidi(as_of(now, lang), lang)}</p>{''.join(blocks)}"
        f"<footer>{national_numbers(tr)}</footer></body></html>"
    )
    return page.encode("utf-8")


@stop
async def show_shortlist(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    tr = tr_of(update, context)
    services = _load(context, user_data(context).get(SHORTLIST, []))
    if not services:
        await _say(
            update,
            tr,
            tr.gettext("Your list is empty. Add services with the ⭐ button on their card."),
        )
        return
    names = "\n".join(f"{i}. {html.escape(s.name)}" for i, s in enumerate(services, 1))
    rows = [
        [
            InlineKeyboardButton(
                bidi(tr.gettext("Send as one message"), tr.lang),
                callback_data=callbacks.list_action("msg"),
            )
        ],
        [
            InlineKeyboardButton(
                bidi(tr.gettext("Printable sheet"), tr.lang),
                callback_data=callbacks.list_action("html"),
            )
        ],
        [
            InlineKeyboardButton(
                bidi(tr.gettext("Clear the list"), tr.lang),
                callback_data=callbacks.list_action("clear"),
            )
        ],
    ]
    await _say(
        update, tr, tr.gettext("Your list:") + "\n" + names, reply_markup=InlineKeyboardMarkup(rows)
    )


@stop
async def shortlist_action(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Clear the list, or ask in which language to hand it over (the beneficiary's)."""
    action = pressed(update)[1].removeprefix("shr:ls:")
    tr = tr_of(update, context)
    if action == "clear":
        user_data(context).pop(SHORTLIST, None)
        await _say(update, tr, tr.gettext("Your list is cleared."))
        return
    kind = "m" if action == "msg" else "h"
    await _say(
        update,
        tr,
        tr.gettext("In which language?"),
        reply_markup=language_markup(lambda code: callbacks.send_list(kind, code)),
    )


@stop
async def send_shortlist(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The list as messages (`shr:lm:<lang>`) or as a printable sheet (`shr:lh:<lang>`)."""
    kind, lang = callbacks.parse_send_list(pressed(update)[1])
    tr = translator(lang)
    services = _load(context, user_data(context).get(SHORTLIST, []))
    if not services:
        own = tr_of(update, context)
        await _say(
            update,
            own,
            own.gettext("Your list is empty. Add services with the ⭐ button on their card."),
        )
        return
    await pressed(update)[0].answer()
    if kind == "m":
        for text in shortlist_messages(services, tr, _now(context)):
            await chat_of(update).send_message(bidi(text, tr.lang), parse_mode=ParseMode.HTML)
    else:
        sheet = shortlist_sheet(services, tr.lang, _now(context))
        await chat_of(update).send_document(InputFile(sheet, filename="relais-services.html"))


# --- inline mode ------------------------------------------------------------------------------


async def inline_search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`@bot douche Roubaix` in any chat: the best cards, ready to post (links, no callbacks)."""
    inline = update.inline_query
    assert inline is not None
    lang = user_language(update, context)
    text = inline.query.strip()
    articles = []
    found = danger.read(text, lang)
    if found:  # the numbers first, ready to post
        articles.append(_danger_article(found, translator(lang)))
    if text and found.kinds != (danger.HELP,):
        engine = context.bot_data["engine"]
        outcome = search_services(engine, _inline_query(text, found, lang))
        services = _load(context, [r.service_id for r in outcome.results])
        now = _now(context)
        for service in services:
            card = render_service_card(service, lang, now=now, week=True)  # read later
            link = deep_link(context.bot.username, service.id)
            markup = None
            if link:
                label = bidi(translator(lang).gettext("Open in Relais"), lang)
                markup = InlineKeyboardMarkup([[InlineKeyboardButton(label, url=link)]])
            venue = public_venue(service)
            articles.append(
                InlineQueryResultArticle(
                    id=service.id[:64],
                    title=service.name,
                    description=venue.address if venue else None,
                    input_message_content=InputTextMessageContent(
                        card.text, parse_mode=ParseMode.HTML
                    ),
                    reply_markup=markup,
                )
            )
    button = None
    if not articles:  # nothing typed or found: offer the guided search in the bot instead
        label = bidi(translator(lang).gettext("Search in Relais"), lang)
        button = InlineQueryResultsButton(text=label, start_parameter="inline")
    await inline.answer(articles, cache_time=60, is_personal=True, button=button)


def _danger_article(found: danger.Danger, tr: Translator) -> InlineQueryResultArticle:
    block = render_emergency_block(found.lines, tr)
    return InlineQueryResultArticle(
        id="danger",
        title="🆘 " + " · ".join(line.number for line in found.lines),
        description=tr.gettext("If you are in danger or need help now, call:"),
        input_message_content=InputTextMessageContent(
            bidi(block, tr.lang), parse_mode=ParseMode.HTML
        ),
    )


def _inline_query(text: str, found: danger.Danger, lang: str) -> Query:
    """What inline mode searches: the text, or for a danger what helps with it there (an
    18+ shelter is left out for a minor)."""
    if not found:
        return Query(text=text, lang=lang, limit=INLINE_RESULTS)
    named = places.find_place_in_text(text)
    return Query(
        categories=found.needs,
        place=named.place.name if named else None,
        lang=lang,
        strict=True,
        age=found.age,
        limit=INLINE_RESULTS,
    )


def register(application: Application) -> None:
    """Add the social workers' handlers (other language, shortlist, inline mode), group -1."""
    application.add_handlers(
        [
            CallbackQueryHandler(choose_language, pattern=callbacks.OTHER_LANGUAGE_PATTERN),
            CallbackQueryHandler(card_in_language, pattern=callbacks.CARD_IN_PATTERN),
            CallbackQueryHandler(add_to_shortlist, pattern=callbacks.ADD_PATTERN),
            CallbackQueryHandler(shortlist_action, pattern=callbacks.LIST_ACTION_PATTERN),
            CallbackQueryHandler(send_shortlist, pattern=callbacks.send_list_pattern(SUPPORTED)),
            CommandHandler("list", show_shortlist),
            InlineQueryHandler(inline_search),
        ],
        group=GROUP,
    )
